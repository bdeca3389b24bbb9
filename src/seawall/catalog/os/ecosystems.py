"""The one place that maps a distro to its OSV ecosystem and to purl parts.

Every OS cataloger (dpkg, apk, rpm) asks `os_identity` what the packages it
found belong to: the OSV ecosystem and release (`Debian` + `12` →
`Debian:12`), and the purl namespace and `distro` qualifier.

OSV release names follow the ecosystem definitions of the OSV schema
(ossf/osv-schema `ecosystems.json`):

- Debian: the numeric release of distro-info-data (`12`; `6.0` and older keep
  the minor), or the series name for releases without a number (`sid`).
- Ubuntu: `YY.MM`, with the mandatory `:LTS` suffix for LTS releases
  (`22.04:LTS`). The `Pro:` variants (ESM) are the matcher's business.
- Alpine: `v` + major.minor (`v3.20`).
- Rocky Linux, AlmaLinux: the major version (`9`).
- Red Hat: the OSV suffix is a CPE without `cpe:/[oa]:redhat:` and names a
  product stream and repository (`enterprise_linux:9::baseos`,
  `enterprise_linux:9::appstream`). An rpm database does not say which
  repository a package came from, so the release is the CPE *prefix*
  `enterprise_linux:9`; the matcher matches it against every stream of that
  product (`enterprise_linux:9::*`).
- SUSE, openSUSE: the os-release `PRETTY_NAME` (`SUSE Linux Enterprise Server
  15 SP5`, `openSUSE Leap 15.5`).
- Wolfi, Chainguard: no release.

A distro seawall cannot place in an OSV release (an unknown derivative, or no
os-release at all) keeps the packaging format's default ecosystem with
release None: the packages are inventoried, and the matcher does not match
them by release.
"""

import re
from dataclasses import dataclass
from typing import Literal

from seawall.catalog.purls import spell_purl
from seawall.model.package import Distro, Ecosystem

PackageFormat = Literal["deb", "apk", "rpm"]
"""The purl type of an OS package format."""


@dataclass(frozen=True, slots=True)
class OsIdentity:
    """What packages of one format on one distro are: OSV ecosystem and purl parts."""

    ecosystem: Ecosystem
    release: str | None
    """Completes the OSV ecosystem (`Debian` + `12`); None when unknown."""
    purl_namespace: str
    """The purl vendor (`debian`, `alpine`, `redhat`), lowercased per the purl spec."""
    purl_distro: str | None
    """The `distro` qualifier (`debian-12`, `alpine-3.20.3`, `rhel-9.4`)."""


# Debian codenames → numeric release, from distro-info-data's debian.csv
# (the names OSV uses for `Debian:<RELEASE>`). Testing images carry the
# codename of the next release and no VERSION_ID.
_DEBIAN_CODENAMES = {
    "woody": "3.0",
    "sarge": "3.1",
    "etch": "4.0",
    "lenny": "5.0",
    "squeeze": "6.0",
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
    "duke": "15",
    "sid": "sid",
}

_DEFAULT_ECOSYSTEM: dict[PackageFormat, tuple[Ecosystem, str]] = {
    "deb": (Ecosystem.DEBIAN, "debian"),
    "apk": (Ecosystem.ALPINE, "alpine"),
    "rpm": (Ecosystem.RED_HAT, "redhat"),
}

# purl namespaces that differ from the os-release ID: the purl rpm type names
# the vendor ("redhat", "opensuse"), not the os-release ID (syft PR #2914
# settled on `redhat` for RHEL for the same reason).
_NAMESPACE_BY_ID = {
    "rhel": "redhat",
    "sles": "suse",
    "sles_sap": "suse",
    "sled": "suse",
    "sle-micro": "suse",
    "sl-micro": "suse",
    "opensuse": "opensuse",
    "opensuse-leap": "opensuse",
    "opensuse-tumbleweed": "opensuse",
    "opensuse-microos": "opensuse",
}

_LEADING_NUMBER = re.compile(r"^(\d+)(?:\.(\d+))?")


def debian_release(version_id: str | None, codename: str | None) -> str | None:
    """The OSV `Debian:<RELEASE>` name from a version (`12`, `12.5`, `6.0.10`) or a codename."""
    if version_id:
        match = _LEADING_NUMBER.match(version_id)
        if match:
            major = int(match.group(1))
            # distro-info-data numbers Debian 7 and later by the major only.
            if major >= 7:
                return str(major)
            return f"{major}.{match.group(2) or '0'}"
    if codename:
        return _DEBIAN_CODENAMES.get(codename.strip().lower())
    return None


def _ubuntu_release(distro: Distro) -> str | None:
    match = re.match(r"^(\d+\.\d+)", distro.version_id or "")
    if not match:
        return None
    release = match.group(1)
    if distro.version is not None:
        lts = "LTS" in distro.version.split()
    else:
        # Without VERSION, Ubuntu's rule: LTS releases are the April ones of even years.
        year, month = release.split(".")
        lts = int(year) % 2 == 0 and month == "04"
    return f"{release}:LTS" if lts else release


def _major(version_id: str | None) -> str | None:
    match = _LEADING_NUMBER.match(version_id or "")
    return match.group(1) if match else None


def _alpine_release(version_id: str | None) -> str | None:
    match = _LEADING_NUMBER.match(version_id or "")
    if not match or match.group(2) is None:
        return None
    return f"v{match.group(1)}.{match.group(2)}"


def _ecosystem(distro: Distro) -> tuple[Ecosystem, str | None] | None:
    """The OSV ecosystem and release of a distro, or None when OSV has none for it."""
    distro_id = distro.id.lower()
    like = {item.lower() for item in distro.id_like}
    if distro_id == "debian":
        return Ecosystem.DEBIAN, debian_release(distro.version_id, distro.version_codename)
    if distro_id == "ubuntu":
        return Ecosystem.UBUNTU, _ubuntu_release(distro)
    if distro_id == "alpine":
        return Ecosystem.ALPINE, _alpine_release(distro.version_id)
    if distro_id == "wolfi":
        return Ecosystem.WOLFI, None
    if distro_id == "chainguard":
        return Ecosystem.CHAINGUARD, None
    if distro_id == "rocky":
        return Ecosystem.ROCKY, _major(distro.version_id)
    if distro_id == "almalinux":
        return Ecosystem.ALMA, _major(distro.version_id)
    if distro_id == "rhel":
        major = _major(distro.version_id)
        return Ecosystem.RED_HAT, f"enterprise_linux:{major}" if major else None
    if distro_id.startswith("opensuse"):
        return Ecosystem.OPENSUSE, distro.pretty_name
    if _NAMESPACE_BY_ID.get(distro_id) == "suse" or "suse" in like:
        return Ecosystem.SUSE, distro.pretty_name
    return None


def os_identity(distro: Distro | None, package_format: PackageFormat) -> OsIdentity:
    """The ecosystem, release and purl parts of `package_format` packages on `distro`."""
    default_ecosystem, default_namespace = _DEFAULT_ECOSYSTEM[package_format]
    if distro is None:
        return OsIdentity(default_ecosystem, None, default_namespace, None)
    found = _ecosystem(distro)
    ecosystem, release = found if found is not None else (default_ecosystem, None)
    distro_id = distro.id.lower()
    namespace = _NAMESPACE_BY_ID.get(distro_id, distro_id) or default_namespace
    qualifier = f"{distro_id}-{distro.version_id}" if distro.version_id else distro_id
    return OsIdentity(ecosystem, release, namespace, qualifier or None)


def os_purl(
    identity: OsIdentity,
    package_format: PackageFormat,
    name: str,
    version: str,
    arch: str | None,
    epoch: int | None = None,
) -> str:
    """A purl per the purl-spec type definitions for deb, apk and rpm.

    deb and apk names are case-insensitive and lowercased; rpm names are case
    sensitive. The rpm version is `version-release`, the epoch a qualifier.
    PurlError when the fields spell none (an empty or unencodable name).
    """
    qualifiers: dict[str, str] = {}
    if arch:
        qualifiers["arch"] = arch
    if epoch is not None:
        qualifiers["epoch"] = str(epoch)
    if identity.purl_distro:
        qualifiers["distro"] = identity.purl_distro
    purl_name = name if package_format == "rpm" else name.lower()
    return spell_purl(
        package_format,
        purl_name,
        version,
        namespace=identity.purl_namespace.lower(),
        qualifiers=qualifiers,
    )
