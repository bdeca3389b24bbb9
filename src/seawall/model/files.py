"""Files as seen through a view: metadata, layer of origin, and recorded problems."""

from dataclasses import dataclass
from enum import Enum


class FileKind(Enum):
    """The type of a filesystem entry (tar typeflags, or stat on a real directory)."""

    REGULAR = "file"
    DIRECTORY = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR_DEVICE = "char"
    BLOCK_DEVICE = "block"
    FIFO = "fifo"


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One entry of a view.

    `path` is absolute and normalised (`/etc/os-release`); it never contains
    `..` or empty components and never leaves the image root.
    """

    path: str
    kind: FileKind
    mode: int
    """Permission bits, including setuid, setgid and sticky (no file-type bits)."""
    size: int
    uid: int = 0
    gid: int = 0
    mtime: int = 0
    link_target: str | None = None
    """Symlinks: the target as written. Hard links: the normalised absolute target path."""
    layer: int | None = None
    """Index of the layer that wrote this entry; None for a plain directory tree."""

    @property
    def is_regular(self) -> bool:
        return self.kind is FileKind.REGULAR


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the input that could not be used, recorded instead of raised.

    `where` names the input (a layer, a member, a path); `message` says what was wrong.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
