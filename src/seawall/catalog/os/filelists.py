"""The file lists of installed distribution packages: which package put a path on disk.

dpkg keeps two lists per installed package (dpkg(1), "Files"):

- `/var/lib/dpkg/info/<package>.list`, or `<package>:<arch>.list` for a
  `Multi-Arch: same` package: one absolute path a line, directories
  included, starting with `/.`;
- `/var/lib/dpkg/info/<package>[:<arch>].md5sums`, the package's
  `DEBIAN/md5sums` (deb-md5sums(5)): `<md5>  <path>` lines, 32 hex digits,
  two spaces and a path relative to the root, for the regular files only
  (no directories, no conffiles). The `.list` says more, so the md5sums
  count only where the `.list` is missing.

Distroless images (GoogleContainerTools/distroless, PACKAGE_METADATA.md)
have neither: each package's control stanza is `/var/lib/dpkg/status.d/<name>`
and its md5sums `/var/lib/dpkg/status.d/<name>.md5sums`, the same format.

Paths are normalised as dpkg's file database does (lib/dpkg/db-fsys-files.c,
`fsys_hash_find_node`: leading `/` and `./` skipped, one `/` added; a
trailing `/` of an md5sums entry dropped), and empty or `.` components are
removed so that the path compares equal to the file views' names. A path
with a `..` component names nothing a package can have unpacked: it is
malformed, never resolved above the root.

Dependency-free on purpose: the catalogers' registry names these files in its
path hints, and the pipeline filters their lines while it reads a layer.

apk's file lists are lines of its installed database (apk.py), and rpm's are
arrays in each package's header inside its database (rpmheader.py): those
databases are single files, kept whole, so nothing here applies to them.
"""

import re
from collections.abc import Iterator

DPKG_INFO = "/var/lib/dpkg/info/"
DPKG_STATUS_D = "/var/lib/dpkg/status.d/"
LIST_SUFFIX = ".list"
MD5SUMS_SUFFIX = ".md5sums"
_MD5SUMS_LINE = re.compile(r"[0-9A-Fa-f]{32}  (.+)", re.DOTALL)
"""deb-md5sums(5): the digest, two spaces, the path (dpkg's `parse_filehash_buffer`
requires exactly this separator)."""


def _stem(path: str, directory: str, suffix: str) -> str | None:
    """`<stem>` of `<directory><stem><suffix>`, None when `path` is not one."""
    if not path.startswith(directory) or not path.endswith(suffix):
        return None
    stem = path[len(directory) : -len(suffix)]
    if not stem or "/" in stem:
        return None
    return stem


def _info_stem(path: str) -> str | None:
    """`<package>[:<arch>]` of a `.list` or `.md5sums` file under `info/`."""
    suffix = LIST_SUFFIX if path.endswith(LIST_SUFFIX) else MD5SUMS_SUFFIX
    stem = _stem(path, DPKG_INFO, suffix)
    return None if stem is None or stem.startswith(":") else stem


def is_dpkg_file_list(path: str) -> bool:
    """True for `info/<package>[:<arch>].list`, `info/<package>[:<arch>].md5sums` and
    distroless `status.d/<name>.md5sums`: every file naming a package's paths."""
    if path.startswith(DPKG_INFO):
        return _info_stem(path) is not None
    return _stem(path, DPKG_STATUS_D, MD5SUMS_SUFFIX) is not None


def is_status_d_md5sums(path: str) -> bool:
    """True for distroless `status.d/<name>.md5sums`."""
    return _stem(path, DPKG_STATUS_D, MD5SUMS_SUFFIX) is not None


def status_d_stanza_file(path: str) -> str:
    """The control file `status.d/<name>` a `status.d/<name>.md5sums` belongs to."""
    return path[: -len(MD5SUMS_SUFFIX)]


def dpkg_list_package(path: str) -> tuple[str, str | None]:
    """(package, architecture or None) an `info/` list or md5sums file belongs to, from its
    name; for `status.d/<name>.md5sums`, (`<name>`, None)."""
    if path.startswith(DPKG_STATUS_D):
        return path[len(DPKG_STATUS_D) : -len(MD5SUMS_SUFFIX)], None
    stem = _info_stem(path) or ""
    name, _, arch = stem.partition(":")
    return name, arch or None


def superseding_list(path: str) -> str | None:
    """For `info/<package>.md5sums`, the `info/<package>.list` that makes it redundant."""
    if not path.endswith(MD5SUMS_SUFFIX) or not path.startswith(DPKG_INFO):
        return None
    return path[: -len(MD5SUMS_SUFFIX)] + LIST_SUFFIX


def normal_path(path: str) -> str | None:
    """`path` as an absolute path without empty or `.` components (a leading `/` and
    `./` skipped as dpkg does); None when a component is `..`."""
    if path.startswith("/") and "/." not in path and "//" not in path and path[-1] != "/":
        return path  # nearly every line: already normal (`/.` also catches `/..`)
    parts = [part for part in path.split("/") if part and part != "."]
    if ".." in parts:
        return None
    return "/" + "/".join(parts)


def list_lines(content: bytes) -> list[str]:
    """The non-empty lines of a file list, decoded as the file views decode tar names."""
    # surrogateescape: a name that is not UTF-8 still compares equal to the
    # same bytes read from a tar member.
    text = content.decode("utf-8", "surrogateescape")
    return [line for line in text.split("\n") if line]


def list_entries(path: str, content: bytes) -> Iterator[tuple[str, str | None]]:
    """(line, the absolute path it names or None when malformed) for each non-empty
    line of the file list or md5sums file at `path` (`is_dpkg_file_list`)."""
    if path.endswith(LIST_SUFFIX):
        for line in list_lines(content):
            # dpkg writes every `.list` line absolute; anything else is not its.
            yield line, normal_path(line) if line[0] == "/" else None
        return
    match = _MD5SUMS_LINE.fullmatch
    for line in list_lines(content):
        found = match(line)
        if found is None:
            yield line, None
            continue
        listed = normal_path("/" + found.group(1))
        yield line, None if listed == "/" else listed


def shown(value: str, limit: int = 80) -> str:
    """A value as a problem quotes it: its repr, cut after `limit` characters."""
    if len(value) > limit:
        return repr(value[:limit]) + "…"
    return repr(value)


def malformed_reason(path: str, line: str) -> str:
    """Why `list_entries` gave no path for `line` of the file at `path`."""
    if path.endswith(LIST_SUFFIX):
        if line[0] != "/":
            return "is not an absolute path"
        return "has a '..' component"
    found = _MD5SUMS_LINE.fullmatch(line)
    if found is None:
        return "is not '<md5>  <path>'"
    if normal_path("/" + found.group(1)) is None:
        return "has a '..' component"
    return "names no file"
