"""The contract every image source fulfils, and the options they share."""

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Self

from seawall.limits import Limits
from seawall.model.image import Image, Layer, LayerOpener, Platform
from seawall.model.progress import NULL_PROGRESS, ProgressSink

if TYPE_CHECKING:
    from seawall.source.layerstream import StoredLayer
    from seawall.source.sideverify import AheadVerification


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
    _ahead: "AheadVerification | None" = None
    """The verification `verify_ahead` started, which `open_layer` consults."""

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

    def verify_ahead(self, layers: Sequence[Layer], *, processes: int) -> "AheadVerification":
        """Start hashing `layers`' blobs now, in up to `processes` child processes.

        For a caller about to read those layers (here or in processes it forks
        afterwards) that will call `check()` on the answer before it uses,
        keeps or returns anything read from them: their readers then parse
        without waiting for a digest (`sideverify.AheadVerification`). Use the
        answer as a context manager around the reads and the check. Blobs that
        are not ranges of local files, or too small to hash in a child, are
        left to their readers, which verify them as they read.
        """
        from seawall.source.layerstream import watch_ahead
        from seawall.source.sideverify import AheadVerification, side_verification_available

        ahead = AheadVerification()
        if not side_verification_available():
            return ahead
        try:
            for layer in layers:
                stored = None if layer.foreign else self._stored_layer(layer)
                if stored is not None:
                    watch_ahead(ahead, stored)
            ahead.start(processes)
        except BaseException:
            ahead.close()
            raise
        self._ahead = ahead
        return ahead

    def _stored_layer(self, layer: Layer) -> "StoredLayer | None":
        """`layer`'s blob as a range of a local file, or None (a download, or no blob)."""
        return None

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
