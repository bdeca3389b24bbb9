"""The matcher: an Inventory and an AdvisoryStore in, vulnerability findings out (DESIGN.md §3).

Which name and version a package is matched by:
- distribution packages (dpkg, apk, rpm): the OSV ecosystem with its release
  (`Debian:12`), the *source* package name and version (`openssl`
  3.0.11-1, not `libssl3`), since distribution advisories are written per
  source package; a package whose release is unknown is not matched;
- language packages: the package's name (the store normalises it the way the
  ecosystem does) and version; Go module versions with or without `v`. A
  language package a distribution package installed (`Package.owner`, e.g.
  Debian's python3-requests) is not matched against its language's
  advisories: the distribution patches its own build and tracks the flaw
  under the owner's source package, which is matched (as trivy decides; see
  docs/accuracy.md).

A record matches when it is not withdrawn and one of its `affected[]` entries
for this package contains the version (seawall.match.ranges). The store's
package index gives those entries (`AdvisoryStore.entries`) without the rest
of their records; only for the entries that match is a record read, as its
summary (`AdvisoryStore.summaries`: no ranges, no other package's index
rows), for the finding's text, severity and the fields below; CVSS vectors
come scored by the store (`AdvisoryStore.cvss`). Ecosystem-
specific fields that change what a range means are read here:
`database_specific.status` of Debian tracker records (`<unfixed>`,
`<end-of-life>`: no fixed event, so every version is affected and the finding
has no fix) and GHSA's `last_known_affected_version_range` (no fixed event
either; the range is kept in the reason). Go's `ecosystem_specific.custom_ranges`
(versions outside Go's module conventions, for display per golang/vulndb) and
RustSec's `informational` kind do not change the range; the latter is noted
in the reason.

Matching never raises on bad data: an installed version the ecosystem rejects
leaves the package unmatched with a problem; a range whose event versions do
not parse is skipped with a problem; GIT ranges are counted and skipped.
"""

import gc
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from seawall.errors import InputError
from seawall.match import fingerprint
from seawall.match.cache import MatchCache, Subject, SubjectResult, cache_for
from seawall.match.merge import RecordMatch, build_finding, cmp_order_key, group
from seawall.match.ranges import (
    PreparedRange,
    PreparedVersions,
    VersionKeyFunc,
    decision_text,
    evaluate,
    less,
    listed,
    prepare_versions,
)
from seawall.match.severity import RecordSeverity, record_severity
from seawall.model.advisory import (
    AdvisoryStore,
    AdvisorySummary,
    AffectedEntry,
    AffectedPackage,
    EventKind,
    RangeType,
)
from seawall.model.finding import CvssScore, MatchReason, VulnerabilityFinding
from seawall.model.package import DISTRO_ECOSYSTEMS, Inventory, Package

MAX_PROBLEMS = 500
"""Problems kept per run; the rest are counted in a last line."""

_ORDER_KEY = cmp_order_key(less)
# Looked up once (see seawall.match.ranges).
_GIT = RangeType.GIT
_SEMVER = RangeType.SEMVER
_FIXED = EventKind.FIXED


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What matching an inventory gave."""

    findings: tuple[VulnerabilityFinding, ...]
    problems: tuple[str, ...]
    unmatched_packages: int
    """Packages that could not be matched at all (no comparator, unknown release, bad version)."""
    git_ranges_skipped: int = 0
    """GIT ranges met in entries for the inventory's packages: not matchable by version."""
    owned_skipped: int = 0
    """Language packages not matched because a distribution package owns them."""


@dataclass(slots=True)
class _Run:
    """Per-run state: problems (deduplicated, bounded) and counters."""

    problems: OrderedDict[str, None] = field(default_factory=OrderedDict)
    dropped: int = 0
    git_ranges_skipped: int = 0

    def problem(self, text: str) -> None:
        if text in self.problems:
            return
        if len(self.problems) < MAX_PROBLEMS:
            self.problems[text] = None
        else:
            self.dropped += 1

    def all_problems(self) -> tuple[str, ...]:
        extra = (f"… and {self.dropped} more problems",) if self.dropped else ()
        return (*self.problems, *extra)


class Matcher:
    """Matches packages against one store; keeps what it worked out between calls.

    Parsed range events, record severities and whole subjects (the findings of
    one ecosystem, name and version, with the problems met) are kept in a
    `MatchCache` (seawall.match.cache), so matching the same or a similar
    inventory again costs little. A Matcher therefore assumes its store does
    not change while it is used, as a `VulnStore` (a read-only snapshot of one
    file) never does. Without `cache`, the process's cache for the store's
    snapshot is used (a new one for a store without a snapshot).
    """

    def __init__(
        self,
        store: AdvisoryStore,
        version_key: VersionKeyFunc,
        *,
        cache: MatchCache | None = None,
    ) -> None:
        self._store = store
        self._version_key = version_key
        self._cache = cache if cache is not None else cache_for(store, version_key)

    def match(self, inventory: Inventory, *, ignore_unfixed: bool = False) -> MatchResult:
        """Every vulnerability finding of `inventory`, in a deterministic order."""
        with _collector_paused():
            return self._match(inventory, ignore_unfixed)

    def _match(self, inventory: Inventory, ignore_unfixed: bool) -> MatchResult:
        run = _Run()
        findings: list[tuple[tuple[str, ...], VulnerabilityFinding]] = []
        unmatched = owned = 0
        # Binary packages built from one source share its matches and findings
        # (libssl3, openssl → openssl): built once, then given each package.
        by_subject: dict[Subject, SubjectResult | None] = {}
        for package in inventory.packages:
            if package.owner is not None and package.ecosystem not in DISTRO_ECOSYSTEMS:
                owned += 1
                continue
            subject = self._subject(package, run)
            if subject is None:
                unmatched += 1
                continue
            if subject in by_subject:
                built = by_subject[subject]
            else:
                built = by_subject[subject] = self._subject_result(package, subject, run)
            if built is None:
                unmatched += 1
                continue
            order = _package_order(package)
            part: str | None = None
            for template in built.findings:
                if ignore_unfixed and not template.fixed_versions:
                    continue
                if template.package is package:
                    finding = template
                else:
                    if part is None:
                        part = fingerprint.package_part(package)
                    finding = replace(
                        template,
                        package=package,
                        fingerprint=fingerprint.fingerprint_with(template.id, part),
                    )
                findings.append(((*order, finding.id), finding))
        findings.sort(key=_first)
        return MatchResult(
            tuple(finding for _, finding in findings),
            run.all_problems(),
            unmatched,
            run.git_ranges_skipped,
            owned,
        )

    def _subject_result(
        self, package: Package, subject: Subject, run: _Run
    ) -> SubjectResult | None:
        """The findings of `subject` (kept from an earlier call, or worked out now)."""
        ecosystem, _, version = subject
        try:
            installed = self._version_key(ecosystem, version)
        except InputError as error:
            if getattr(error, "version", None) is None:
                # No comparator for the ecosystem: one problem for all its packages.
                run.problem(f"{ecosystem} packages not matched: {error}")
            else:
                run.problem(f"{package.purl} not matched: {error}")
            return None
        built = self._cache.subject(subject)
        if built is None:
            notes = _Run()
            matches = self._match_subject(*subject, installed, notes)
            part = fingerprint.package_part(package) if matches else ""
            built = SubjectResult(
                tuple(
                    build_finding(found, package, self._store, _ORDER_KEY, part)
                    for found in group(matches, package)
                ),
                tuple(notes.problems),
                notes.dropped,
                notes.git_ranges_skipped,
            )
            self._cache.keep_subject(subject, built)
        # What matching the subject met is told to every run that matches it.
        for problem in built.problems:
            run.problem(problem)
        run.dropped += built.problems_dropped
        run.git_ranges_skipped += built.git_ranges_skipped
        return built

    def _subject(self, package: Package, run: _Run) -> Subject | None:
        """(OSV ecosystem, name, version) to match `package` by, or None when it cannot be."""
        if package.ecosystem in DISTRO_ECOSYSTEMS:
            if not package.ecosystem_release:
                run.problem(
                    f"{package.ecosystem.value} packages not matched: the distribution "
                    "release is unknown, so no OSV ecosystem release can be chosen"
                )
                return None
            name = package.source_name or package.name
            version = package.source_version or package.version
            return package.osv_ecosystem, name, version
        return package.osv_ecosystem, package.name, package.version

    def _match_subject(
        self, ecosystem: str, name: str, version: str, installed: Any, run: _Run
    ) -> list[RecordMatch]:
        installed_version = _Installed(ecosystem, version, installed)
        hits: list[tuple[AffectedEntry, MatchReason, list[PreparedRange]]] = []
        decided = ""
        for entry in self._store.entries(ecosystem, name):
            if entry.record == decided:
                continue  # one reason per record and package: its first entry that matched
            found = self._match_entry(entry, installed_version, run)
            if found is not None:
                hits.append((entry, *found))
                decided = entry.record
        if not hits:
            return []
        # Only now are records read: the index decided which ones match.
        records = {
            summary.id: summary
            for summary in self._store.summaries([entry.record for entry, _, _ in hits])
        }
        matches: list[RecordMatch] = []
        for entry, reason, usable in hits:
            advisory = records.get(entry.record)
            if advisory is None or entry.position >= len(advisory.affected):
                run.problem(f"{entry.record}: the store's index names a record it does not hold")
                continue
            matches.append(
                self._record_match(advisory, entry, reason, usable, installed_version, run)
            )
        return matches

    def _match_entry(
        self, entry: AffectedEntry, installed: "_Installed", run: _Run
    ) -> tuple[MatchReason, list[PreparedRange]] | None:
        """Why the installed version is in the entry, and the entry's usable ranges; or None."""
        reason: MatchReason | None = None
        usable: list[PreparedRange] = []
        for affected_range in entry.ranges:
            if affected_range.type is _GIT:
                run.git_ranges_skipped += 1
                continue
            prepared = self._cache.range(affected_range, entry.ecosystem, self._version_key)
            if prepared.error is not None:
                run.problem(f"{entry.record}: range {prepared.text!r} skipped: {prepared.error}")
                continue
            usable.append(prepared)
            if reason is None:
                decision = installed.decision(prepared)
                if decision is not None:
                    reason = MatchReason(
                        entry.record, entry.ecosystem, entry.name, prepared.text, decision
                    )
        if reason is None and entry.versions:
            equal = listed(self._prepared_versions(entry.versions, entry.ecosystem), installed.key)
            if equal is not None:
                reason = MatchReason(
                    entry.record,
                    entry.ecosystem,
                    entry.name,
                    f"versions list ({len(entry.versions)} versions)",
                    f"{installed.version} == listed {equal} ({installed.ecosystem} comparator)",
                )
        return None if reason is None else (reason, usable)

    def _record_match(
        self,
        advisory: AdvisorySummary,
        found: AffectedEntry,
        reason: MatchReason,
        usable: list[PreparedRange],
        installed: "_Installed",
        run: _Run,
    ) -> RecordMatch:
        """The match of a whole record, from the entry of it that matched."""
        entry = advisory.affected[found.position]
        notes = _notes(entry)
        if notes:
            decision = f"{reason.decision}; {'; '.join(notes)}"
            reason = MatchReason(
                reason.record, reason.ecosystem, reason.package, reason.range, decision
            )
        if len(usable) == 1:
            fixed = installed.fixes_above(usable[0])
        else:
            fixed = tuple([fix for prepared in usable for fix in installed.fixes_above(prepared)])
        severity = self._severity(advisory, entry)
        for problem in severity.problems:
            run.problem(problem)
        return RecordMatch(advisory, entry, reason, fixed, severity)

    def _severity(self, advisory: AdvisorySummary, entry: AffectedPackage) -> RecordSeverity:
        cached = self._cache.severities.get(
            entry, lambda: (advisory, record_severity(advisory, entry, self._cvss))
        )
        if cached[0] is advisory:
            return cached[1]
        # The same entry object seen in another record (never from a real store).
        return record_severity(advisory, entry, self._cvss)

    def _cvss(self, vector: str, v2: bool) -> CvssScore | str:
        return self._cache.cvss(self._store, vector, v2)

    def _prepared_versions(self, versions: tuple[str, ...], ecosystem: str) -> PreparedVersions:
        return self._cache.versions.get(
            versions, lambda: prepare_versions(versions, ecosystem, self._version_key)
        )


class _Installed:
    """The version being matched, and what each prepared range said about it.

    Records of one package often share their ranges (every Debian record of
    `linux` fixed in the same upload): each distinct prepared range is
    evaluated once per subject.
    """

    __slots__ = ("_decisions", "_fixes", "ecosystem", "key", "version")

    def __init__(self, ecosystem: str, version: str, key: Any) -> None:
        self.ecosystem = ecosystem
        self.version = version
        self.key = key
        # Keyed by identity; the value keeps the range alive so its id stays its own.
        self._decisions: dict[int, tuple[PreparedRange, str | None]] = {}
        self._fixes: dict[int, tuple[PreparedRange, tuple[tuple[Any, str], ...]]] = {}

    def decision(self, prepared: PreparedRange) -> str | None:
        """The comparison that puts the version in `prepared`, or None when outside it."""
        found = self._decisions.get(id(prepared))
        if found is not None and found[0] is prepared:
            return found[1]
        hit = evaluate(prepared, self.key)
        decision = None
        if hit is not None:
            comparator = (
                f"SemVer precedence, {self.ecosystem} comparator"
                if prepared.type is _SEMVER
                else f"{self.ecosystem} comparator"
            )
            decision = decision_text(hit, self.version, comparator)
        self._decisions[id(prepared)] = (prepared, decision)
        return decision

    def fixes_above(self, prepared: PreparedRange) -> tuple[tuple[Any, str], ...]:
        """(key, version) of every `fixed` event of `prepared` above the version."""
        found = self._fixes.get(id(prepared))
        if found is not None and found[0] is prepared:
            return found[1]
        fixes = tuple(
            [
                (bound.key, bound.version)
                for bound in prepared.events
                if bound.kind is _FIXED and less(self.key, bound.key)
            ]
        )
        self._fixes[id(prepared)] = (prepared, fixes)
        return fixes


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while matching.

    A first match allocates objects by the hundred thousand that live on
    (records, findings), so the collector would run some hundred times, its
    full collections walking every object of the process: 10% of a first match
    of 1,000 packages, 20% of one of 9,000 (timed with `gc.callbacks`). Matching
    makes no reference cycles (its objects are freed by reference counting
    alone, as tests/match/test_cache.py checks), so there is nothing for the
    collector to find meanwhile. Afterwards it runs again (unless the caller
    had it off), and the young generation it would have walked at the next
    allocation anyway is collected here, so the match pays for it. Another
    thread allocating meanwhile only has its cycles collected a little later.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _notes(entry: AffectedPackage) -> list[str]:
    """Ecosystem-specific fields that qualify a match, as words for the reason."""
    notes: list[str] = []
    status = _text(entry.database_specific, "status")
    if status:
        notes.append(f"Debian security tracker status {status}")
    last_known = _text(entry.database_specific, "last_known_affected_version_range")
    if last_known:
        notes.append(f"last known affected version range {last_known!r}, no fix published")
    informational = _text(entry.database_specific, "informational")
    if informational:
        notes.append(f"informational advisory ({informational})")
    return notes


def _text(container: Mapping[str, Any], key: str) -> str | None:
    value = container.get(key)
    return value.strip()[:120] if isinstance(value, str) and value.strip() else None


def _package_order(package: Package) -> tuple[str, ...]:
    path = package.locations[0].path if package.locations else ""
    return (package.osv_ecosystem, package.name, package.version, package.purl, path)


def _first(item: tuple[tuple[str, ...], VulnerabilityFinding]) -> tuple[str, ...]:
    return item[0]


def match_inventory(
    inventory: Inventory,
    store: AdvisoryStore,
    version_key: VersionKeyFunc,
    *,
    ignore_unfixed: bool = False,
) -> MatchResult:
    """Match every package of `inventory` against `store` (see Matcher)."""
    return Matcher(store, version_key).match(inventory, ignore_unfixed=ignore_unfixed)
