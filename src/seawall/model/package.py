"""Packages found in an image or a tree, and the inventory (SBOM) that holds them."""

from dataclasses import dataclass, field
from enum import Enum


class Ecosystem(Enum):
    """Package ecosystems, valued by their OSV ecosystem names (OSV schema, ecosystems list)."""

    DEBIAN = "Debian"
    UBUNTU = "Ubuntu"
    ALPINE = "Alpine"
    WOLFI = "Wolfi"
    CHAINGUARD = "Chainguard"
    RED_HAT = "Red Hat"
    ROCKY = "Rocky Linux"
    ALMA = "AlmaLinux"
    SUSE = "SUSE"
    OPENSUSE = "openSUSE"
    PYPI = "PyPI"
    NPM = "npm"
    GO = "Go"
    MAVEN = "Maven"
    CRATES_IO = "crates.io"
    RUBYGEMS = "RubyGems"
    NUGET = "NuGet"
    PACKAGIST = "Packagist"
    HEX = "Hex"
    PUB = "Pub"
    CONDA = "conda"
    """Not an OSV ecosystem: conda packages are inventoried, not matched."""


DISTRO_ECOSYSTEMS = frozenset(
    {
        Ecosystem.DEBIAN,
        Ecosystem.UBUNTU,
        Ecosystem.ALPINE,
        Ecosystem.WOLFI,
        Ecosystem.CHAINGUARD,
        Ecosystem.RED_HAT,
        Ecosystem.ROCKY,
        Ecosystem.ALMA,
        Ecosystem.SUSE,
        Ecosystem.OPENSUSE,
    }
)

GO_DEVEL_VERSION = "(devel)"
"""The version Go records for a module built from a checkout rather than a tagged
download (`go version -m`): no release, so no advisory range can hold it."""


@dataclass(frozen=True, slots=True)
class Distro:
    """The operating system of an image, from os-release and friends."""

    id: str
    """`ID` from os-release (`debian`, `alpine`, `rhel` …)."""
    version_id: str | None
    """`VERSION_ID` (`12`, `3.20.3`, `9.4`); None for rolling releases."""
    pretty_name: str | None = None
    version_codename: str | None = None
    id_like: tuple[str, ...] = ()
    version: str | None = None
    """`VERSION` (`22.04.4 LTS (Jammy Jellyfish)`): says whether an Ubuntu release is LTS."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where evidence of a package was found: a path, and the layer that wrote it."""

    path: str
    layer: int | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """One package, as a cataloger found it.

    `ecosystem_release` completes the OSV ecosystem for distro packages
    (`Debian` + `12` → `Debian:12`). `source_name`/`source_version` name the
    source package a binary package was built from (dpkg `Source:`, apk
    `origin`, rpm source rpm); distro advisories are written against those.
    """

    name: str
    version: str
    ecosystem: Ecosystem
    purl: str
    cataloger: str
    """NAME of the cataloger that found it (`os/dpkg`, `python/poetry-lock`)."""
    ecosystem_release: str | None = None
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    licenses: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    checksums: tuple[tuple[str, str], ...] = ()
    """(algorithm, hex digest) of the artifact, e.g. ("sha1", …) for a jar."""
    owner: str | None = None
    """For a language package (PyPI, npm, Go …): the purl of the distribution package
    that installed its files (`pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?…` for
    Debian's requests egg-info), from the package manager's file lists. The distro
    tracks and backports fixes under that package, so its advisories, not the
    language ecosystem's, describe this copy. None for anything the distro's package
    manager did not install, and always for distribution packages themselves."""

    @property
    def osv_ecosystem(self) -> str:
        """The ecosystem as OSV records name it: `PyPI`, `Debian:12`, `Alpine:v3.20`."""
        if self.ecosystem_release:
            return f"{self.ecosystem.value}:{self.ecosystem_release}"
        return self.ecosystem.value


@dataclass(frozen=True, slots=True)
class Relationship:
    """`parent` depends on `child`, both given by purl, as a lockfile states it."""

    parent: str
    child: str


@dataclass(frozen=True, slots=True)
class CatalogerStatus:
    """How one cataloger fared: files it read and problems it recorded."""

    name: str
    version: int
    files_read: int = 0
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Inventory:
    """The SBOM: every package, the distro, relationships, and cataloger statuses."""

    packages: tuple[Package, ...] = ()
    distro: Distro | None = None
    relationships: tuple[Relationship, ...] = ()
    statuses: tuple[CatalogerStatus, ...] = field(default=())

    @property
    def partial(self) -> bool:
        """True when any cataloger recorded a problem: the inventory may be incomplete."""
        return any(status.problems for status in self.statuses)
