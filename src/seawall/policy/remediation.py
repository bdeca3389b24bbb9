"""The remediation plan: which upgrade fixes the most findings, per package and per base image.

Per package: among the fixed versions each finding lists, the lowest one
above the installed version fixes that finding; the highest of those fixes
them all (werkzeug 2.3.7 with fixes in 2.3.8 and 3.0.1 → 2.3.8). Versions
are compared with the ecosystem's own rules through the `compare` function
the caller passes (`seawall.versions.compare`; this stage may not import
it); without one, or when a version will not parse, a natural order
(numbers as numbers) stands in.

Per base image: when the history says which layers are the base's
(`layers.base_layer_count`), the fixable findings in packages those layers
installed are fixed by rebuilding on an updated base image, one action.

Suppressed findings need no action and are left out. The plan lists the
action fixing the most findings first, then the one with the riskiest finding.
"""

import re
from collections.abc import Callable, Iterable

from seawall.model.finding import VulnerabilityFinding
from seawall.model.policy import Remediation, RemediationKind

VersionCompare = Callable[[str, str, str], int]
"""(OSV ecosystem, a, b) → -1, 0, 1, like `seawall.versions.compare`."""

_RUNS = re.compile(r"\d+|[A-Za-z]+")


def _natural_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(run)) if run.isdigit() else (1, run) for run in _RUNS.findall(version))


def _natural_compare(_ecosystem: str, a: str, b: str) -> int:
    key_a, key_b = _natural_key(a), _natural_key(b)
    return (key_a > key_b) - (key_a < key_b)


def _comparer(compare: VersionCompare | None) -> VersionCompare:
    if compare is None:
        return _natural_compare

    def safe(ecosystem: str, a: str, b: str) -> int:
        try:
            return compare(ecosystem, a, b)
        except Exception:  # a version the ecosystem's rules reject: order it naturally
            return _natural_compare(ecosystem, a, b)

    return safe


def _lowest_fix(finding: VulnerabilityFinding, compare: VersionCompare) -> str:
    ecosystem = finding.package.osv_ecosystem
    installed = finding.package.version
    above = [v for v in finding.fixed_versions if compare(ecosystem, v, installed) > 0]
    candidates = above or list(finding.fixed_versions)
    best = candidates[0]
    for version in candidates[1:]:
        if compare(ecosystem, version, best) < 0:
            best = version
    return best


def plan(
    findings: Iterable[VulnerabilityFinding],
    risk: dict[str, float],
    base_layers: int | None,
    compare: VersionCompare | None = None,
) -> tuple[Remediation, ...]:
    """Remediations for the (unsuppressed) findings; `risk` maps fingerprints to scores."""
    compare = _comparer(compare)
    groups: dict[tuple[str, str, str], list[VulnerabilityFinding]] = {}
    for finding in findings:
        package = finding.package
        groups.setdefault((package.purl, package.name, package.version), []).append(finding)
    actions: list[Remediation] = []
    base: list[VulnerabilityFinding] = []
    for (purl, name, version), group in groups.items():
        fixable = [f for f in group if f.fixable]
        unfixed = sorted({f.id for f in group if not f.fixable})
        if not fixable:
            continue
        ecosystem = group[0].package.osv_ecosystem
        target = _lowest_fix(fixable[0], compare)
        for finding in fixable[1:]:
            candidate = _lowest_fix(finding, compare)
            if compare(ecosystem, candidate, target) > 0:
                target = candidate
        layers = sorted({f.layer for f in group if f.layer is not None})
        actions.append(
            Remediation(
                kind=RemediationKind.PACKAGE,
                target=name,
                fixes=tuple(sorted(f.fingerprint for f in fixable)),
                fixed_ids=tuple(sorted({f.id for f in fixable})),
                max_risk=max(risk.get(f.fingerprint, 0.0) for f in fixable),
                purl=purl,
                installed=version,
                upgrade_to=target,
                layers=tuple(layers),
                unfixed_ids=tuple(unfixed),
            )
        )
        if base_layers is not None:
            base.extend(f for f in fixable if f.layer is not None and f.layer < base_layers)
    if base and base_layers is not None:
        last = base_layers - 1
        actions.append(
            Remediation(
                kind=RemediationKind.BASE_IMAGE,
                target="layer 0" if last == 0 else f"layers 0-{last}",
                fixes=tuple(sorted(f.fingerprint for f in base)),
                fixed_ids=tuple(sorted({f.id for f in base})),
                max_risk=max(risk.get(f.fingerprint, 0.0) for f in base),
                layers=tuple(range(base_layers)),
            )
        )
    actions.sort(key=lambda a: (-len(a.fixes), -a.max_risk, a.kind.value, a.target, a.purl or ""))
    return tuple(actions)
