"""TARGET strings (DESIGN.md §1) parsed into a value saying what to open.

Forms: `docker-archive:PATH[:NAME:TAG|:@N]`, `oci-dir:PATH[:TAG]`,
`oci-archive:PATH[:TAG]`, `registry:REF` (also skopeo's `docker://REF`),
`dir:PATH`, `sbom:PATH` (CycloneDX or SPDX JSON); a bare path is detected by
what it holds (a JSON file is an SBOM), and a bare image
reference means a registry. A PATH may itself hold colons: the longest
prefix that exists on disk is the path, the rest is the selector.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from seawall.limits import Limits
from seawall.model.image import SourceKind
from seawall.source.archive import TarArchive
from seawall.source.errors import TargetError, shown
from seawall.source.names import normalize_name

_PREFIXES: dict[str, SourceKind] = {
    "docker-archive:": SourceKind.DOCKER_ARCHIVE,
    "oci-dir:": SourceKind.OCI_DIR,
    "oci-archive:": SourceKind.OCI_ARCHIVE,
    "registry:": SourceKind.REGISTRY,
    "docker://": SourceKind.REGISTRY,
    "dir:": SourceKind.DIRECTORY,
    "sbom:": SourceKind.SBOM,
}


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed TARGET: what kind of source, and where."""

    kind: SourceKind
    text: str
    """The TARGET as the user wrote it."""
    path: Path | None = None
    selector: str | None = None
    """docker-archive `NAME:TAG` or `@N`; oci-dir/oci-archive `TAG`."""
    reference: str | None = None
    """Registry image reference, as written."""


def _split_path(rest: str, exists: Callable[[Path], bool]) -> tuple[Path, str | None]:
    """`PATH[:SELECTOR]` where PATH is the longest prefix that exists."""
    if exists(Path(rest)):
        return Path(rest), None
    cut = len(rest)
    while (cut := rest.rfind(":", 0, cut)) > 0:
        if exists(Path(rest[:cut])):
            return Path(rest[:cut]), rest[cut + 1 :] or None
    head, _, tail = rest.partition(":")
    return Path(head), tail or None


def _detect_path(text: str, path: Path, limits: Limits) -> Target:
    if path.is_dir():
        if (path / "oci-layout").is_file():
            return Target(SourceKind.OCI_DIR, text, path=path)
        return Target(SourceKind.DIRECTORY, text, path=path)
    if not path.is_file():
        # Sniffing a pipe or a device would block, or eat what the reader needs.
        raise TargetError(
            f"{text}: not a regular file or a directory (an SBOM read from a pipe: sbom:PATH)"
        )
    if _looks_like_json(path):
        return Target(SourceKind.SBOM, text, path=path)
    archive = TarArchive.open(path, limits=limits, what=str(path))
    if archive.has("manifest.json"):
        return Target(SourceKind.DOCKER_ARCHIVE, text, path=path)
    if archive.has("oci-layout"):
        return Target(SourceKind.OCI_ARCHIVE, text, path=path)
    raise TargetError(
        f"{text}: a tar that is neither a docker-archive (manifest.json) nor an OCI layout "
        "(oci-layout); name its kind with a prefix such as docker-archive:"
    )


def _looks_like_json(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip()[:1] == b"{"


def parse_target(text: str, *, limits: Limits | None = None) -> Target:
    """What `text` names; `TargetError` when it names nothing seawall can open."""
    if not text.strip():
        raise TargetError("empty TARGET; give an image reference, a path, or e.g. oci-dir:PATH")
    try:
        return _parsed(text, limits or Limits())
    except OSError as error:
        # A name the file system refuses to look up (too long, a component not a
        # directory it can search) names nothing seawall can open.
        shown_text = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
        raise TargetError(
            f"{shown(shown_text)}: cannot be looked up ({error.strerror or error})"
        ) from None


_SHOWN = 200
"""Characters of a TARGET an error message shows."""


def _parsed(text: str, limits: Limits) -> Target:
    for prefix, kind in _PREFIXES.items():
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        if not rest:
            raise TargetError(f"{text}: nothing after {prefix!r}")
        if kind is SourceKind.REGISTRY:
            _refuse_credentials(rest)
            return Target(kind, text, reference=rest)
        if kind in (SourceKind.DIRECTORY, SourceKind.SBOM):
            return Target(kind, text, path=Path(rest))
        exists = Path.is_dir if kind is SourceKind.OCI_DIR else Path.is_file
        path, selector = _split_path(rest, exists)
        if not exists(path):
            noun = "directory" if kind is SourceKind.OCI_DIR else "file"
            raise TargetError(f"{text}: no such {noun} {str(path)!r}")
        return Target(kind, text, path=path, selector=selector)
    path = Path(text)
    if path.exists():
        return _detect_path(text, path, limits)
    if text.startswith(("/", "./", "../", "~")) or text.endswith((".tar", ".tar.gz")):
        raise TargetError(f"{text}: no such file or directory")
    _refuse_credentials(text)
    if normalize_name(text) is None:
        raise TargetError(
            f"{text}: neither an existing path nor an image reference; see TARGET forms in "
            "`seawall inspect --help`"
        )
    return Target(SourceKind.REGISTRY, text, reference=text)


_USERINFO = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/@:\s]+:(?P<secret>[^/@\s]+)@(?P<after>.*)", re.DOTALL
)
"""`[scheme://]user:password@…`: a password typed into an image reference."""
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
"""What follows `@` in `name:tag@sha256:…`, which is not a password."""


def _refuse_credentials(reference: str) -> None:
    """TargetError, with the password masked, for a reference that holds one: every later
    message would repeat it, and a registry is never sent one this way."""
    found = _USERINFO.fullmatch(reference)
    if found is None or _DIGEST.fullmatch(found.group("after")):
        return
    masked = f"{reference[: found.start('secret')]}***{reference[found.end('secret') :]}"
    raise TargetError(
        f"{shown(masked)}: the image reference holds a password; give registry credentials "
        "with SEAWALL_REGISTRY_USERNAME / SEAWALL_REGISTRY_PASSWORD or ~/.docker/config.json"
    )
