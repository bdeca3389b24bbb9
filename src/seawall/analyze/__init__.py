"""Analyzers over file views and image config; they never import fs or source: the pipeline feeds them."""
