"""seawall: what is in a container image, is it vulnerable, has it leaked, is it configured safely."""

__version__ = "0.1.0"
