"""Reporters: render results. They take a result and a small options object, never CLI flags."""
