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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

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
from seawall.model.frozen import builder
from seawall.model.package import DISTRO_ECOSYSTEMS, Package

new_finding: Callable[..., VulnerabilityFinding] = builder(VulnerabilityFinding)
"""`VulnerabilityFinding(*every field)`, built faster (seawall.model.frozen): one per finding."""

_SUMMARY_LENGTH = 240


class RecordMatch(NamedTuple):
    """One record that matched one package, with everything a finding takes from it.

    (A named tuple: one is built per matched record.)
    """

    advisory: AdvisorySummary
    entry: AffectedPackage
    reason: MatchReason
    fixed: tuple[tuple[Any, str], ...]
    """(version key, version as written) of every fix above the installed version."""
    severity: RecordSeverity


def is_cve(identifier: str) -> bool:
    return _cve_key(identifier) is not None


def _cve_key(identifier: str) -> tuple[int, int, str] | None:
    """The order of CVE ids (year, then number; the id breaks a tie), or None for another id.

    A CVE id is `CVE-`, four decimal digits, `-`, then 4 to 19 decimal digits.
    """
    if not identifier.startswith("CVE-"):
        return None
    year, dash, number = identifier[4:].partition("-")
    if (
        dash
        and len(year) == 4
        and year.isdecimal()
        and 4 <= len(number) <= 19
        and number.isdecimal()
    ):
        return int(year), int(number), identifier
    return None


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
    groups = _apart(matches)
    if groups is None:
        groups = _joined(matches)
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


def _apart(matches: Sequence[RecordMatch]) -> list[_Group] | None:
    """One group per record, when no two records share an id (the usual case); else None.

    The groups are ordered as `_joined` orders them: by their smallest id.
    """
    seen: set[str] = set()
    found: list[tuple[str, RecordMatch, set[str]]] = []
    for match in matches:
        advisory = match.advisory
        ids = {advisory.id, *advisory.aliases}
        if not seen.isdisjoint(ids):
            return None
        seen |= ids
        found.append((min(ids), match, ids))
    found.sort(key=_root)
    return [_Group([match], ids, set(), set()) for _, match, ids in found]


def _root(item: tuple[str, RecordMatch, set[str]]) -> str:
    return item[0]


def _joined(matches: Sequence[RecordMatch]) -> list[_Group]:
    """The records grouped by shared ids (union-find), ordered by each group's smallest id."""
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
    return groups


def build_finding(
    found: _Group,
    package: Package,
    store: AdvisoryStore,
    epss_scores: Mapping[str, EpssScore],
    package_part: str | None = None,
) -> VulnerabilityFinding:
    """The finding of one group of matched records.

    `epss_scores`: the EPSS scores (`AdvisoryStore.epss_of`) of the CVEs among the ids,
    aliases and related ids of its records (`exploitation_ids`), read at once for
    many groups. `package_part`: `fingerprint.package_part(package)`, when the caller
    has it.
    """
    ids = found.ids
    matches = found.matches
    if package_part is None:
        package_part = fingerprint.package_part(package)
    if len(matches) == 1:
        return _one_record(found, matches[0], package, store, epss_scores, package_part)
    own = _best_first([match for match in matches if match.advisory.id in ids])
    folded = _best_first([match for match in matches if match.advisory.id not in ids])
    # A folded bundle's text describes several CVEs: the group's own records come first.
    ranked = own + folded if folded else own
    cves = _cves(ids)
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

    kev, epss = exploitation(store.kev, epss_scores, _exploited(cves, found.bundled_cves))
    references = tuple(dict.fromkeys(url for m in ranked for url in m.advisory.references))
    published = min((m.advisory.published for m in ranked if m.advisory.published), default=None)
    modified = max((m.advisory.modified for m in ranked if m.advisory.modified), default=None)
    return new_finding(
        preferred,
        aliases,
        package,
        _fixed_versions(matches),
        normalised(scores, labels) if scores or labels else Severity.UNKNOWN,
        tuple(scores),
        _text_of(own) or _text_of(folded),
        references,
        tuple(sorted({match.reason for match in matches}, key=_reason_order)),
        fingerprint.fingerprint_with(preferred, package_part),
        published,
        modified,
        kev,
        epss,
        tuple(dict.fromkeys(labels)) if labels else (),
        tuple(sorted(related)) if related else (),
    )


def _one_record(
    found: _Group,
    match: RecordMatch,
    package: Package,
    store: AdvisoryStore,
    epss_scores: Mapping[str, EpssScore],
    package_part: str,
) -> VulnerabilityFinding:
    """`build_finding` of a group of one record (most groups), with less work."""
    advisory = match.advisory
    ids = found.ids
    cves = _cves(ids)
    preferred = cves[0][2] if cves else advisory.id
    aliases = (preferred, *sorted(ids - {preferred})) if len(ids) > 1 else (preferred,)
    related = found.related.union(advisory.related) if advisory.related else found.related
    related = related - ids if related else related
    severity = match.severity
    scores = severity.scores  # one record's scores name each vector once
    labels = severity.labels
    kev, epss = exploitation(store.kev, epss_scores, _exploited(cves, found.bundled_cves))
    fixed = match.fixed
    return new_finding(
        preferred,
        aliases,
        package,
        tuple([version for _, version in fixed]) if len(fixed) < 2 else _fixed_versions([match]),
        normalised(scores, labels) if scores or labels else Severity.UNKNOWN,
        scores,
        _text_of((match,)),
        tuple(dict.fromkeys(advisory.references)),
        (match.reason,),
        fingerprint.fingerprint_with(preferred, package_part),
        advisory.published or None,
        advisory.modified or None,
        kev,
        epss,
        tuple(dict.fromkeys(labels)) if labels else (),
        tuple(sorted(related)) if related else (),
    )


def _cves(ids: set[str]) -> list[tuple[int, int, str]]:
    """The CVE ids among `ids`, in their order (`_cve_key`)."""
    found = [
        key
        for identifier in ids
        if identifier.startswith("CVE-") and (key := _cve_key(identifier)) is not None
    ]
    if len(found) > 1:
        found.sort()
    return found


def exploitation_cves(found: _Group) -> list[str]:
    """The CVEs whose KEV and EPSS entries the finding of `found` takes (`build_finding`)."""
    return _exploited(_cves(found.ids), found.bundled_cves)


def _exploited(cves: list[tuple[int, int, str]], bundled: set[str]) -> list[str]:
    """The CVEs whose KEV and EPSS entries a finding takes: its own, then a bundle's."""
    cve_ids = [key[2] for key in cves]
    if bundled:
        cve_ids.extend(sorted(bundled.difference(cve_ids)))
    return cve_ids


def _reason_order(reason: MatchReason) -> tuple[str, str, str]:
    return reason.record, reason.range, reason.decision


def _fixed_versions(matches: list[RecordMatch]) -> tuple[str, ...]:
    if len(matches) == 1 and len(matches[0].fixed) < 2:
        return tuple([version for _, version in matches[0].fixed])
    fixes: list[tuple[Any, str]] = []
    for match in matches:
        fixes.extend(match.fixed)
    if len(fixes) < 2:
        return tuple([version for _, version in fixes])
    # By version (fixed events never have the BOTTOM or TOP key), then by spelling.
    fixes.sort(key=_spelling)
    fixes.sort(key=_version_key)
    distinct: list[tuple[Any, str]] = []
    for key, version in fixes:
        # One entry per version under the ecosystem's order (`1.0` and `1.0.0`
        # are one PyPI version): the first spelling in sorted order stays.
        if distinct and not distinct[-1][0] < key:
            continue
        distinct.append((key, version))
    return tuple(version for _, version in distinct)


def _spelling(fix: tuple[Any, str]) -> str:
    return fix[1]


def _version_key(fix: tuple[Any, str]) -> Any:
    return fix[0]


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


def exploitation(
    kev_of: Callable[[str], KevEntry | None], scores: Mapping[str, EpssScore], cves: Sequence[str]
) -> tuple[KevEntry | None, EpssScore | None]:
    """The KEV entry (`kev_of(cve)`) of the first of `cves` in the catalogue, and the
    highest EPSS score among theirs (`scores`, read beforehand)."""
    kev: KevEntry | None = None
    epss: EpssScore | None = None
    for cve in cves:
        if kev is None:
            kev = kev_of(cve)
        score = scores.get(cve)
        if score is not None and (epss is None or score.score > epss.score):
            epss = score
    return kev, epss


def exploitation_ids(advisories: Iterable[AdvisorySummary]) -> list[str]:
    """Every CVE whose EPSS score a finding of these records can take (`build_finding`'s
    `epss_scores`): their ids, aliases and related ids that are CVEs."""
    found: dict[str, None] = {}
    for advisory in advisories:
        for identifier in (advisory.id, *advisory.aliases, *advisory.related):
            if identifier.startswith("CVE-"):
                found[identifier] = None
    return list(found)
