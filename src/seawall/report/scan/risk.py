"""The order findings are reported in, and the CVSS score that stands for a finding.

Risk order (issue 4, "sorted by risk"): known exploited first (CISA KEV),
then the likelihood of exploitation (EPSS, highest first; a finding without
an EPSS score comes after every scored one), then the normalised severity,
then the CVSS base score, then the id. The package and the fingerprint break
the remaining ties so the order never depends on the order the matcher
produced.

With a policy result (issue 7), the finding's risk score (docs/risk.md) goes
in front of all of this: highest score first; the fields above break ties.
"""

from typing import NamedTuple

from seawall.model.finding import CvssScore, VulnerabilityFinding
from seawall.model.policy import PolicyResult

# A CVSS version as a sortable tuple; an unparseable version sorts oldest.
_NO_VERSION = (-1,)


def cvss_version_key(version: str) -> tuple[int, ...]:
    """`3.1` → (3, 1), for ordering CVSS versions."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return _NO_VERSION


def preferred_cvss(finding: VulnerabilityFinding) -> CvssScore | None:
    """The CVSS score that stands for the finding: the newest CVSS version the
    records give, and of several scores in that version the highest (the
    conservative reading when sources disagree)."""
    if not finding.cvss:
        return None
    return max(finding.cvss, key=lambda s: (cvss_version_key(s.version), s.base_score))


class RiskOrderKey(NamedTuple):
    """Sort key for findings, ascending = most urgent first. Each field is
    oriented so that smaller sorts earlier."""

    risk: float
    """Negated risk score; 1.0 when there is none (the same for every finding without one)."""
    not_kev: bool
    epss: float
    """Negated EPSS score; 1.0 when there is none (after every real score)."""
    severity: int
    """Negated severity rank."""
    cvss: float
    """Negated preferred CVSS base score; 1.0 when there is none."""
    id: str
    package: str
    version: str
    fingerprint: str


def risk_order_key(finding: VulnerabilityFinding, risk: float | None = None) -> RiskOrderKey:
    """The risk-order sort key of a finding, given its risk score when a policy ran."""
    cvss = preferred_cvss(finding)
    return RiskOrderKey(
        risk=-risk if risk is not None else 1.0,
        not_kev=finding.kev is None,
        epss=-finding.epss.score if finding.epss is not None else 1.0,
        severity=-finding.severity.rank,
        cvss=-cvss.base_score if cvss is not None else 1.0,
        id=finding.id,
        package=finding.package.name,
        version=finding.package.version,
        fingerprint=finding.fingerprint,
    )


def in_risk_order(
    findings: tuple[VulnerabilityFinding, ...], policy: PolicyResult | None = None
) -> list[VulnerabilityFinding]:
    """The findings, most urgent first (by risk score first when `policy` scored them)."""
    if policy is None:
        return sorted(findings, key=risk_order_key)
    scores = {d.fingerprint: d.risk.score for d in policy.decisions}
    return sorted(findings, key=lambda f: risk_order_key(f, scores.get(f.fingerprint)))
