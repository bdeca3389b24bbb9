"""What a purl says about a package in a third-party SBOM: ecosystem, release, name, arch, source.

Types follow the purl specification's type definitions (package-url/purl-spec
PURL-TYPES). OS package types carry the distro in the `distro` qualifier
(`debian-12`, `ubuntu-22.04`, `alpine-3.20.3`, `rhel-9.4`), from which the
OSV release is computed with the rules of `seawall.catalog.os.ecosystems`
(this stage may not import that one; the tests check that both agree).
Source packages: syft writes `upstream=name` or `upstream=name@version` on deb
and apk purls, and `upstream=<source rpm file>` on rpm purls.
"""

import re
from dataclasses import dataclass

from packageurl import PackageURL

from seawall.model.package import Ecosystem

_LANGUAGE_TYPES = {
    "pypi": Ecosystem.PYPI,
    "npm": Ecosystem.NPM,
    "golang": Ecosystem.GO,
    "maven": Ecosystem.MAVEN,
    "cargo": Ecosystem.CRATES_IO,
    "gem": Ecosystem.RUBYGEMS,
    "nuget": Ecosystem.NUGET,
    "composer": Ecosystem.PACKAGIST,
    "hex": Ecosystem.HEX,
    "pub": Ecosystem.PUB,
    "conda": Ecosystem.CONDA,
}
# (purl type, namespace) → ecosystem; other namespaces keep the type's default.
_OS_NAMESPACES = {
    ("deb", "debian"): Ecosystem.DEBIAN,
    ("deb", "ubuntu"): Ecosystem.UBUNTU,
    ("apk", "alpine"): Ecosystem.ALPINE,
    ("apk", "wolfi"): Ecosystem.WOLFI,
    ("apk", "chainguard"): Ecosystem.CHAINGUARD,
    ("rpm", "redhat"): Ecosystem.RED_HAT,
    ("rpm", "rocky"): Ecosystem.ROCKY,
    ("rpm", "almalinux"): Ecosystem.ALMA,
    ("rpm", "suse"): Ecosystem.SUSE,
    ("rpm", "opensuse"): Ecosystem.OPENSUSE,
}
_OS_DEFAULTS = {"deb": Ecosystem.DEBIAN, "apk": Ecosystem.ALPINE, "rpm": Ecosystem.RED_HAT}
# Namespaced names are written the way the ecosystem writes them.
_NAME_JOINERS = {"maven": ":", "npm": "/", "golang": "/", "composer": "/"}
_DISTRO = re.compile(r"^(?P<id>.+?)-(?P<version>\d[^-]*)$")
_NUMBER = re.compile(r"^(\d+)(?:\.(\d+))?")
_SOURCE_RPM = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-(?P<release>[^-]+)\.src\.rpm$")


@dataclass(frozen=True, slots=True)
class PurlFacts:
    """The package facts a purl carries."""

    ecosystem: Ecosystem
    name: str
    version: str | None
    release: str | None
    arch: str | None
    source_name: str | None
    source_version: str | None
    distro: tuple[str, str | None] | None
    """(os-release ID, VERSION_ID) from the `distro` qualifier."""


def split_distro(qualifier: str) -> tuple[str, str | None]:
    """`debian-12` → (`debian`, `12`); `opensuse-leap-15.5` → (`opensuse-leap`, `15.5`)."""
    match = _DISTRO.match(qualifier)
    if match is None:
        return qualifier, None
    return match.group("id"), match.group("version")


def osv_release(ecosystem: Ecosystem, version_id: str | None) -> str | None:
    """The OSV release of a distro version (`Debian` + `12.5` → `12`), None when unknown."""
    match = _NUMBER.match(version_id or "")
    if match is None:
        return None
    major, minor = match.group(1), match.group(2)
    if ecosystem is Ecosystem.DEBIAN:
        return major if int(major) >= 7 else f"{major}.{minor or '0'}"
    if ecosystem is Ecosystem.UBUNTU:
        if minor is None:
            return None
        # Without os-release's VERSION: LTS releases are the April ones of even years.
        lts = int(major) % 2 == 0 and minor == "04"
        return f"{major}.{minor}:LTS" if lts else f"{major}.{minor}"
    if ecosystem is Ecosystem.ALPINE:
        return None if minor is None else f"v{major}.{minor}"
    if ecosystem in (Ecosystem.ROCKY, Ecosystem.ALMA):
        return major
    if ecosystem is Ecosystem.RED_HAT:
        return f"enterprise_linux:{major}"
    return None


def _source(kind: str, upstream: str | None) -> tuple[str | None, str | None]:
    if not upstream:
        return None, None
    if kind == "rpm":
        match = _SOURCE_RPM.match(upstream)
        if match is None:
            return None, None
        return match.group("name"), f"{match.group('version')}-{match.group('release')}"
    name, _, version = upstream.partition("@")
    return name or None, version or None


def purl_facts(purl: str) -> PurlFacts | None:
    """What `purl` says, or None when it is not a purl or names no ecosystem seawall knows."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    kind = parsed.type
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    namespace = parsed.namespace or ""
    if kind in _LANGUAGE_TYPES:
        ecosystem = _LANGUAGE_TYPES[kind]
    elif kind in _OS_DEFAULTS:
        ecosystem = _OS_NAMESPACES.get((kind, namespace.lower()), _OS_DEFAULTS[kind])
    else:
        return None
    joiner = _NAME_JOINERS.get(kind)
    name = f"{namespace}{joiner}{parsed.name}" if namespace and joiner else parsed.name
    version = parsed.version
    release = None
    distro = None
    source_name = source_version = None
    if kind in _OS_DEFAULTS:
        if version and kind == "rpm" and qualifiers.get("epoch"):
            version = f"{qualifiers['epoch']}:{version}"
        distro_qualifier = qualifiers.get("distro")
        if distro_qualifier:
            distro = split_distro(distro_qualifier)
            release = osv_release(ecosystem, distro[1])
        source_name, source_version = _source(kind, qualifiers.get("upstream"))
    return PurlFacts(
        ecosystem=ecosystem,
        name=name,
        version=version,
        release=release,
        arch=qualifiers.get("arch") if kind in _OS_DEFAULTS else None,
        source_name=source_name,
        source_version=source_version,
        distro=distro,
    )
