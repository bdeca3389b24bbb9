"""The contract every image source fulfils, and the options they share."""

import dataclasses
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from seawall.limits import Limits
from seawall.model.image import Image, Layer, LayerOpener, Platform
from seawall.model.progress import NULL_PROGRESS, ProgressSink


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """What every source may need besides the target itself."""

    platform: Platform | None = None
    """Platform to choose from an index; None means the default (linux/amd64)."""
    insecure: bool = False
    """Allow plain-http registries. Never implied."""
    cache_dir: Path | None = None
    """seawall's cache root (registry blobs live under it); None disables caching."""
    limits: Limits = field(default_factory=Limits)
    progress: ProgressSink = NULL_PROGRESS

    def with_progress(self, progress: ProgressSink) -> "SourceOptions":
        """The same options reporting progress to `progress`."""
        return dataclasses.replace(self, progress=progress)


class ImageSource(ABC):
    """An opened image: its description and its layers' contents."""

    image: Image

    @abstractmethod
    def open_layer(self, layer: Layer) -> AbstractContextManager[BinaryIO]:
        """Open a layer's uncompressed tar stream.

        The stored blob's digest is verified as the stream is read; reading to
        the end raises `DigestMismatchError` if it does not match. Foreign
        (non-distributable) layers raise `InputError`.
        """

    def layer_openers(self) -> list[tuple[Layer, LayerOpener]]:
        """Every readable layer with an opener for it, bottom first; foreign layers left out."""
        return [(layer, self._opener(layer)) for layer in self.image.layers if not layer.foreign]

    def _opener(self, layer: Layer) -> LayerOpener:
        return lambda: self.open_layer(layer)

    def close(self) -> None:  # noqa: B027 - sources without handles need no cleanup
        """Release file handles and connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class DirectorySource(ImageSource):
    """A root filesystem or source tree on disk: no layers, just a root."""

    def __init__(self, image: Image, root: Path) -> None:
        self.image = image
        self.root = root

    def open_layer(self, layer: Layer) -> AbstractContextManager[BinaryIO]:
        raise TypeError("a directory source has no layers")
