"""A stored blob that is a byte range of a local file, and a plain reader of it.

An OCI layout's blob file, or a member of a `docker save` or OCI archive, is
such a range. Knowing it (rather than only holding an open stream) lets a
second process hash the same bytes (`sideverify`) and lets an uncompressed
layer's reader skip member data by moving its offset instead of reading it.
"""

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from seawall.source.errors import MalformedDocumentError


@dataclass(frozen=True, slots=True)
class LocalBlob:
    """`size` bytes of the file at `path`, from `offset`."""

    path: Path
    offset: int
    size: int


class FileState(NamedTuple):
    """What changes when a file is written to: compared before and after reading it.

    (A named tuple: every run that opens a local blob imports this module, and a
    dataclass costs ~1 ms to create.)
    """

    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int

    @classmethod
    def of(cls, fd: int) -> "FileState":
        stat = os.fstat(fd)
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def open_blob(blob: LocalBlob, *, what: str) -> tuple[int, FileState]:
    """A read-only descriptor of `blob`'s file and its state, checked to hold the whole range."""
    try:
        fd = os.open(blob.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise MalformedDocumentError(f"{what}: cannot open {blob.path} ({exc.strerror})") from None
    try:
        state = FileState.of(fd)
        if state.size < blob.offset + blob.size:
            raise MalformedDocumentError(
                f"{what}: {blob.path} holds {state.size} bytes, too few for the "
                f"{blob.size} bytes at offset {blob.offset}; the file is truncated"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, state


class PlainRange(io.RawIOBase):
    """Reads a blob's range with `pread`, so another process may share the descriptor.

    `skip_bytes` moves past bytes without reading them: the tar reader uses it
    to pass over member data nobody asked for, and `read_at` to read an
    earlier member's data again (a hard link's target). The descriptor is not
    owned: whoever opened it closes it.
    """

    def __init__(self, fd: int, blob: LocalBlob) -> None:
        super().__init__()
        self._fd = fd
        self._start = blob.offset
        self._size = blob.size
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        left = self._size - self._position
        if size < 0 or size > left:
            size = left
        if size <= 0:
            return b""
        data = os.pread(self._fd, size, self._start + self._position)
        self._position += len(data)
        return data

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        # Straight into the caller's buffer (the decompressors read this way): no copy.
        view = memoryview(buffer).cast("B")[: max(0, self._size - self._position)]
        if not view:
            return 0
        count = os.preadv(self._fd, [view], self._start + self._position)
        self._position += count
        return count

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes at `offset` of the range (fewer only at its end); the
        position `read` continues from does not move."""
        if offset < 0:
            raise ValueError("a negative offset is outside the blob")
        size = max(0, min(size, self._size - offset))
        parts: list[bytes] = []
        while size > 0:
            data = os.pread(self._fd, size, self._start + offset)
            if not data:
                break  # the file is shorter than it was: the caller sees too few bytes
            parts.append(data)
            offset += len(data)
            size -= len(data)
        return b"".join(parts)

    def skip_bytes(self, count: int) -> int:
        """Move up to `count` bytes ahead; returns how many (fewer only at the end)."""
        step = max(0, min(count, self._size - self._position))
        self._position += step
        return step

    def readable(self) -> bool:
        return True
