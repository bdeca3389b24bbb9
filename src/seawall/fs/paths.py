"""Member names and whiteout markers: how a tar member name becomes an image path.

Names are made absolute and clean the way containerd applies a layer
(`filepath.Clean`, then joined under the root with `..` stopping at the root),
so the scanner sees exactly where a runtime would write each member. Names that
had to be clamped (absolute, or climbing above the root) are reported by the
caller as problems.

Whiteouts follow the OCI image spec, layer.md "Whiteouts": `.wh.NAME` deletes
NAME from lower layers, `.wh..wh..opq` makes its directory opaque, and other
`.wh..wh.` names are AUFS metadata to be ignored.
"""

from enum import Enum
from typing import NamedTuple

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
AUFS_META_PREFIX = ".wh..wh."


class NormalizedName(NamedTuple):
    """A member name made absolute and clean, and whether that changed where it points."""

    path: str
    clamped: bool
    """True when the name was absolute or climbed above the root."""


def clean_name(name: str) -> str | None:
    """The path of a member name that is already clean (`etc/x`, `./etc/x/`), else None.

    The common case, answered without splitting the name: no empty, `.` or `..`
    parts and not absolute. `normalize_member` gives the same path for such a
    name (never clamped) and handles every other.
    """
    relative = name[2:] if name.startswith("./") else name
    if (
        relative
        and relative[0] not in "./"
        and "//" not in relative
        and "/." not in relative
        and relative != "/"
    ):
        return "/" + relative.rstrip("/")
    return None


def normalize_member(name: str) -> NormalizedName:
    """Make a member name absolute and clean.

    `./etc/x`, `etc/x`, `/etc/x` and `../etc/x` all become `/etc/x`; the last
    two are reported as clamped.
    """
    clean = clean_name(name)
    if clean is not None:
        return NormalizedName(clean, False)
    clamped = name.startswith("/")
    parts: list[str] = []
    for part in name.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                clamped = True
            continue
        parts.append(part)
    return NormalizedName("/" + "/".join(parts), clamped)


def normalize_path(path: str) -> str:
    """An absolute clean path for a caller-supplied path (relative paths start at the root)."""
    return normalize_member(path).path


def parent_of(path: str) -> str:
    """The parent directory of a normalised path (`/` is its own parent)."""
    cut = path.rfind("/")
    return path[:cut] if cut > 0 else "/"


def join(directory: str, name: str) -> str:
    """Join a normalised directory and a single component."""
    return directory + name if directory == "/" else f"{directory}/{name}"


def depth(path: str) -> int:
    """Number of components of a normalised path (`/` has none)."""
    return 0 if path == "/" else path.count("/")


class MarkerKind(Enum):
    """What a normalised path means to the layer it appears in."""

    FILE = "file"
    WHITEOUT = "whiteout"
    OPAQUE = "opaque"
    AUFS_META = "aufs-meta"
    INVALID_WHITEOUT = "invalid-whiteout"


class Marker(NamedTuple):
    """A classified path: for whiteouts, `target` is what it deletes or makes opaque."""

    kind: MarkerKind
    target: str


def classify(path: str) -> Marker:
    """Recognise whiteout markers by their base name (OCI image spec layer.md)."""
    if ".wh." not in path:
        return Marker(MarkerKind.FILE, path)
    directory = parent_of(path)
    base = path[path.rfind("/") + 1 :]
    if base == OPAQUE_MARKER:
        return Marker(MarkerKind.OPAQUE, directory)
    # AUFS keeps hard-link and bookkeeping data under `.wh..wh.plnk`, `.wh..wh.aufs`;
    # the spec says these are not whiteouts and must be ignored, contents included.
    if any(part.startswith(AUFS_META_PREFIX) for part in path.split("/")):
        return Marker(MarkerKind.AUFS_META, path)
    if base.startswith(WHITEOUT_PREFIX):
        name = base[len(WHITEOUT_PREFIX) :]
        if name in ("", ".", ".."):
            return Marker(MarkerKind.INVALID_WHITEOUT, path)
        return Marker(MarkerKind.WHITEOUT, join(directory, name))
    return Marker(MarkerKind.FILE, path)
