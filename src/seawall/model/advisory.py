"""Advisories as the vulnerability store hands them to the matcher (the OSV schema's shape).

Field names follow the OSV schema (ossf.github.io/osv-schema). The store
parses records once, at import; the matcher never sees raw JSON.
`database_specific` and `ecosystem_specific` stay as parsed JSON because a
few of their keys change what a range means.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Types only, as in seawall.model.finding: importing the findings here would
    # cost every importer of the advisory model.
    from seawall.model.finding import CvssScore


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


@dataclass(frozen=True, slots=True)
class AdvisorySummary:
    """What a finding shows of one record: the record less what only decides a match.

    Its `affected` entries carry no ranges and no versions (the store's package
    index holds those, `AdvisoryStore.entries`), and its references only their
    URLs, so a store can build it from a record's body alone.
    """

    id: str
    modified: str
    published: str | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str | None = None
    details: str | None = None
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    """Every `affected[]` entry in record order, with `ranges` and `versions` left empty."""
    references: tuple[str, ...] = ()
    """The URL of every reference, in record order."""
    database_specific: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, advisory: Advisory) -> "AdvisorySummary":
        """The summary of a whole record."""
        return cls(
            advisory.id,
            advisory.modified,
            advisory.published,
            advisory.aliases,
            advisory.related,
            advisory.summary,
            advisory.details,
            advisory.severity,
            tuple(
                AffectedPackage(
                    entry.ecosystem,
                    entry.name,
                    entry.purl,
                    severity=entry.severity,
                    ecosystem_specific=entry.ecosystem_specific,
                    database_specific=entry.database_specific,
                )
                for entry in advisory.affected
            ),
            tuple(reference.url for reference in advisory.references),
            advisory.database_specific,
        )


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

    def entries_of(self, packages: Sequence[tuple[str, str]]) -> Sequence[Sequence[AffectedEntry]]:
        """`entries(ecosystem, name)` of each (ecosystem, name) of `packages`, in that order:
        what the matcher asks, for many packages at once."""
        ...

    def summaries(self, ids: Sequence[str]) -> Sequence[AdvisorySummary]:
        """The summaries of the records with these ids, in that order; ids it does not
        hold are left out. What the matcher reads of a record that matched."""
        ...

    def cvss(self, vector: str, v2: bool) -> "CvssScore | str":
        """A CVSS vector as written in a record (surrounding blanks ignored), scored by a
        maintained library; or why the library refused it.

        `v2`: the record says it is CVSS v2 (`CVSS_V2`), whose vectors carry no
        version prefix; other vectors are scored by their `CVSS:3.x/` or
        `CVSS:4.0/` prefix. The score's `source` is empty: the caller knows
        which record gave the vector.
        """
        ...

    def kev(self, cve: str) -> KevEntry | None: ...

    def kev_of(self, cves: Sequence[str]) -> Mapping[str, KevEntry]:
        """`kev(cve)` of each of `cves` in the catalogue, by CVE: many CVEs at once."""
        ...

    def epss(self, cve: str) -> EpssScore | None: ...

    def epss_of(self, cves: Sequence[str]) -> Mapping[str, EpssScore]:
        """`epss(cve)` of each of `cves` that has a score, by CVE: what the matcher asks,
        for many CVEs at once."""
        ...
