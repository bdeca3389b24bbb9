"""dir: a root filesystem or source tree on disk, described without leaving it.

The source only checks the root and describes it; the file view (seawall.fs)
walks it. `/etc/os-release` (or `/usr/lib/os-release`, per os-release(5)) is
read, bounded, to describe the tree: symlinks on the way are resolved as if
the directory were `/`, so a link to `/etc/os-release` or `../../x` never
reads the host's files.
"""

import os
import stat
from pathlib import Path, PurePosixPath

from seawall.limits import Limits
from seawall.model.image import Image, SourceKind
from seawall.source.base import DirectorySource, SourceOptions
from seawall.source.errors import TargetError

_OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
_OS_RELEASE_LIMIT = 64 * 1024


def resolve_inside(root: Path, path: str, limits: Limits) -> Path | None:
    """`path` (relative to `root`) with every symlink resolved inside `root`, or None.

    Absolute link targets restart at `root`; `..` stops at `root`. Returns None
    for a missing path or a link chain longer than `Limits.max_symlink_hops`.
    """
    pending = list(PurePosixPath(path).parts)
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("/", "", "."):
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = root.joinpath(*resolved, part)
        try:
            info = os.lstat(candidate)
        except OSError:
            return None
        if stat.S_ISLNK(info.st_mode):
            hops += 1
            if hops > limits.max_symlink_hops:
                return None
            target = str(candidate.readlink())
            if target.startswith("/"):
                resolved = []
            pending = list(PurePosixPath(target).parts) + pending
            continue
        resolved.append(part)
    return root.joinpath(*resolved)


def _describe(root: Path, limits: Limits) -> str | None:
    for name in _OS_RELEASE:
        path = resolve_inside(root, name, limits)
        if path is None or not path.is_file():
            continue
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(_OS_RELEASE_LIMIT)
        fields = {}
        for line in data.decode("utf-8", "replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key.strip()] = value.strip().strip("\"'")
        name_ = fields.get("PRETTY_NAME") or " ".join(
            x for x in (fields.get("NAME"), fields.get("VERSION_ID")) if x
        )
        return name_[:200] or None
    return None


def open_directory(path: Path, options: SourceOptions) -> DirectorySource:
    """A directory as a source: its root, and its os-release description if any."""
    try:
        root = path.resolve(strict=True)
    except OSError:
        raise TargetError(f"dir:{path}: no such directory") from None
    if not root.is_dir():
        raise TargetError(
            f"dir:{path}: not a directory; use docker-archive: or oci-archive: for files"
        )
    image = Image(
        source_kind=SourceKind.DIRECTORY,
        reference=str(path),
        description=_describe(root, options.limits),
    )
    return DirectorySource(image, root)
