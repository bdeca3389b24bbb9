"""Which comparator each ecosystem uses: the one explicit table of version schemes.

An OSV ecosystem name may carry a release after a colon (`Debian:12`,
`Alpine:v3.20`, `Red Hat:enterprise_linux:9::appstream`); only the part
before the first colon chooses the scheme, since every release of a
distribution orders versions the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from seawall.model.package import Ecosystem
from seawall.versions import (
    apk,
    composer,
    dpkg,
    golang,
    maven,
    npm,
    nuget,
    pep440,
    pub,
    rpm,
    rubygems,
    semver,
)
from seawall.versions.errors import UnsupportedEcosystemError


class VersionKey(Protocol):
    """A parsed version: keys of one scheme order as the ecosystem orders versions."""

    def __lt__(self, other: Any, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class Scheme:
    """A version scheme: its name and the function turning a version into its sort key."""

    name: str
    parse: Callable[[str], VersionKey]
    """Raises InvalidVersionError (naming the scheme's reference ecosystem)."""


DPKG = Scheme("dpkg", dpkg.parse)
RPM = Scheme("rpm", rpm.parse)
APK = Scheme("apk", apk.parse)
PEP440 = Scheme("pep440", pep440.parse)
NPM = Scheme("npm-semver", npm.parse)
GO = Scheme("go-semver", golang.parse)
MAVEN = Scheme("maven", maven.parse)
RUBYGEMS = Scheme("rubygems", rubygems.parse)
CARGO = Scheme("cargo-semver", semver.parse_cargo)
HEX = Scheme("hex-semver", semver.parse_hex)
NUGET = Scheme("nuget", nuget.parse)
COMPOSER = Scheme("composer", composer.parse)
PUB = Scheme("pub-semver", pub.parse)

SCHEMES: dict[Ecosystem, Scheme] = {
    Ecosystem.DEBIAN: DPKG,
    Ecosystem.UBUNTU: DPKG,
    Ecosystem.ALPINE: APK,
    Ecosystem.WOLFI: APK,
    Ecosystem.CHAINGUARD: APK,
    Ecosystem.RED_HAT: RPM,
    Ecosystem.ROCKY: RPM,
    Ecosystem.ALMA: RPM,
    Ecosystem.SUSE: RPM,
    Ecosystem.OPENSUSE: RPM,
    Ecosystem.PYPI: PEP440,
    Ecosystem.NPM: NPM,
    Ecosystem.GO: GO,
    Ecosystem.MAVEN: MAVEN,
    Ecosystem.CRATES_IO: CARGO,
    Ecosystem.RUBYGEMS: RUBYGEMS,
    Ecosystem.NUGET: NUGET,
    Ecosystem.PACKAGIST: COMPOSER,
    Ecosystem.HEX: HEX,
    Ecosystem.PUB: PUB,
}
"""Every ecosystem with a comparator. Ecosystem.CONDA has none: conda packages are not matched."""


@lru_cache(maxsize=256)
def _by_name(name: str) -> Ecosystem:
    base = name.partition(":")[0]
    try:
        return Ecosystem(base)
    except ValueError:
        raise UnsupportedEcosystemError(name) from None


def ecosystem_of(ecosystem: "str | Ecosystem") -> Ecosystem:
    """The Ecosystem of an OSV ecosystem name, release suffix ignored."""
    if isinstance(ecosystem, Ecosystem):
        return ecosystem
    return _by_name(ecosystem)


def scheme_for(ecosystem: "str | Ecosystem") -> Scheme:
    """The version scheme of an ecosystem; UnsupportedEcosystemError if it has none."""
    resolved = ecosystem_of(ecosystem)
    try:
        return SCHEMES[resolved]
    except KeyError:
        raise UnsupportedEcosystemError(resolved.value) from None
