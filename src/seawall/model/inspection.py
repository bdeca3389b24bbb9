"""The result of `seawall inspect`: an image's description plus what reading its layers showed."""

from dataclasses import dataclass

from seawall.model.files import Problem
from seawall.model.image import Image, Layer


@dataclass(frozen=True, slots=True)
class LayerSummary:
    """One layer as read: its description and counts of what its tar holds."""

    layer: Layer
    entries: int
    """Tar entries, whiteouts included."""
    files: int
    """Regular files (hard links not counted twice)."""
    uncompressed_size: int
    """Bytes of the uncompressed tar stream."""


@dataclass(frozen=True, slots=True)
class Inspection:
    """What an image is, and how many files its squashed filesystem holds."""

    image: Image
    layers: tuple[LayerSummary, ...]
    squashed_entries: int
    squashed_files: int
    problems: tuple[Problem, ...] = ()
