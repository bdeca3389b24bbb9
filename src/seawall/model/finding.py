"""Findings: the closed set of things seawall reports (DESIGN.md §4).

Each finding carries a fingerprint derived from what it is, never from when
it was seen, so the same finding in a later scan has the same fingerprint.
"""

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from seawall.model.package import Package

if TYPE_CHECKING:
    # Types only: a secret or misconfiguration scan has no advisories, and the
    # advisory model is a dozen dataclasses to build at import.
    from seawall.model.advisory import EpssScore, KevEntry


class Severity(Enum):
    """Normalised severity, ordered by `rank`."""

    UNKNOWN = "unknown"
    NEGLIGIBLE = "negligible"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """A severity from its name, any case (`HIGH`, `Moderate` = medium, `important` = high)."""
        value = text.strip().lower()
        return _ALIASES.get(value) or cls(value)

    @classmethod
    def checked(cls, text: str) -> str:
        """`text` unchanged when it names a severity; ValueError listing the names otherwise."""
        try:
            cls.parse(text)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of {names})") from None
        return text


_RANKS = {severity: rank for rank, severity in enumerate(Severity)}
_ALIASES = {
    "moderate": Severity.MEDIUM,
    "important": Severity.HIGH,
    "none": Severity.NEGLIGIBLE,
    "informational": Severity.NEGLIGIBLE,
}


@dataclass(frozen=True, slots=True)
class CvssScore:
    """A CVSS vector with its base score, computed by a maintained library."""

    version: str
    """`2.0`, `3.0`, `3.1` or `4.0`."""
    vector: str
    base_score: float
    severity: Severity
    source: str
    """The record (or feed) that gave the vector."""


@dataclass(frozen=True, slots=True)
class SeverityLabel:
    """A severity as a database wrote it in words, not as a CVSS vector.

    GHSA's `database_specific.severity` (`HIGH`), an OSV `Ubuntu` priority
    (`medium`): kept as written beside the normalised `Severity`.
    """

    source: str
    """The record that gave it."""
    scheme: str
    """Where the record wrote it: `database_specific.severity`, `Ubuntu` …"""
    label: str


@dataclass(frozen=True, slots=True)
class MatchReason:
    """Why a package matched an advisory: which record, which range, which comparison."""

    record: str
    ecosystem: str
    package: str
    range: str
    """The range as written, e.g. `ECOSYSTEM: introduced 0, fixed 3.0.15-1~deb12u1`."""
    decision: str
    """The comparison that decided, e.g. `3.0.11-1 < 3.0.15-1~deb12u1 (dpkg)`."""


@dataclass(frozen=True, slots=True)
class VulnerabilityFinding:
    """One vulnerability in one package, every alias merged into it."""

    id: str
    """The preferred id (a CVE when there is one)."""
    aliases: tuple[str, ...]
    """Every id of the vulnerability, `id` included (CVE, GHSA, PYSEC, DSA …)."""
    package: Package
    fixed_versions: tuple[str, ...]
    """Versions that fix it in this package's ecosystem; empty means no fix yet."""
    severity: Severity
    cvss: tuple[CvssScore, ...]
    summary: str | None
    references: tuple[str, ...]
    reasons: tuple[MatchReason, ...]
    fingerprint: str
    published: str | None = None
    modified: str | None = None
    kev: "KevEntry | None" = None
    epss: "EpssScore | None" = None
    severity_labels: tuple[SeverityLabel, ...] = ()
    """Severities the records wrote in words, kept as written (docs/severity.md)."""
    related: tuple[str, ...] = ()
    """Ids the records name as related but not the same vulnerability (OSV `related`),
    e.g. the DSA that bundles this CVE's fix with others."""

    @property
    def fixable(self) -> bool:
        return bool(self.fixed_versions)

    @property
    def layer(self) -> int | None:
        """The layer that introduced the vulnerable package."""
        return self.package.locations[0].layer if self.package.locations else None


class SecretSource(Enum):
    """Where a secret was found."""

    FILE = "file"
    """A file of a layer or of a directory tree."""
    CONFIG = "config"
    """The image config: Env, Labels, Cmd, Entrypoint."""
    HISTORY = "history"
    """An image history `created_by` line (build args, inline RUN commands)."""
    GIT = "git"
    """A blob in a git repository's history."""


@dataclass(frozen=True, slots=True)
class SecretLocation:
    """Exactly where a secret sits, and for deleted files which layer removed it."""

    source: SecretSource
    path: str | None = None
    line: int | None = None
    layer: int | None = None
    """The layer that added the file."""
    removed_in: int | None = None
    """The layer that deleted or overwrote the file; the secret is still extractable."""
    field: str | None = None
    """Config field, e.g. `Env[2]` or `Labels.api-key`."""
    history_index: int | None = None
    commit: str | None = None
    """For git: the first commit that introduced it."""


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """A leaked credential. The value itself is never kept: only a redacted preview."""

    rule_id: str
    title: str
    severity: Severity
    location: SecretLocation
    preview: str
    """First 4 characters, length and SHA-256 prefix: `AKIA… (20 chars, sha256:1f2e3d4c)`."""
    fingerprint: str

    @property
    def still_extractable(self) -> bool:
        """True when a later layer deleted the file: whoever pulls the image can still read it."""
        return self.location.removed_in is not None


@dataclass(frozen=True, slots=True)
class MisconfigFinding:
    """A failed configuration check on an image, a Dockerfile or a Kubernetes object."""

    check_id: str
    title: str
    severity: Severity
    message: str
    """What is wrong here, specifically (names the instruction, field or file)."""
    target: str
    """What was checked: `image config`, a file path, or `Deployment/web` in a file."""
    remediation: str
    fingerprint: str
    path: str | None = None
    line: int | None = None
    layer: int | None = None
    controls: tuple[str, ...] = ()
    """Compliance controls the check maps to, e.g. `cis-docker:4.1`, `pci-dss:6.3.3`."""
