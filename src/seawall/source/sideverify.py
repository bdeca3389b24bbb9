"""Checking a local blob's digest in a child process while the parent reads it.

Hashing a layer is a fixed cost (SHA-256 of 120 MB is ~0.09 s here) that
inline verification adds to the walk of its tar stream. A blob that is a
range of a local file (`LocalBlob`) can instead be hashed by a forked child
reading the same range with `pread`, on another core, while the parent
parses; the parent may then skip member data it does not need.

Trust is unchanged: the parent trusts nothing it read until `result()` has
confirmed the digest and the size, exactly as with an inline
`VerifyingReader`, and a file written to while it was being read (its size,
inode, modification or change time differ afterwards) is refused, so the
bytes parsed are the bytes hashed. The child only reads, hashes and writes
one line to a pipe; it touches no Python-level lock a parent thread might
hold, and leaves with `os._exit`.
"""

import hashlib
import os
from typing import Self

from seawall.source.digest import Digest
from seawall.source.errors import DigestMismatchError, MalformedDocumentError
from seawall.source.localblob import FileState, LocalBlob

MIN_SIDE_BYTES = 4 << 20
"""Blobs smaller than this are hashed inline: forking costs more than it saves."""

_CHUNK = 1 << 20
_NICENESS = 10


def side_verification_available() -> bool:
    """Whether this platform can fork (POSIX); elsewhere blobs are verified inline."""
    return hasattr(os, "fork")


class SideVerification:
    """A child process hashing one blob; `result()` says whether it matched.

    Use it as a context manager around the read and call `result()` inside
    it: leaving the block without that (an exception) kills and reaps the
    child, so no process outlives the read.
    """

    def __init__(
        self,
        fd: int,
        state: FileState,
        blob: LocalBlob,
        expected: Digest,
        *,
        expected_size: int | None,
        what: str,
    ) -> None:
        self._fd = fd
        self._state = state
        self._expected = expected
        self._expected_size = expected_size
        self._what = what
        # One byte past the declared size is hashed, so an over-long blob shows.
        self._length = blob.size if expected_size is None else min(blob.size, expected_size + 1)
        self._start = blob.offset
        self._pid = 0
        self._pipe = -1

    def __enter__(self) -> Self:
        hasher = self._expected.hasher()  # created here: the child calls no constructor
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's report is what the tests check
            os.close(read_end)
            _child(self._fd, self._start, self._length, hasher, write_end)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end
        return self

    def __exit__(self, *_exc_info: object) -> None:
        if self._pid:
            import signal  # only a failed read needs it

            os.kill(self._pid, signal.SIGKILL)
            self._reap()

    def result(self) -> None:
        """Wait for the child; raise if the blob does not hash to the digest or size expected."""
        report = self._reap()
        if FileState.of(self._fd) != self._state:
            raise MalformedDocumentError(
                f"{self._what}: the file changed while it was being read; scan it again"
            )
        parts = report.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise MalformedDocumentError(f"{self._what}: the blob could not be read ({report!r})")
        actual, count = f"{self._expected.algorithm}:{parts[0]}", int(parts[1])
        size = self._expected_size
        if size is not None and count > size:
            raise MalformedDocumentError(
                f"{self._what}: more than the {size} bytes its descriptor declares"
            )
        if size is not None and count != size:
            raise MalformedDocumentError(
                f"{self._what}: {count} bytes where its descriptor declares {size}; "
                "the blob is truncated"
            )
        if actual != str(self._expected):
            raise DigestMismatchError(self._what, str(self._expected), actual)

    def _reap(self) -> str:
        """The child's one-line report (empty if it was killed), once it has exited."""
        if not self._pid:
            return ""
        chunks = []
        try:
            while chunk := os.read(self._pipe, 256):
                chunks.append(chunk)
        finally:
            os.close(self._pipe)
            os.waitpid(self._pid, 0)
            self._pid = 0
        return b"".join(chunks).decode("ascii", "replace").strip()


def _child(fd: int, start: int, length: int, hasher: "hashlib._Hash", out: int) -> None:
    """Hash `length` bytes from `start`, write `HEX COUNT` or `error ...`, and exit."""
    status = 1
    try:
        # Behind the readers: hashing has the whole read to finish in, a reader
        # sharing its core with it would be the last to finish.
        os.nice(_NICENESS)
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        done = 0
        while done < length:
            n = os.preadv(fd, [view[: min(_CHUNK, length - done)]], start + done)
            if n == 0:
                break
            hasher.update(view[:n])
            done += n
        os.write(out, f"{hasher.hexdigest()} {done}\n".encode())
        status = 0
    except BaseException as exc:  # reported to the parent, never raised here
        os.write(out, f"error {type(exc).__name__}\n".encode())
    finally:
        os._exit(status)
