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
package index gives those entries (`AdvisoryStore.entries_of`) without the
rest of their records; only for the entries that match is a record read, as
its summary (`AdvisoryStore.summaries`: no ranges, no other package's index
rows), for the finding's text, severity and the fields below; CVSS vectors
come scored by the store (`AdvisoryStore.cvss`). Each of those reads is made
once per batch of subjects (`BATCH`), not once per package: one statement
reads every package's index rows, one every matched record, one the EPSS
scores of their CVEs (`AdvisoryStore.epss_of`). Ecosystem-
specific fields that change what a range means are read here:
`database_specific.status` of Debian tracker records (`<unfixed>`,
`<end-of-life>`: no fixed event, so every version is affected and the finding
has no fix) and GHSA's `last_known_affected_version_range` (no fixed event
either; the range is kept in the reason). Go's `ecosystem_specific.custom_ranges`
(versions outside Go's module conventions, for display per golang/vulndb) and
RustSec's `informational` kind do not change the range; the latter is noted
in the reason.

Matching never raises on bad data: an installed version the ecosystem rejects
leaves the package unmatched with a problem, while a package that has no
version to compare (none at all, or Go's `(devel)`: a main module built from a
checkout, as `go version -m` shows it) is left unmatched quietly, as Grype and
Trivy leave it, since no range can hold it and no input is wrong; a range whose event versions do
not parse is skipped with a problem; GIT ranges are counted and skipped.
"""

import gc
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from seawall.errors import InputError
from seawall.match import fingerprint, persist
from seawall.match.cache import MatchCache, Subject, SubjectResult, cache_for
from seawall.match.merge import (
    RecordMatch,
    build_finding,
    exploitation_cves,
    exploitation_ids,
    group,
    new_finding,
)
from seawall.match.ranges import (
    Fix,
    PreparedRange,
    PreparedVersions,
    VersionKeyFunc,
    judge,
    listed,
    prepare_versions,
)
from seawall.match.severity import (
    NO_SEVERITY,
    RecordSeverity,
    gives_severity,
    record_severity,
)
from seawall.model.advisory import (
    AdvisoryStore,
    AdvisorySummary,
    AffectedEntry,
    AffectedPackage,
    AffectedRange,
    RangeType,
)
from seawall.model.finding import CvssScore, MatchReason, VulnerabilityFinding
from seawall.model.frozen import builder
from seawall.model.package import (
    DISTRO_ECOSYSTEMS,
    GO_DEVEL_VERSION,
    Ecosystem,
    Inventory,
    Package,
)

# One per matched record (seawall.model.frozen).
_new_reason: Callable[[str, str, str, str, str], MatchReason] = builder(MatchReason)

MAX_PROBLEMS = 500
"""Problems kept per run; the rest are counted in a last line."""

# Looked up once (see seawall.match.ranges).
_GIT = RangeType.GIT
_SEMVER = RangeType.SEMVER

_Judged = tuple[AffectedRange, str, PreparedRange | None, str | None, tuple[Fix, ...]]
"""What a range of an entry says about the installed version: (the range, the entry's
ecosystem, the range prepared (None for a GIT range), the decision when the version
is in it, every fix above the version)."""
_Hit = tuple[AffectedEntry, MatchReason, list[_Judged]]
"""An entry that holds the installed version, why, and its ranges that could be judged."""

BATCH = 1024
"""Subjects whose index entries (and then matched records) are read at once: few
statements, and a bound on what one batch holds."""


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What matching an inventory gave."""

    findings: tuple[VulnerabilityFinding, ...]
    problems: tuple[str, ...]
    unmatched_packages: int
    """Packages that could not be matched at all (no comparator, unknown release, bad version,
    no version)."""
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
    snapshot is used (a new one for a store without a snapshot). Subjects are
    also kept across processes when the store offers a place for them
    (seawall.match.persist): a new process reads those before matching.
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
        self._kept = persist.kept_for(store, version_key)

    def match(self, inventory: Inventory, *, ignore_unfixed: bool = False) -> MatchResult:
        """Every vulnerability finding of `inventory`, in a deterministic order."""
        with _collector_paused():
            return self._match(inventory, ignore_unfixed)

    def _match(self, inventory: Inventory, ignore_unfixed: bool) -> MatchResult:
        run = _Run()
        # Findings by their package's place in the order (ecosystem, name, version,
        # purl, path); within a package, by id.
        by_package: dict[tuple[str, ...], list[VulnerabilityFinding]] = {}
        unmatched = owned = 0
        planned: list[tuple[Package, Subject | None]] = []
        for package in inventory.packages:
            if package.owner is not None and package.ecosystem not in DISTRO_ECOSYSTEMS:
                owned += 1
            elif _unversioned(package):
                unmatched += 1
            else:
                planned.append((package, _subject(package)))
        # Binary packages built from one source share its matches and findings
        # (libssl3, openssl → openssl): built once, then given each package.
        by_subject = self._subject_results(planned)
        reported: set[Subject] = set()
        for package, subject in planned:
            if subject is None:
                run.problem(
                    f"{package.ecosystem.value} packages not matched: the distribution "
                    "release is unknown, so no OSV ecosystem release can be chosen"
                )
                unmatched += 1
                continue
            built = by_subject[subject]
            if subject not in reported:
                # What matching the subject met is told to every run that matches it.
                reported.add(subject)
                if isinstance(built, str):
                    run.problem(built)
                else:
                    for problem in built.problems:
                        run.problem(problem)
                    run.dropped += built.problems_dropped
                    run.git_ranges_skipped += built.git_ranges_skipped
            if isinstance(built, str):
                unmatched += 1
                continue
            if not built.findings:
                continue
            order = _package_order(package)
            found = by_package.get(order)
            if found is None:
                found = by_package[order] = []
            part: str | None = None
            for template in built.findings:
                if ignore_unfixed and not template.fixed_versions:
                    continue
                if template.package is package:
                    found.append(template)
                    continue
                if part is None:
                    part = fingerprint.package_part(package)
                found.append(_for_package(template, package, part))
        findings: list[VulnerabilityFinding] = []
        for order in sorted(by_package):
            found = by_package[order]
            if len(found) > 1:
                found.sort(key=_finding_id)  # stable: packages alike keep the inventory's order
            findings.extend(found)
        return MatchResult(
            tuple(findings),
            run.all_problems(),
            unmatched,
            run.git_ranges_skipped,
            owned,
        )

    def _subject_results(
        self, planned: list[tuple[Package, Subject | None]]
    ) -> dict[Subject, SubjectResult | str]:
        """The result of every subject of `planned` (or, for one that cannot be matched,
        the problem saying why): kept by this process or another, or worked out now,
        for the first package of the inventory matched by it."""
        first: dict[Subject, Package] = {}
        for package, subject in planned:
            if subject is not None and subject not in first:
                first[subject] = package
        results: dict[Subject, SubjectResult | str] = {}
        new: list[Subject] = []
        for subject in first:
            built = self._cache.subject(subject)
            if built is None:
                new.append(subject)
            else:
                results[subject] = built
        # Each new subject's key among the kept results (none when nothing is kept).
        keys = dict(zip(new, self._kept.keys(new), strict=True)) if self._kept and new else {}
        kept = self._kept_results(keys, first)
        todo: list[tuple[Subject, Package]] = []
        for subject in new:
            built = kept.get(subject)
            if built is None:
                todo.append((subject, first[subject]))
            else:
                self._cache.keep_subject(subject, built)
                results[subject] = built
        fresh: dict[str, bytes] = {}
        for start in range(0, len(todo), BATCH):
            results.update(self._work_out(todo[start : start + BATCH], keys, fresh))
        if fresh and self._kept is not None:
            self._kept.results.keep(fresh)
        return results

    def _kept_results(
        self, keys: dict[Subject, str], first: dict[Subject, Package]
    ) -> dict[Subject, SubjectResult]:
        """What other processes kept for the subjects of `keys`, built for each one's first
        package with the KEV and EPSS entries the store has now (one read of the EPSS
        scores of all of them)."""
        if self._kept is None or not keys:
            return {}
        subjects = {key: subject for subject, key in keys.items()}
        found: dict[Subject, tuple[list[str], bytes]] = {}
        for key, data in self._kept.results.found(list(subjects)).items():
            parts = persist.split(data)
            if parts is not None:
                found[subjects[key]] = parts
        entries = persist.exploitation_of(
            self._store, [cve for cves, _ in found.values() for cve in cves]
        )
        built: dict[Subject, SubjectResult] = {}
        for subject, (cves, rest) in found.items():
            result = persist.decode(cves, rest, first[subject], entries)
            if result is not None:
                built[subject] = result
        return built

    def _work_out(
        self,
        todo: list[tuple[Subject, Package]],
        keys: Mapping[Subject, str],
        fresh: dict[str, bytes],
    ) -> dict[Subject, SubjectResult | str]:
        """Match each (subject, its first package) of `todo` against the store: the index
        entries of all of them read at once, then the summaries of every record that
        matched one of them. Each result is kept in the cache, and added to `fresh` under
        its key of `keys` (for other processes) when it has one."""
        results: dict[Subject, SubjectResult | str] = {}
        work: list[tuple[Subject, Package, Any]] = []
        for subject, package in todo:
            ecosystem, _, version = subject
            try:
                installed = self._version_key(ecosystem, version)
            except InputError as error:
                if getattr(error, "version", None) is None:
                    # No comparator for the ecosystem: one problem for all its packages.
                    results[subject] = f"{ecosystem} packages not matched: {error}"
                else:
                    results[subject] = f"{package.purl} not matched: {error}"
                continue
            work.append((subject, package, installed))
        if not work:
            return results
        entries = self._store.entries_of([(subject[0], subject[1]) for subject, _, _ in work])
        found: list[tuple[_Run, list[_Hit]]] = []
        wanted: dict[str, None] = {}
        for (subject, _, installed), subject_entries in zip(work, entries, strict=True):
            notes = _Run()
            hits = self._hits(subject[0], subject[2], installed, subject_entries, notes)
            found.append((notes, hits))
            for entry, _, _ in hits:
                wanted[entry.record] = None
        # Only now are records read: the index decided which ones match.
        records = {summary.id: summary for summary in self._store.summaries(list(wanted))}
        # The EPSS scores every finding of the batch can take, also read at once.
        scores = self._store.epss_of(exploitation_ids(records.values()))
        for (subject, package, _), (notes, hits) in zip(work, found, strict=True):
            matches = self._record_matches(hits, records, notes)
            part = fingerprint.package_part(package) if matches else ""
            groups = group(matches, package)
            built = SubjectResult(
                tuple(
                    [
                        build_finding(group_found, package, self._store, scores, part)
                        for group_found in groups
                    ]
                ),
                tuple(notes.problems),
                notes.dropped,
                notes.git_ranges_skipped,
            )
            self._cache.keep_subject(subject, built)
            key = keys.get(subject)
            if key is not None:
                exploited = [exploitation_cves(group_found) for group_found in groups]
                fresh[key] = persist.encode(built, part, exploited)
            results[subject] = built
        return results

    def _hits(
        self,
        ecosystem: str,
        version: str,
        installed: Any,
        entries: Sequence[AffectedEntry],
        run: _Run,
    ) -> list[_Hit]:
        """The entries of a package's index `entries` that hold the installed version."""
        # What each distinct range says about the installed version: records of one
        # package often share their ranges (every Debian record of `linux` fixed in
        # the same upload), and the store hands those out as one object.
        judged: dict[int, _Judged] = {}
        comparators = (f"{ecosystem} comparator", f"SemVer precedence, {ecosystem} comparator")
        hits: list[_Hit] = []
        decided = ""
        for entry in entries:
            if entry.record == decided:
                continue  # one reason per record and package: its first entry that matched
            reason: MatchReason | None = None
            usable: list[_Judged] = []
            for affected_range in entry.ranges:
                found = judged.get(id(affected_range))
                if found is None or found[0] is not affected_range or found[1] != entry.ecosystem:
                    found = self._judge(
                        affected_range, entry.ecosystem, installed, version, comparators
                    )
                    judged[id(affected_range)] = found
                prepared = found[2]
                if prepared is None:
                    run.git_ranges_skipped += 1
                    continue
                if prepared.error is not None:
                    run.problem(
                        f"{entry.record}: range {prepared.text!r} skipped: {prepared.error}"
                    )
                    continue
                usable.append(found)
                if reason is None and found[3] is not None:
                    reason = _new_reason(
                        entry.record, entry.ecosystem, entry.name, prepared.text, found[3]
                    )
            if reason is None and entry.versions:
                equal = listed(self._prepared_versions(entry.versions, entry.ecosystem), installed)
                if equal is not None:
                    reason = _new_reason(
                        entry.record,
                        entry.ecosystem,
                        entry.name,
                        f"versions list ({len(entry.versions)} versions)",
                        f"{version} == listed {equal} ({ecosystem} comparator)",
                    )
            if reason is not None:
                hits.append((entry, reason, usable))
                decided = entry.record
        return hits

    def _record_matches(
        self, hits: list[_Hit], records: Mapping[str, AdvisorySummary], run: _Run
    ) -> list[RecordMatch]:
        matches: list[RecordMatch] = []
        for entry, reason, usable in hits:
            advisory = records.get(entry.record)
            if advisory is None or entry.position >= len(advisory.affected):
                run.problem(f"{entry.record}: the store's index names a record it does not hold")
                continue
            matches.append(self._record_match(advisory, entry, reason, usable, run))
        return matches

    def _judge(
        self,
        affected_range: AffectedRange,
        ecosystem: str,
        installed: Any,
        version: str,
        comparators: tuple[str, str],
    ) -> "_Judged":
        """What `affected_range` of an entry in `ecosystem` says about the installed version."""
        if affected_range.type is _GIT:
            return (affected_range, ecosystem, None, None, ())
        prepared = self._cache.range(affected_range, ecosystem, self._version_key)
        if prepared.error is not None:
            return (affected_range, ecosystem, prepared, None, ())
        decision, fixes = judge(prepared, installed, version, comparators[prepared.type is _SEMVER])
        return (affected_range, ecosystem, prepared, decision, fixes)

    def _record_match(
        self,
        advisory: AdvisorySummary,
        found: AffectedEntry,
        reason: MatchReason,
        usable: list["_Judged"],
        run: _Run,
    ) -> RecordMatch:
        """The match of a whole record, from the entry of it that matched."""
        entry = advisory.affected[found.position]
        notes = _notes(entry.database_specific) if entry.database_specific else None
        if notes:
            decision = f"{reason.decision}; {'; '.join(notes)}"
            reason = _new_reason(
                reason.record, reason.ecosystem, reason.package, reason.range, decision
            )
        if len(usable) == 1:
            fixed = usable[0][4]
        else:
            fixed = tuple([fix for judged in usable for fix in judged[4]])
        severity = self._severity(advisory, entry)
        for problem in severity.problems:
            run.problem(problem)
        return RecordMatch(advisory, entry, reason, fixed, severity)

    def _severity(self, advisory: AdvisorySummary, entry: AffectedPackage) -> RecordSeverity:
        if not gives_severity(advisory, entry):
            return NO_SEVERITY  # most distribution records: nothing worth keeping
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
    had it off), and what matching made is promoted to the oldest generation
    at once, unwalked (`gc.freeze()` then `gc.unfreeze()`: two list splices).
    Otherwise the next young collection, here or later in the caller, would
    walk every object matching kept only to promote it: 17-33 ms of a first
    match of 1,000 packages (66k objects), for nothing to find. Only a full
    collection walks them now, as it would have anyway. Cycles the caller
    left young are found by that full collection instead of the next young
    one. A caller that froze objects itself (a forking server) keeps them
    frozen: then the collector's own schedule is left alone. Another thread
    allocating meanwhile only has its cycles collected a little later.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()


def _notes(database_specific: Mapping[str, Any]) -> list[str]:
    """Ecosystem-specific fields of an entry that qualify a match, as words for the reason."""
    notes: list[str] = []
    status = _text(database_specific, "status")
    if status:
        notes.append(f"Debian security tracker status {status}")
    last_known = _text(database_specific, "last_known_affected_version_range")
    if last_known:
        notes.append(f"last known affected version range {last_known!r}, no fix published")
    informational = _text(database_specific, "informational")
    if informational:
        notes.append(f"informational advisory ({informational})")
    return notes


def _text(container: Mapping[str, Any], key: str) -> str | None:
    value = container.get(key)
    return value.strip()[:120] if isinstance(value, str) and value.strip() else None


def _for_package(
    template: VulnerabilityFinding, package: Package, part: str
) -> VulnerabilityFinding:
    """`template`, a finding of another package of the same subject, for `package`."""
    return new_finding(
        template.id,
        template.aliases,
        package,
        template.fixed_versions,
        template.severity,
        template.cvss,
        template.summary,
        template.references,
        template.reasons,
        fingerprint.fingerprint_with(template.id, part),
        template.published,
        template.modified,
        template.kev,
        template.epss,
        template.severity_labels,
        template.related,
    )


def _subject(package: Package) -> Subject | None:
    """(OSV ecosystem, name, version) to match `package` by; None for a distribution
    package whose release is unknown."""
    if package.ecosystem in DISTRO_ECOSYSTEMS:
        if not package.ecosystem_release:
            return None
        name = package.source_name or package.name
        version = package.source_version or package.version
        return package.osv_ecosystem, name, version
    return package.osv_ecosystem, package.name, package.version


def _unversioned(package: Package) -> bool:
    """True for a package with no version any range could hold."""
    return not package.version or (
        package.ecosystem is Ecosystem.GO and package.version == GO_DEVEL_VERSION
    )


def _package_order(package: Package) -> tuple[str, ...]:
    path = package.locations[0].path if package.locations else ""
    return (package.osv_ecosystem, package.name, package.version, package.purl, path)


def _finding_id(finding: VulnerabilityFinding) -> str:
    return finding.id


def match_inventory(
    inventory: Inventory,
    store: AdvisoryStore,
    version_key: VersionKeyFunc,
    *,
    ignore_unfixed: bool = False,
) -> MatchResult:
    """Match every package of `inventory` against `store` (see Matcher)."""
    return Matcher(store, version_key).match(inventory, ignore_unfixed=ignore_unfixed)
