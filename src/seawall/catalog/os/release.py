"""Which operating system an image holds: os-release and the older release files.

`/etc/os-release`, then `/usr/lib/os-release` (os-release(5): the first one
that exists wins), with the legacy files as fallbacks when neither exists or
when they leave the version out: `/etc/alpine-release`,
`/etc/centos-release`, `/etc/redhat-release`, `/etc/debian_version` (Debian
testing and sid images ship an os-release without VERSION_ID; their
debian_version reads `trixie/sid`). Distroless Debian images have an ordinary
os-release (PRETTY_NAME "Distroless"); what sets them apart, dpkg's
`status.d/`, is the dpkg cataloger's business.
"""

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogFile
from seawall.model.package import Distro

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
ALPINE_RELEASE = "/etc/alpine-release"
CENTOS_RELEASE = "/etc/centos-release"
REDHAT_RELEASE = "/etc/redhat-release"
DEBIAN_VERSION = "/etc/debian_version"
RELEASE_PATHS = frozenset(
    (*OS_RELEASE_PATHS, ALPINE_RELEASE, CENTOS_RELEASE, REDHAT_RELEASE, DEBIAN_VERSION)
)

MAX_RELEASE_BYTES = 64 * 1024
"""Release files are a few hundred bytes; anything past this is not read."""

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# `<name> release <version> (<codename>)`, as redhat-release and its relatives write it.
_REDHAT_LINE = re.compile(r"^(?P<name>.+?)\s+release\s+(?P<version>\d[\w.]*)", re.IGNORECASE)
_REDHAT_IDS = (
    ("red hat enterprise linux", "rhel"),
    ("centos", "centos"),
    ("rocky linux", "rocky"),
    ("almalinux", "almalinux"),
    ("fedora", "fedora"),
    ("oracle linux", "ol"),
    ("scientific linux", "scientific"),
)
_SHELL_ESCAPABLE = frozenset('$"\\`\n')

Lookup = Callable[[str], CatalogFile | None]


def _text(content: bytes) -> str:
    return content[:MAX_RELEASE_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")


def _unquote(raw: str) -> str:
    """A value in shell syntax, as os-release(5) requires: quotes and backslash escapes."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(raw):
        char = raw[index]
        index += 1
        if quote == "'":
            if char == "'":
                quote = None
            else:
                out.append(char)
        elif quote == '"':
            if char == '"':
                quote = None
            elif char == "\\" and index < len(raw) and raw[index] in _SHELL_ESCAPABLE:
                # Inside double quotes only $ " \ ` and newline are escapable (POSIX sh).
                out.append(raw[index])
                index += 1
            else:
                out.append(char)
        elif char in "'\"":
            quote = char
        elif char == "\\" and index < len(raw):
            out.append(raw[index])
            index += 1
        elif char == "#" and (not out or out[-1].isspace()):
            break  # an unquoted `#` after whitespace starts a comment, as in sh
        else:
            out.append(char)
    return "".join(out).strip()


def parse_os_release(content: bytes) -> dict[str, str]:
    """The assignments of an os-release file (os-release(5)); invalid lines are skipped."""
    values: dict[str, str] = {}
    for line in _text(content).splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, raw = stripped.partition("=")
        if not _KEY.fullmatch(key):
            continue
        values[key] = _unquote(raw)
    return values


def _first_line(file: CatalogFile) -> str:
    lines = _text(file.content).strip().splitlines()
    return lines[0].strip() if lines else ""


def _from_os_release(values: dict[str, str], lookup: Lookup) -> Distro:
    # os-release(5): "If not set, a default of ID=linux may be used."
    distro_id = values.get("ID", "").lower() or "linux"
    version_id = values.get("VERSION_ID") or None
    codename = values.get("VERSION_CODENAME") or None
    if distro_id == "debian" and version_id is None:
        debian_version = lookup(DEBIAN_VERSION)
        if debian_version is not None:
            line = _first_line(debian_version)
            if line[:1].isdigit():
                version_id = line
            elif codename is None and "/" in line:
                codename = line.split("/", 1)[0] or None
    return Distro(
        id=distro_id,
        version_id=version_id,
        pretty_name=values.get("PRETTY_NAME") or None,
        version_codename=codename,
        id_like=tuple(values.get("ID_LIKE", "").lower().split()),
        version=values.get("VERSION") or None,
    )


def _from_redhat_release(line: str) -> Distro | None:
    match = _REDHAT_LINE.match(line)
    if not match:
        return None
    name = match.group("name").lower()
    for prefix, distro_id in _REDHAT_IDS:
        if name.startswith(prefix):
            return Distro(id=distro_id, version_id=match.group("version"), pretty_name=line)
    return None


def _from_legacy_files(lookup: Lookup) -> Distro | None:
    alpine = lookup(ALPINE_RELEASE)
    if alpine is not None:
        version = _first_line(alpine)
        return Distro(id="alpine", version_id=version or None)
    for path in (CENTOS_RELEASE, REDHAT_RELEASE):
        file = lookup(path)
        if file is not None:
            found = _from_redhat_release(_first_line(file))
            if found is not None:
                return found
    debian_version = lookup(DEBIAN_VERSION)
    if debian_version is not None:
        line = _first_line(debian_version)
        if line[:1].isdigit():
            return Distro(id="debian", version_id=line)
        codename = line.split("/", 1)[0] if "/" in line else None
        return Distro(id="debian", version_id=None, version_codename=codename or None)
    return None


def detect_distro(lookup: Lookup) -> Distro | None:
    """The distro of a root filesystem, given a way to fetch its release files by path."""
    for path in OS_RELEASE_PATHS:
        file = lookup(path)
        if file is None:
            continue
        values = parse_os_release(file.content)
        if values.get("ID"):
            return _from_os_release(values, lookup)
        legacy = _from_legacy_files(lookup)
        return legacy if legacy is not None else _from_os_release(values, lookup)
    return _from_legacy_files(lookup)


class OsRelease:
    """Collects the release files and says which distro they describe.

    Not a package cataloger: the pipeline runs it first and hands its Distro
    to the OS catalogers in `CatalogContext.distro`.
    """

    NAME: ClassVar[str] = "os/release"
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = MAX_RELEASE_BYTES

    def wants(self, path: str) -> bool:
        return path in RELEASE_PATHS

    def detect(self, files: Sequence[CatalogFile]) -> Distro | None:
        by_path = {file.path: file for file in files}
        return detect_distro(by_path.get)
