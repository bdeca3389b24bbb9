"""A read-only view of a root filesystem on disk, with the same entry protocol as images.

Nothing is ever followed out of the root: directories are opened relative to
their parent's descriptor with O_NOFOLLOW, files likewise and checked with
fstat to be regular, and symlinks are reported as symlinks (their targets
resolve inside the root through the view's `FileTree`). Entries, depth and
path length are bounded by `Limits`; unreadable entries are recorded as
problems.
"""

import os
import stat
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from seawall.errors import InputError, LimitExceededError
from seawall.fs.entry import ContentReader, Entry, UnreadableFileError
from seawall.fs.paths import join, normalize_path
from seawall.fs.tree import FileTree
from seawall.limits import Limits
from seawall.model.files import FileInfo, FileKind, Problem

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in after the stat must not block the open.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_READ_BUFFER = 1 << 20

_KINDS = {
    stat.S_IFREG: FileKind.REGULAR,
    stat.S_IFDIR: FileKind.DIRECTORY,
    stat.S_IFLNK: FileKind.SYMLINK,
    stat.S_IFCHR: FileKind.CHAR_DEVICE,
    stat.S_IFBLK: FileKind.BLOCK_DEVICE,
    stat.S_IFIFO: FileKind.FIFO,
}


class DirectoryView:
    """Every entry under `root`, depth first in name order; iterate once.

    Entries have `layer=None`. Regular files' `open()` is valid until the view
    advances; a file that cannot be opened is recorded in `problems` and
    `open()` raises `UnreadableFileError`. `tree` holds every entry.
    """

    def __init__(self, root: Path, limits: Limits | None = None) -> None:
        self.root = root
        self._limits = limits or Limits()
        self.problems: list[Problem] = []
        self.tree = FileTree(self._limits)
        self.entries = 0
        self._started = False

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"{self.root}{path if path != '/' else ''}", message))

    def _open_root(self) -> int:
        try:
            return os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as error:
            raise InputError(f"{self.root}: cannot open the directory ({error.strerror})") from None

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("a DirectoryView can be iterated only once; make a new one")
        self._started = True
        root_fd = self._open_root()
        stack: list[tuple[int, str, Iterator[str]]] = []
        try:
            stack.append((root_fd, "/", iter(self._list(root_fd, "/"))))
            while stack:
                fd, directory, names = stack[-1]
                name = next(names, None)
                if name is None:
                    stack.pop()
                    os.close(fd)
                    continue
                entry = self._entry(fd, directory, name)
                if entry is None:
                    continue
                yield entry
                if entry.info.kind is FileKind.DIRECTORY:
                    child = self._descend(fd, entry.info.path, name)
                    if child is not None:
                        stack.append((child, entry.info.path, iter(self._list(child, entry.path))))
        finally:
            for fd, _, _ in stack:
                os.close(fd)

    def _list(self, fd: int, path: str) -> list[str]:
        try:
            return sorted(os.listdir(fd))
        except OSError as error:
            self._problem(path, f"cannot list the directory ({error.strerror})")
            return []

    def _descend(self, fd: int, path: str, name: str) -> int | None:
        if path.count("/") >= self._limits.max_path_depth:
            self._problem(
                path, f"deeper than max_path_depth={self._limits.max_path_depth}; not descended"
            )
            return None
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as error:
            self._problem(path, f"cannot open the directory ({error.strerror})")
            return None

    def _entry(self, fd: int, directory: str, name: str) -> Entry | None:
        path = join(directory, name)
        if len(path.encode("utf-8", "surrogateescape")) > self._limits.max_path_bytes:
            self._problem(path[:200], f"longer than max_path_bytes={self._limits.max_path_bytes}")
            return None
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError as error:
            self._problem(path, f"cannot stat ({error.strerror})")
            return None
        kind = _KINDS.get(stat.S_IFMT(st.st_mode))
        if kind is None:
            return None  # sockets hold nothing to scan
        self.entries += 1
        if self.entries > self._limits.max_image_entries:
            raise LimitExceededError(
                f"{self.root}: more than {self._limits.max_image_entries} entries",
                "max_image_entries",
                self._limits.max_image_entries,
            )
        link_target: str | None = None
        if kind is FileKind.SYMLINK:
            try:
                link_target = os.readlink(name, dir_fd=fd)
            except OSError as error:
                self._problem(path, f"cannot read the symlink ({error.strerror})")
                return None
        info = FileInfo(
            path=path,
            kind=kind,
            mode=stat.S_IMODE(st.st_mode),
            size=st.st_size if kind is FileKind.REGULAR else 0,
            uid=st.st_uid,
            gid=st.st_gid,
            mtime=int(st.st_mtime),
            link_target=link_target,
        )
        self.tree.add(info)
        if kind is FileKind.REGULAR:
            return Entry(info, _open=lambda: self._open_file(fd, name, path))
        return Entry(info)

    def _open_file(self, dir_fd: int, name: str, path: str) -> ContentReader:
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
        except OSError as error:
            self._problem(path, f"cannot open ({error.strerror})")
            raise UnreadableFileError(
                f"{self.root}{path}: cannot open ({error.strerror})"
            ) from None
        return self._regular(fd, path)

    def _regular(self, fd: int, path: str) -> ContentReader:
        """Wrap an open descriptor once fstat shows a regular file (it may have been swapped)."""
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            self._problem(path, "is no longer a regular file; not read")
            raise UnreadableFileError(f"{self.root}{path}: is no longer a regular file")
        return open(fd, "rb", buffering=_READ_BUFFER, closefd=True)

    def read_files(
        self, wanted: Mapping[int | None, Collection[str]], max_file_bytes: int
    ) -> dict[tuple[int | None, str], bytes]:
        """Read symlink-free paths under the root (the view's `layer` is None)."""
        found: dict[tuple[int | None, str], bytes] = {}
        paths = wanted.get(None, ())
        if not paths:
            return found
        root_fd = self._open_root()
        try:
            for path in paths:
                content = self._read_path(root_fd, normalize_path(path), max_file_bytes)
                if content is not None:
                    found[(None, path)] = content
        finally:
            os.close(root_fd)
        return found

    def _read_path(self, root_fd: int, path: str, max_file_bytes: int) -> bytes | None:
        """Open each component with O_NOFOLLOW, so a symlink anywhere fails the read."""
        parts = path.strip("/").split("/")
        fds: list[int] = []
        try:
            fd = root_fd
            for part in parts[:-1]:
                fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                fds.append(fd)
            file_fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
        except OSError as error:
            self._problem(path, f"cannot open ({error.strerror})")
            return None
        finally:
            for opened in fds:
                os.close(opened)
        try:
            with self._regular(file_fd, path) as reader:
                content = reader.read(max_file_bytes + 1)
        except UnreadableFileError:
            return None
        return content if len(content) <= max_file_bytes else None
