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


@dataclass(frozen=True, slots=True)
class AffectedEntry:
    """An `affected[]` entry found by the package it names, with what decides a match.

    The store keeps these in a package index, so matching decodes a whole
    record only when one of its entries holds the installed version.
    """

    record: str
    """The id of the record the entry belongs to."""
    position: int
    """The entry's index in that record's `affected`."""
    ecosystem: str
    """As written in the record (`Debian:12`, `Red Hat:enterprise_linux:9::appstream`)."""
    name: str
    """As written in the record."""
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[str, ...] = ()


class AdvisoryStore(Protocol):
    """What the matcher asks of the vulnerability store."""

    def entries(self, ecosystem: str, name: str) -> Sequence[AffectedEntry]:
        """The `affected[]` entries naming this package, in records that are not withdrawn.

        Ordered by record id, then position. `ecosystem` is an OSV ecosystem
        with its release where it has one (`Debian:12`); the store normalises
        `name` the way the ecosystem does (PEP 503 for PyPI …) and returns only
        entries whose ecosystem is `ecosystem` and whose name normalises alike.
        A Red Hat release written as a prefix (`Red Hat:enterprise_linux:9`)
        also takes every stream under it (`…:9::appstream`).
        """
        ...

    def records(self, ids: Sequence[str]) -> Sequence[Advisory]:
        """The whole records with these ids, in that order; ids it does not hold are left out."""
        ...

    def kev(self, cve: str) -> KevEntry | None: ...

    def epss(self, cve: str) -> EpssScore | None: ...
