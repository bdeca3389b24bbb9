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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from seawall.match.fingerprint import vulnerability_fingerprint
from seawall.match.severity import RecordSeverity, normalised
from seawall.model.advisory import Advisory, AdvisoryStore, AffectedPackage, EpssScore, KevEntry
from seawall.model.finding import CvssScore, MatchReason, SeverityLabel, VulnerabilityFinding
from seawall.model.package import DISTRO_ECOSYSTEMS, Package

_CVE = re.compile(r"CVE-(\d{4})-(\d{4,19})")
_SUMMARY_LENGTH = 240


@dataclass(frozen=True, slots=True)
class RecordMatch:
    """One record that matched one package, with everything a finding takes from it."""

    advisory: Advisory
    entry: AffectedPackage
    reason: MatchReason
    fixed: tuple[tuple[Any, str], ...]
    """(version key, version as written) of every fix above the installed version."""
    severity: RecordSeverity


def is_cve(identifier: str) -> bool:
    return _CVE.fullmatch(identifier) is not None


def _cve_order(identifier: str) -> tuple[int, int]:
    match = _CVE.fullmatch(identifier)
    assert match is not None
    return int(match.group(1)), int(match.group(2))


def _informativeness(match: RecordMatch) -> tuple[bool, int, bool, int]:
    advisory = match.advisory
    return (
        bool(advisory.summary and advisory.summary.strip()),
        len(match.severity.scores),
        bool(match.severity.labels),
        len(advisory.details or ""),
    )


def _best_first(matches: Iterable[RecordMatch]) -> list[RecordMatch]:
    by_id = sorted(matches, key=lambda match: match.advisory.id)
    return sorted(by_id, key=_informativeness, reverse=True)


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
        if root_a != root_b:
            # The smaller id becomes the root: the grouping does not depend on order.
            low, high = sorted((root_a, root_b))
            self.parent[high] = low


def _ids(match: RecordMatch) -> set[str]:
    return {match.advisory.id, *match.advisory.aliases}


def _is_bundle(match: RecordMatch, package: Package) -> bool:
    return (
        package.ecosystem in DISTRO_ECOSYSTEMS
        and bool(match.advisory.related)
        and not any(is_cve(identifier) for identifier in _ids(match))
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
    union = _UnionFind()
    for match in matches:
        for alias in match.advisory.aliases:
            union.union(match.advisory.id, alias)
    by_root: dict[str, list[RecordMatch]] = {}
    for match in matches:
        by_root.setdefault(union.find(match.advisory.id), []).append(match)
    groups = [
        _Group(members, set().union(*(_ids(m) for m in members)), set(), set())
        for _, members in sorted(by_root.items())
    ]
    kept: list[_Group] = []
    bundles: list[_Group] = []
    for candidate in groups:
        if all(_is_bundle(match, package) for match in candidate.matches):
            bundles.append(candidate)
        else:
            kept.append(candidate)
    for bundle in bundles:
        related = {r for match in bundle.matches for r in match.advisory.related}
        covered: set[str] = set()
        for target in kept:
            shared = related & target.ids
            if shared:
                covered |= shared
                target.matches.extend(bundle.matches)
                target.related |= bundle.ids
        if related - covered:
            bundle.related |= related
            bundle.bundled_cves |= {r for r in related if is_cve(r)}
            kept.append(bundle)
    return kept


def build_finding(
    found: _Group,
    package: Package,
    store: AdvisoryStore,
    order_key: Callable[[Any], Any],
) -> VulnerabilityFinding:
    """The finding of one group of matched records."""
    own = _best_first(match for match in found.matches if match.advisory.id in found.ids)
    folded = _best_first(match for match in found.matches if match.advisory.id not in found.ids)
    # A folded bundle's text describes several CVEs: the group's own records come first.
    ranked = own + folded
    cves = sorted((i for i in found.ids if is_cve(i)), key=_cve_order)
    preferred = cves[0] if cves else ranked[0].advisory.id
    aliases = (preferred, *sorted(found.ids - {preferred}))
    related = set(found.related)
    for match in own:  # a folded bundle's other CVEs are not related to this one
        related |= set(match.advisory.related)
    related -= found.ids

    scores: list[CvssScore] = []
    seen_vectors: set[str] = set()
    labels: list[SeverityLabel] = []
    for match in ranked:
        for score in match.severity.scores:
            if score.vector not in seen_vectors:
                seen_vectors.add(score.vector)
                scores.append(score)
        labels.extend(match.severity.labels)

    kev, epss = _exploitation(store, [*cves, *sorted(found.bundled_cves - set(cves))])
    return VulnerabilityFinding(
        id=preferred,
        aliases=aliases,
        package=package,
        fixed_versions=_fixed_versions(found.matches, order_key),
        severity=normalised(scores, labels),
        cvss=tuple(scores),
        summary=_summary(own, folded),
        references=tuple(
            dict.fromkeys(ref.url for match in ranked for ref in match.advisory.references)
        ),
        reasons=tuple(sorted({match.reason for match in found.matches}, key=_reason_order)),
        fingerprint=vulnerability_fingerprint(preferred, package),
        published=min((m.advisory.published for m in ranked if m.advisory.published), default=None),
        modified=max((m.advisory.modified for m in ranked if m.advisory.modified), default=None),
        kev=kev,
        epss=epss,
        severity_labels=tuple(dict.fromkeys(labels)),
        related=tuple(sorted(related)),
    )


def _reason_order(reason: MatchReason) -> tuple[str, str, str]:
    return reason.record, reason.range, reason.decision


def _fixed_versions(
    matches: Iterable[RecordMatch], order_key: Callable[[Any], Any]
) -> tuple[str, ...]:
    fixes: list[tuple[Any, str]] = []
    for match in matches:
        fixes.extend(match.fixed)
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


def _summary(own: Sequence[RecordMatch], folded: Sequence[RecordMatch]) -> str | None:
    return _text_of(own) or _text_of(folded)


def _text_of(ranked: Sequence[RecordMatch]) -> str | None:
    for match in ranked:
        if match.advisory.summary and match.advisory.summary.strip():
            return match.advisory.summary.strip()
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
