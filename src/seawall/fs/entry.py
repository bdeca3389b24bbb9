"""The entry protocol shared by every view: one file's metadata, visibility and content.

Layer views, the image walk and the directory view all yield `Entry` values, so
catalogers and analyzers never know which kind of view they read.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from seawall.errors import InputError
from seawall.model.files import FileInfo, FileKind


class ContentReader(Protocol):
    """A file's contents, read front to back."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnreadableFileError(InputError):
    """A file in a directory view could not be opened (it is also recorded as a Problem)."""


class StaleEntryError(ValueError):
    """An entry's content was read after the walk had moved past it."""


class Entry:
    """One entry of a view.

    `visible` is False for entries a higher layer deleted, overwrote or hid;
    `hidden_by` then names that layer. `open()` returns the contents of a
    readable regular file and is valid only until the view moves to the next
    entry. (A slotted class rather than a dataclass: views make one per tar
    member, and this is on the hot path.)
    """

    __slots__ = ("_open", "hidden_by", "info", "visible")

    def __init__(
        self,
        info: FileInfo,
        visible: bool = True,
        hidden_by: int | None = None,
        _open: Callable[[], ContentReader] | None = None,
    ) -> None:
        self.info = info
        self.visible = visible
        self.hidden_by = hidden_by
        self._open = _open

    def __repr__(self) -> str:
        return f"Entry({self.info!r}, visible={self.visible}, hidden_by={self.hidden_by})"

    @property
    def path(self) -> str:
        return self.info.path

    @property
    def readable(self) -> bool:
        """True when `open()` gives the contents (regular files that are not sparse)."""
        return self._open is not None

    def hidden(self, by: int) -> "Entry":
        """The same entry, marked as hidden by layer `by`."""
        return Entry(self.info, False, by, self._open)

    def open(self) -> ContentReader:
        if self._open is None:
            kind = "a sparse file" if self.info.kind is FileKind.REGULAR else self.info.kind.value
            raise ValueError(f"{self.info.path} is {kind}; it has no contents to read")
        return self._open()


@dataclass(frozen=True, slots=True)
class LayerStats:
    """What one pass over a layer counted (`seawall inspect` prints these)."""

    layer: int
    entries: int
    """Tar members that are file-system entries (meta headers and markers not counted)."""
    regular_files: int
    regular_bytes: int
    """Sum of the sizes of the regular files."""
    whiteouts: int
    """Whiteout and opaque-directory markers."""
    tar_bytes: int
    """Bytes of the uncompressed tar stream, padding and end marker included."""
