"""Advisories as the vulnerability store hands them to the matcher (the OSV schema's shape).

Field names follow the OSV schema (ossf.github.io/osv-schema). The store
parses records once, at import; the matcher never sees raw JSON.
`database_specific` and `ecosystem_specific` stay as parsed JSON because a
few of their keys change what a range means.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol


class RangeType(Enum):
    """How a range's event versions are ordered (OSV `affected[].ranges[].type`)."""

    SEMVER = "SEMVER"
    ECOSYSTEM = "ECOSYSTEM"
    GIT = "GIT"


class EventKind(Enum):
    """OSV range event keys."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class RangeEvent:
    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True)
class AffectedRange:
    type: RangeType
    events: tuple[RangeEvent, ...]
    repo: str | None = None
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeverityScore:
    """An OSV `severity` entry: `type` CVSS_V2/CVSS_V3/CVSS_V4/Ubuntu, `score` a vector or label."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    """One `affected[]` entry: a package in one ecosystem, its ranges and listed versions."""

    ecosystem: str
    """As written in the record, release included (`Debian:12`, `PyPI`)."""
    name: str
    purl: str | None = None
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[SeverityScore, ...] = ()
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reference:
    type: str
    url: str


@dataclass(frozen=True, slots=True)
class Advisory:
    """One OSV record."""

    id: str
    modified: str
    published: str | None = None
    withdrawn: str | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str | None = None
    details: str | None = None
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    references: tuple[Reference, ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CISA Known Exploited Vulnerabilities catalogue entry."""

    cve: str
    vendor: str | None = None
    product: str | None = None
    name: str | None = None
    date_added: str | None = None
    due_date: str | None = None
    required_action: str | None = None
    known_ransomware_use: str | None = None


@dataclass(frozen=True, slots=True)
class EpssScore:
    """FIRST's Exploit Prediction Scoring System: probability of exploitation in 30 days."""

    cve: str
    score: float
    percentile: float
    date: str | None = None


class AdvisoryStore(Protocol):
    """What the matcher asks of the vulnerability store."""

    def advisories(self, ecosystem: str, name: str) -> Sequence[Advisory]:
        """Every record with an `affected[]` entry for this package.

        `ecosystem` is an OSV ecosystem with its release where it has one
        (`Debian:12`); the store normalises `name` the way the ecosystem does
        (PEP 503 for PyPI …). A Red Hat release written as a prefix
        (`Red Hat:enterprise_linux:9`) matches every stream under it.
        """
        ...

    def kev(self, cve: str) -> KevEntry | None: ...

    def epss(self, cve: str) -> EpssScore | None: ...
