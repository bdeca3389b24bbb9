"""A git repository's history as blobs: every file version reachable from any ref.

Read with the `git` command-line program (present wherever a repository is,
and the reference implementation of the object format; a library such as
dulwich would re-implement packs and deltas for no gain here):

- `git log --all --reverse --topo-order -m --raw -z` lists, commit by commit
  from the oldest (parents always before children), every file each commit
  added or modified relative to each parent. A merge (`-m`) repeats blobs its
  parents introduced; those were seen first in the parent and are skipped.
- `git cat-file --batch` streams each new blob's bytes, one request at a
  time, so memory holds one blob at most and a blob over the size limit is
  read past without being kept.

Each blob id is yielded once, with the first commit and path where it
appears. Only regular files (modes 100644/100755) are read: symlinks and
submodules hold no file contents. The repository's own configuration cannot
run programs here: no command used reads textconv, external diff or fsmonitor
settings, and the pager is off.
"""

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from seawall.errors import InputError, LimitExceededError

_GIT = [
    "git",
    "--no-pager",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.quotepath=false",
    "-c",
    "diff.external=",
]
_REGULAR_MODES = {b"100644", b"100755", b"100664"}
_READ_CHUNK = 1 << 20
MAX_BLOBS = 2_000_000


class GitError(InputError):
    """The path is not a readable git repository, or git failed on it."""


@dataclass(frozen=True, slots=True)
class GitBlob:
    """One file version: the first commit and path where the blob appeared."""

    commit: str
    path: str
    blob: str
    size: int


def _run(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            [*_GIT, "-C", str(repo), *args], capture_output=True, check=False, timeout=600
        )
    except FileNotFoundError:
        raise GitError("git is not installed; it is needed to read a repository") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"{repo}: git {args[0]} took more than 10 minutes") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {done.returncode}"
        raise GitError(f"{repo}: not a readable git repository ({reason})")
    return done.stdout


class GitHistory:
    """The blobs of every commit reachable from every ref of the repository at `path`."""

    def __init__(self, path: Path, max_blobs: int = MAX_BLOBS) -> None:
        if not path.is_dir():
            raise GitError(f"{path}: no such directory")
        self.path = path
        self._max_blobs = max_blobs
        _run(path, "rev-parse", "--git-dir")
        self.commits = 0

    def changes(self) -> Iterator[GitBlob]:
        """Every regular-file blob once, oldest commit first, without its contents."""
        seen: set[bytes] = set()
        with subprocess.Popen(
            [
                *_GIT,
                "-C",
                str(self.path),
                "log",
                "--all",
                "--reverse",
                "--topo-order",
                "-m",
                "--raw",
                "--no-abbrev",
                "--no-renames",
                "--format=%x00%H",
                "-z",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            assert process.stdout is not None
            commit = ""
            record: list[bytes] | None = None
            for token in _tokens(process.stdout):
                if record is not None:
                    mode, blob = record[1], record[3]
                    record = None
                    if mode in _REGULAR_MODES and blob not in seen:
                        seen.add(blob)
                        if len(seen) > self._max_blobs:
                            process.kill()
                            raise LimitExceededError(
                                f"{self.path}: more than {self._max_blobs} file versions",
                                "max_blobs",
                                self._max_blobs,
                            )
                        path = token.decode("utf-8", "surrogateescape")
                        yield GitBlob(commit, path, blob.decode(), -1)
                    continue
                text = token.lstrip(b"\n")
                if text.startswith(b":"):
                    # `:old_mode new_mode old_blob new_blob status`, then the path token.
                    record = text[1:].split(b" ")
                elif text:
                    commit = text.decode()
                    self.commits += 1
        if process.returncode not in (0, None, -9):
            raise GitError(f"{self.path}: git log failed (exit status {process.returncode})")

    def blobs(self, max_bytes: int) -> Iterator[tuple[GitBlob, bytes | None]]:
        """Each blob of `changes()` with its bytes, or None when larger than `max_bytes`."""
        with subprocess.Popen(
            [*_GIT, "-C", str(self.path), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            assert process.stdin is not None and process.stdout is not None
            try:
                for change in self.changes():
                    process.stdin.write(change.blob.encode() + b"\n")
                    process.stdin.flush()
                    size, content = _read_object(process.stdout, change.blob, max_bytes)
                    yield GitBlob(change.commit, change.path, change.blob, size), content
            finally:
                process.stdin.close()


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a stream, read in chunks."""
    pending = b""
    while chunk := stream.read(_READ_CHUNK):
        parts = (pending + chunk).split(b"\0")
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


def _read_object(stream: IO[bytes], blob: str, max_bytes: int) -> tuple[int, bytes | None]:
    header = stream.readline(1024).split()
    if len(header) != 3 or header[1] != b"blob":
        raise GitError(f"git cat-file gave no blob for {blob}")
    size = int(header[2])
    content: bytes | None = None
    if size <= max_bytes:
        content = _read_exactly(stream, size)
    else:
        remaining = size
        while remaining:
            remaining -= len(_read_exactly(stream, min(remaining, _READ_CHUNK)))
    _read_exactly(stream, 1)  # the newline after the contents
    return size, content


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        data = stream.read(remaining)
        if not data:
            raise GitError("git cat-file output ended early")
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)
