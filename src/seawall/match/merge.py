"""Records that matched one package, merged into one finding per vulnerability.

Merging (OSV schema, `aliases`: symmetric and transitive): the ids of every
matched record and their aliases are joined by union-find; each group is one
vulnerability and becomes one finding listing every id. The preferred id is
the lowest CVE id of the group, else the id of the most informative record.

`related` is not an alias (OSV schema, `related`, `upstream`): a Debian DSA
or DLA bundles the fixes of several CVEs, so joining it with its CVEs would
also join those CVEs with each other into one finding. A distribution
advisory that names related CVEs and has no CVE of its own (a *bundle*) is
instead folded into the findings of the CVEs it relates to: its id joins their
`related`, its match reason and fixed version join theirs. Only when some of
its CVEs have no finding of their own does it stay a finding by itself, so the
fix it names is still reported. (Grype likewise reports the CVE and lists the
DSA as related; Trivy reports per CVE only.)

The most informative record (the one whose text a finding shows) is the one
with a summary, then the most CVSS vectors, then a severity label, then the
longest details; ties go to the smaller id. Severity comes from every record's
scores (seawall.match.severity); references, reasons and fixed versions are
the union over the group.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from seawall.match import fingerprint
from seawall.match.severity import RecordSeverity, normalised
from seawall.model.advisory import (
    AdvisoryStore,
    AdvisorySummary,
    AffectedPackage,
    EpssScore,
    KevEntry,
)
from seawall.model.finding import (
    CvssScore,
    MatchReason,
    Severity,
    SeverityLabel,
    VulnerabilityFinding,
)
from seawall.model.package import DISTRO_ECOSYSTEMS, Package

_CVE = re.compile(r"CVE-(\d{4})-(\d{4,19})")
_SUMMARY_LENGTH = 240


@dataclass(frozen=True, slots=True)
class RecordMatch:
    """One record that matched one package, with everything a finding takes from it."""

    advisory: AdvisorySummary
    entry: AffectedPackage
    reason: MatchReason
    fixed: tuple[tuple[Any, str], ...]
    """(version key, version as written) of every fix above the installed version."""
    severity: RecordSeverity


def is_cve(identifier: str) -> bool:
    return identifier.startswith("CVE-") and _CVE.fullmatch(identifier) is not None


def _cve_key(identifier: str) -> tuple[int, int, str] | None:
    """The order of CVE ids (year, then number; the id breaks a tie), or None for another id."""
    if not identifier.startswith("CVE-"):
        return None
    match = _CVE.fullmatch(identifier)
    return None if match is None else (int(match.group(1)), int(match.group(2)), identifier)


def _informativeness(match: RecordMatch) -> tuple[bool, int, bool, int]:
    advisory = match.advisory
    return (
        bool(advisory.summary and advisory.summary.strip()),
        len(match.severity.scores),
        bool(match.severity.labels),
        len(advisory.details or ""),
    )


def _best_first(matches: list[RecordMatch]) -> list[RecordMatch]:
    if len(matches) < 2:
        return matches
    matches.sort(key=_record_id)
    matches.sort(key=_informativeness, reverse=True)
    return matches


def _record_id(match: RecordMatch) -> str:
    return match.advisory.id


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grand = self.parent[parent]
            self.parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        # The smaller id becomes the root: the grouping does not depend on order.
        if root_a < root_b:
            self.parent[root_b] = root_a
        elif root_b < root_a:
            self.parent[root_a] = root_b


def _is_bundle(match: RecordMatch) -> bool:
    """A distribution advisory naming related CVEs with no CVE id of its own (the caller
    checks the package is a distribution's)."""
    advisory = match.advisory
    return (
        bool(advisory.related)
        and not is_cve(advisory.id)
        and not any(is_cve(alias) for alias in advisory.aliases)
    )


@dataclass(slots=True)
class _Group:
    matches: list[RecordMatch]
    ids: set[str]
    related: set[str]
    bundled_cves: set[str]
    """CVEs a kept bundle fixes: KEV and EPSS are looked up for them too."""


def group(matches: Sequence[RecordMatch], package: Package) -> list[_Group]:
    """The matched records of one package grouped by vulnerability, bundles folded."""
    if len(matches) == 1 and (
        package.ecosystem not in DISTRO_ECOSYSTEMS or not _is_bundle(matches[0])
    ):
        advisory = matches[0].advisory
        return [_Group([matches[0]], {advisory.id, *advisory.aliases}, set(), set())]
    union = _UnionFind()
    for match in matches:
        for alias in match.advisory.aliases:
            union.union(match.advisory.id, alias)
    by_root: dict[str, list[RecordMatch]] = {}
    for match in matches:
        by_root.setdefault(union.find(match.advisory.id), []).append(match)
    groups = []
    for _, members in sorted(by_root.items()):
        ids: set[str] = set()
        for member in members:
            ids.add(member.advisory.id)
            ids.update(member.advisory.aliases)
        groups.append(_Group(members, ids, set(), set()))
    if package.ecosystem not in DISTRO_ECOSYSTEMS:
        return groups  # bundles are distribution advisories
    kept: list[_Group] = []
    bundles: list[_Group] = []
    for candidate in groups:
        if all(_is_bundle(match) for match in candidate.matches):
            bundles.append(candidate)
        else:
            kept.append(candidate)
    if not bundles:
        return kept
    # Groups partition the ids: each id names at most one kept group.
    owner = {identifier: target for target in kept for identifier in target.ids}
    for bundle in bundles:
        related = {r for match in bundle.matches for r in match.advisory.related}
        covered: set[str] = set()
        targets: dict[int, _Group] = {}
        for identifier in related:
            target = owner.get(identifier)
            if target is not None:
                covered.add(identifier)
                targets[id(target)] = target
        for target in targets.values():
            target.matches.extend(bundle.matches)
            target.related |= bundle.ids
        if related - covered:
            bundle.related |= related
            bundle.bundled_cves |= {r for r in related if is_cve(r)}
            kept.append(bundle)
            for identifier in bundle.ids:
                owner[identifier] = bundle
    return kept


def build_finding(
    found: _Group,
    package: Package,
    store: AdvisoryStore,
    order_key: Callable[[Any], Any],
    package_part: str | None = None,
) -> VulnerabilityFinding:
    """The finding of one group of matched records.

    `package_part`: `fingerprint.package_part(package)`, when the caller has it.
    """
    ids = found.ids
    matches = found.matches
    if len(matches) == 1:
        own, folded = matches, []
    else:
        own = _best_first([match for match in matches if match.advisory.id in ids])
        folded = _best_first([match for match in matches if match.advisory.id not in ids])
    # A folded bundle's text describes several CVEs: the group's own records come first.
    ranked = own + folded if folded else own
    cves = sorted(key for identifier in ids if (key := _cve_key(identifier)) is not None)
    preferred = cves[0][2] if cves else ranked[0].advisory.id
    aliases = (preferred, *sorted(ids - {preferred}))
    related = set(found.related)
    for match in own:  # a folded bundle's other CVEs are not related to this one
        related.update(match.advisory.related)
    related -= ids

    scores: list[CvssScore] = []
    labels: list[SeverityLabel] = []
    seen_vectors: set[str] = set()
    for match in ranked:
        severity = match.severity
        for score in severity.scores:
            if score.vector not in seen_vectors:
                seen_vectors.add(score.vector)
                scores.append(score)
        labels.extend(severity.labels)

    cve_ids = [key[2] for key in cves]
    if found.bundled_cves:
        cve_ids.extend(sorted(found.bundled_cves.difference(cve_ids)))
    kev, epss = _exploitation(store, cve_ids)
    if len(ranked) == 1:
        advisory = ranked[0].advisory
        references = tuple(dict.fromkeys(advisory.references))
        published = advisory.published or None
        modified = advisory.modified or None
    else:
        references = tuple(dict.fromkeys(url for m in ranked for url in m.advisory.references))
        published = min(
            (m.advisory.published for m in ranked if m.advisory.published), default=None
        )
        modified = max((m.advisory.modified for m in ranked if m.advisory.modified), default=None)
    if package_part is None:
        package_part = fingerprint.package_part(package)
    return VulnerabilityFinding(
        preferred,
        aliases,
        package,
        _fixed_versions(matches, order_key),
        normalised(scores, labels) if scores or labels else Severity.UNKNOWN,
        tuple(scores),
        _text_of(own) or _text_of(folded),
        references,
        _reasons(matches),
        fingerprint.fingerprint_with(preferred, package_part),
        published,
        modified,
        kev,
        epss,
        tuple(dict.fromkeys(labels)) if labels else (),
        tuple(sorted(related)) if related else (),
    )


def _reasons(matches: list[RecordMatch]) -> tuple[MatchReason, ...]:
    if len(matches) == 1:
        return (matches[0].reason,)
    return tuple(sorted({match.reason for match in matches}, key=_reason_order))


def _reason_order(reason: MatchReason) -> tuple[str, str, str]:
    return reason.record, reason.range, reason.decision


def _fixed_versions(matches: list[RecordMatch], order_key: Callable[[Any], Any]) -> tuple[str, ...]:
    if len(matches) == 1 and len(matches[0].fixed) < 2:
        return tuple([version for _, version in matches[0].fixed])
    fixes: list[tuple[Any, str]] = []
    for match in matches:
        fixes.extend(match.fixed)
    if len(fixes) < 2:
        return tuple([version for _, version in fixes])
    fixes.sort(key=lambda item: item[1])
    fixes.sort(key=lambda item: order_key(item[0]))
    distinct: list[tuple[Any, str]] = []
    for key, version in fixes:
        # One entry per version under the ecosystem's order (`1.0` and `1.0.0`
        # are one PyPI version): the first spelling in sorted order stays.
        if distinct and not distinct[-1][0] < key:
            continue
        distinct.append((key, version))
    return tuple(version for _, version in distinct)


def _text_of(ranked: Sequence[RecordMatch]) -> str | None:
    for match in ranked:
        summary = match.advisory.summary
        if summary and (summary := summary.strip()):
            return summary
    for match in ranked:
        details = (match.advisory.details or "").strip()
        if details:
            line = details.split("\n\n", 1)[0].replace("\n", " ").strip()
            return line if len(line) <= _SUMMARY_LENGTH else line[: _SUMMARY_LENGTH - 1] + "…"
    return None


def _exploitation(
    store: AdvisoryStore, cves: Sequence[str]
) -> tuple[KevEntry | None, EpssScore | None]:
    kev: KevEntry | None = None
    epss: EpssScore | None = None
    for cve in cves:
        if kev is None:
            kev = store.kev(cve)
        score = store.epss(cve)
        if score is not None and (epss is None or score.score > epss.score):
            epss = score
    return kev, epss


def cmp_order_key(less: Callable[[Any, Any], bool]) -> Callable[[Any], Any]:
    """A sort key from a `less` function over version keys."""
    return cmp_to_key(lambda a, b: -1 if less(a, b) else int(less(b, a)))
