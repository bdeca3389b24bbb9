"""A metadata tree of a view: look paths up and resolve symlinks inside the root.

The tree holds `FileInfo` per path (no contents). Symlinks resolve with chroot
semantics, as a runtime sees them from inside the container: an absolute
target starts again at the image root, `..` never climbs above `/`, and at
most `max_symlink_hops` links are followed (more is a loop, recorded as a
problem). Directories that only appear as parents of other entries (tar
archives need not list them) count as directories.
"""

from collections.abc import Iterator

from seawall.fs.paths import normalize_path, parent_of
from seawall.limits import Limits
from seawall.model.files import FileInfo, FileKind, Problem


class FileTree:
    """Path → FileInfo for every visible entry of a view, filled while the view is read."""

    def __init__(self, limits: Limits | None = None) -> None:
        self._max_hops = (limits or Limits()).max_symlink_hops
        self._entries: dict[str, FileInfo] = {}
        self._implied_dirs: set[str] = set()
        self._reported_loops: set[str] = set()
        self.problems: list[Problem] = []

    def add(self, info: FileInfo) -> None:
        """Record a visible entry (a later call for the same path replaces it)."""
        self._entries[info.path] = info
        parent = parent_of(info.path)
        while parent != "/" and parent not in self._implied_dirs:
            self._implied_dirs.add(parent)
            parent = parent_of(parent)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[FileInfo]:
        return iter(self._entries.values())

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def counts(self) -> dict[FileKind, int]:
        """Number of entries of each kind."""
        totals = dict.fromkeys(FileKind, 0)
        for info in self._entries.values():
            totals[info.kind] += 1
        return totals

    def get(self, path: str) -> FileInfo | None:
        """The entry at `path` without following symlinks; implied directories included."""
        normal = normalize_path(path)
        info = self._entries.get(normal)
        if info is not None:
            return info
        if normal == "/" or normal in self._implied_dirs:
            return FileInfo(path=normal, kind=FileKind.DIRECTORY, mode=0o755, size=0)
        return None

    def resolve(self, path: str) -> FileInfo | None:
        """The entry `path` leads to once every symlink is followed, or None."""
        resolved = self.resolve_path(path)
        return None if resolved is None else self.get(resolved)

    def resolve_path(self, path: str, *, follow_final: bool = True) -> str | None:
        """The symlink-free path `path` leads to, or None if it leads nowhere.

        None means a missing component, a non-directory used as a directory,
        an empty link target, or too many hops (recorded as a problem).
        """
        pending = path.split("/")
        pending.reverse()  # a stack: the next component is at the end
        done: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part == "" or part == ".":
                continue
            if part == "..":
                if done:  # chroot semantics: `..` at the root stays at the root
                    done.pop()
                continue
            done.append(part)
            current = "/" + "/".join(done)
            info = self._entries.get(current)
            if info is None:
                if current in self._implied_dirs:
                    continue
                return None
            more = any(p not in ("", ".") for p in pending)
            if info.kind is FileKind.SYMLINK and (more or follow_final or path.endswith("/")):
                hops += 1
                if hops > self._max_hops:
                    self._loop(path)
                    return None
                target = info.link_target or ""
                if not target:
                    return None
                done.pop()
                if target.startswith("/"):
                    done.clear()
                pending.extend(reversed(target.split("/")))
                continue
            if more and info.kind is not FileKind.DIRECTORY:
                return None
        return "/" + "/".join(done)

    def _loop(self, path: str) -> None:
        if path not in self._reported_loops:
            self._reported_loops.add(path)
            self.problems.append(
                Problem(
                    f"symlink {path!r}",
                    f"more than max_symlink_hops={self._max_hops} links to follow "
                    "(a loop?); not resolved",
                )
            )
