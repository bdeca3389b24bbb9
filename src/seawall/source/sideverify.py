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

`AheadVerification` does the same for several blobs at once, started before
any of them is read: a caller that reads layers in several processes and
then assembles one answer from them (`seawall sbom`) starts the hashing
first, lets its readers parse without waiting for a digest, and calls
`check()` before it uses, keeps or returns anything it read. The hashing then
runs beside everything up to that point (the last layers' reading and the
assembly), not only beside each layer's own read. Every byte is hashed and
compared as before; what moves is only the moment the caller waits.
"""

import hashlib
import os
from collections.abc import Sequence
from typing import NamedTuple, Self

from seawall.source.digest import Digest
from seawall.source.errors import DigestMismatchError, MalformedDocumentError
from seawall.source.localblob import FileState, LocalBlob

MIN_SIDE_BYTES = 4 << 20
"""Blobs smaller than this are hashed inline: forking costs more than it saves."""

_CHUNK = 1 << 20
_NICENESS = 10
MAX_WATCHED = 256
"""Blobs one `AheadVerification` hashes at most (each holds a descriptor open until the check)."""


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
            raise changed_while_read(self._what)
        _judge(report, self._expected, self._expected_size, self._what)

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


def changed_while_read(what: str) -> MalformedDocumentError:
    """The error for a blob's file written to while it was being read."""
    return MalformedDocumentError(
        f"{what}: the file changed while it was being read; scan it again"
    )


def _judge(report: str, expected: Digest, expected_size: int | None, what: str) -> None:
    """Raise unless a child's report (`HEX COUNT`) is the digest and size expected."""
    parts = report.split()
    if len(parts) != 2 or not parts[1].isdigit():
        raise MalformedDocumentError(f"{what}: the blob could not be read ({report!r})")
    actual, count = f"{expected.algorithm}:{parts[0]}", int(parts[1])
    if expected_size is not None and count > expected_size:
        raise MalformedDocumentError(
            f"{what}: more than the {expected_size} bytes its descriptor declares"
        )
    if expected_size is not None and count != expected_size:
        raise MalformedDocumentError(
            f"{what}: {count} bytes where its descriptor declares {expected_size}; "
            "the blob is truncated"
        )
    if actual != str(expected):
        raise DigestMismatchError(what, str(expected), actual)


def _hash_range(
    fd: int, start: int, length: int, hasher: "hashlib._Hash", buffer: memoryview
) -> str:
    """`HEX COUNT` of up to `length` bytes of `fd` from `start` (fewer where the file ends)."""
    done = 0
    while done < length:
        n = os.preadv(fd, [buffer[: min(_CHUNK, length - done)]], start + done)
        if n == 0:
            break
        hasher.update(buffer[:n])
        done += n
    return f"{hasher.hexdigest()} {done}"


def _child(fd: int, start: int, length: int, hasher: "hashlib._Hash", out: int) -> None:
    """Hash `length` bytes from `start`, write `HEX COUNT` or `error ...`, and exit."""
    status = 1
    try:
        # Behind the readers: hashing has the whole read to finish in, a reader
        # sharing its core with it would be the last to finish.
        os.nice(_NICENESS)
        report = _hash_range(fd, start, length, hasher, memoryview(bytearray(_CHUNK)))
        os.write(out, f"{report}\n".encode())
        status = 0
    except BaseException as exc:  # reported to the parent, never raised here
        os.write(out, f"error {type(exc).__name__}\n".encode())
    finally:
        os._exit(status)


class _Watched(NamedTuple):
    """One blob an `AheadVerification` checks, and what it must hash to."""

    fd: int
    state: FileState
    blob: LocalBlob
    expected: Digest
    expected_size: int | None
    what: str

    @property
    def length(self) -> int:
        """Bytes hashed: one past the declared size, so an over-long blob shows."""
        size = self.expected_size
        return self.blob.size if size is None else min(self.blob.size, size + 1)


class AheadVerification:
    """Children hashing several local blobs, started before the blobs are read.

    `watch` each blob (its descriptor, open and checked by `open_blob`, is
    handed over), then `start`; readers in this process or in processes
    forked after `start` ask `state_of` whether a blob is being checked here
    (and so need not check it themselves), and the process that started it
    calls `check()` before it trusts anything read from those blobs. Use it
    as a context manager: leaving the block kills and reaps children that
    have not reported, and closes the descriptors. An instance with nothing
    watched checks nothing, and readers verify as they read.
    """

    def __init__(self) -> None:
        self._watched: list[_Watched] = []
        self._children: list[tuple[int, int]] = []
        """(pid, pipe) of each child not yet reaped."""
        self._owner = os.getpid()
        self._checking = False

    def watch(
        self,
        fd: int,
        state: FileState,
        blob: LocalBlob,
        expected: Digest,
        *,
        expected_size: int | None,
        what: str,
    ) -> None:
        """Hash `blob` (read through `fd`, now owned here) once started; before `start`.

        A blob watched already with the same expectations (layers may share
        one) is hashed once; past `MAX_WATCHED` blobs (a hostile image may list
        thousands of layers) the rest are left to their readers. A blob not
        kept has `fd` closed here.
        """
        if self._children or self._checking:
            os.close(fd)
            raise RuntimeError("blobs are watched before the verification starts")
        if len(self._watched) >= MAX_WATCHED or self._find(blob, expected, expected_size):
            os.close(fd)
            return
        self._watched.append(_Watched(fd, state, blob, expected, expected_size, what))

    def start(self, processes: int) -> None:
        """Fork up to `processes` children sharing the blobs, largest first to the least loaded."""
        if not self._watched:
            return
        groups: list[list[int]] = [[] for _ in range(max(1, min(processes, len(self._watched))))]
        loads = [0] * len(groups)
        for index in sorted(range(len(self._watched)), key=lambda i: -self._watched[i].length):
            least = loads.index(min(loads))
            groups[least].append(index)
            loads[least] += self._watched[index].length
        self._checking = True
        hashers = [
            watched.expected.hasher() for watched in self._watched
        ]  # no constructor in a child
        try:
            for group in groups:
                read_end, write_end = os.pipe()
                try:
                    pid = os.fork()
                    if pid == 0:  # pragma: no cover - the children's reports are what tests check
                        os.close(read_end)
                        _ahead_child(self._watched, group, hashers, write_end)
                except BaseException:
                    os.close(read_end)
                    raise
                finally:
                    os.close(write_end)
                self._children.append((pid, read_end))
        except BaseException:
            self.close()
            raise

    def state_of(
        self, blob: LocalBlob, expected: Digest, expected_size: int | None
    ) -> FileState | None:
        """The state of `blob`'s file when it was watched, while it is being checked here
        for the same digest and size; None when it is not (the reader checks it itself)."""
        if not self._checking:
            return None
        found = self._find(blob, expected, expected_size)
        return None if found is None else found.state

    def _find(
        self, blob: LocalBlob, expected: Digest, expected_size: int | None
    ) -> _Watched | None:
        for watched in self._watched:
            if (watched.blob, watched.expected, watched.expected_size) == (
                blob,
                expected,
                expected_size,
            ):
                return watched
        return None

    def check(self) -> None:
        """Wait for every child; raise for the first blob (in watching order) that is not
        what it must be, or whose file changed meanwhile. Readers check for themselves after."""
        if os.getpid() != self._owner:
            raise RuntimeError("only the process that started a verification checks it")
        reports: dict[int, str] = {}
        try:
            while self._children:
                pid, pipe = self._children.pop()
                for line in _read_all(pipe, pid).splitlines():
                    number, _, report = line.partition(" ")
                    if number.isdigit():
                        reports[int(number)] = report
            for index, watched in enumerate(self._watched):
                if FileState.of(watched.fd) != watched.state:
                    raise changed_while_read(watched.what)
                _judge(
                    reports.get(index, ""), watched.expected, watched.expected_size, watched.what
                )
        finally:
            self.close()

    def close(self) -> None:
        """Kill and reap children that have not reported; close the blobs' descriptors."""
        self._checking = False
        if os.getpid() != self._owner:
            return  # a forked reader: the children and descriptors are its parent's
        if self._children:
            import signal  # only an abandoned verification needs it

            while self._children:
                pid, pipe = self._children.pop()
                os.kill(pid, signal.SIGKILL)
                os.close(pipe)
                os.waitpid(pid, 0)
        while self._watched:
            os.close(self._watched.pop().fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()


def _read_all(pipe: int, pid: int) -> str:
    """Everything a child writes to `pipe` until it exits; the pipe is closed, the child reaped."""
    chunks = []
    try:
        while chunk := os.read(pipe, 4096):
            chunks.append(chunk)
    finally:
        os.close(pipe)
        os.waitpid(pid, 0)
    return b"".join(chunks).decode("ascii", "replace")


def _ahead_child(
    watched: Sequence[_Watched], group: Sequence[int], hashers: "Sequence[hashlib._Hash]", out: int
) -> None:
    """Hash the blobs `group` names, writing `INDEX HEX COUNT` (or `INDEX error ...`) for each."""
    status = 1
    try:
        os.nice(_NICENESS)  # behind the readers, as `_child`
        buffer = memoryview(bytearray(_CHUNK))
        for index in group:
            blob = watched[index]
            try:
                report = _hash_range(blob.fd, blob.blob.offset, blob.length, hashers[index], buffer)
            except OSError as exc:
                report = f"error {type(exc).__name__}"
            os.write(out, f"{index} {report}\n".encode())
        status = 0
    except BaseException as exc:  # the parent sees the missing lines; never raised here
        os.write(out, f"error {type(exc).__name__}\n".encode())
    finally:
        os._exit(status)
