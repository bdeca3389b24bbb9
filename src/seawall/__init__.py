"""seawall: what is in a container image, is it vulnerable, has it leaked, is it safe."""

__version__ = "0.1.0"
