"""The risk score: 0-100 per finding, and the image's score and grade (docs/risk.md).

    score = min(100, (severity + exploitation + fix + exposure) * ownership * context)

- severity: 4 * the CVSS base score (the newest CVSS version, highest score),
  or a stand-in from the normalised severity when there is no vector (0-40);
- exploitation: +20 when CISA KEV lists it, + 20 * √EPSS (0-40);
- fix: +5 when a fixed version exists (the fix is public, so is the flaw);
- exposure: +5 on PATH, +2.5 when unknown, 0 when an executable off PATH;
- ownership: * 0.85 in the base image's layers, * 1 in the application's or unknown;
- context: * internet-facing (1.25 yes, 0.8 no) * the most sensitive data
  class (payment, health, credentials 1.2; personal 1.1) * criticality
  (low 0.8, medium 1, high 1.15, critical 1.3); a context not given counts 1.

Secrets score their severity plus 20 for being usable as found; misconfigurations
their severity; both take the ownership and context factors. Licence findings
score 0: they are a legal risk, decided by the policy, not ranked here.
"""

import math
from collections.abc import Iterable

from seawall.model.finding import (
    CvssScore,
    MisconfigFinding,
    SecretFinding,
    Severity,
    VulnerabilityFinding,
)
from seawall.model.policy import (
    BusinessContext,
    Criticality,
    DataClass,
    Grade,
    ImageRisk,
    RiskPart,
    RiskScore,
)

SEVERITY_WEIGHT = 4.0
KEV_POINTS = 20.0
EPSS_POINTS = 20.0
FIX_POINTS = 5.0
ON_PATH_POINTS = 5.0
UNKNOWN_PATH_POINTS = 2.5
SECRET_POINTS = 20.0
BASE_IMAGE_FACTOR = 0.85
INTERNET_FACING = {True: 1.25, False: 0.8}
DATA_FACTORS = {
    DataClass.PAYMENT: 1.2,
    DataClass.HEALTH: 1.2,
    DataClass.CREDENTIALS: 1.2,
    DataClass.PERSONAL: 1.1,
}
CRITICALITY_FACTORS = {
    Criticality.LOW: 0.8,
    Criticality.MEDIUM: 1.0,
    Criticality.HIGH: 1.15,
    Criticality.CRITICAL: 1.3,
}
STAND_IN_CVSS = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.5,
    Severity.NEGLIGIBLE: 1.0,
    Severity.UNKNOWN: 5.0,
}
GRADE_BOUNDS = ((15.0, Grade.A), (35.0, Grade.B), (55.0, Grade.C), (75.0, Grade.D))
"""Upper bounds (exclusive) of each grade's image score; F above the last."""
BREADTH_POINTS = 10.0
BREADTH_THRESHOLD = 40.0
BREADTH_COUNT = 20


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


def preferred_cvss(scores: Iterable[CvssScore]) -> CvssScore | None:
    """The newest CVSS version's highest base score (the reporters' choice too)."""
    return max(scores, key=lambda s: (_version_key(s.version), s.base_score), default=None)


def _severity_part(finding_severity: Severity, cvss: CvssScore | None) -> RiskPart:
    if cvss is not None:
        return RiskPart(
            "severity",
            round(SEVERITY_WEIGHT * cvss.base_score, 2),
            f"CVSS {cvss.version} base {cvss.base_score:.1f}",
        )
    stand_in = STAND_IN_CVSS[finding_severity]
    return RiskPart(
        "severity",
        SEVERITY_WEIGHT * stand_in,
        f"no CVSS vector; severity {finding_severity.value} counts as {stand_in:.1f}",
    )


def _ownership_part(layer: int | None, base_layers: int | None) -> RiskPart:
    if layer is None or base_layers is None:
        return RiskPart("ownership", 1.0, "layer ownership unknown", multiplier=True)
    if layer < base_layers:
        return RiskPart(
            "ownership", BASE_IMAGE_FACTOR, f"in the base image (layer {layer})", multiplier=True
        )
    return RiskPart("ownership", 1.0, f"in an application layer (layer {layer})", multiplier=True)


def context_parts(context: BusinessContext) -> list[RiskPart]:
    parts = []
    if context.internet_facing is not None:
        parts.append(
            RiskPart(
                "internet-facing",
                INTERNET_FACING[context.internet_facing],
                "internet-facing" if context.internet_facing else "not internet-facing",
                multiplier=True,
            )
        )
    if context.data_classes:
        worst = max(context.data_classes, key=lambda d: (DATA_FACTORS[d], d.value))
        parts.append(
            RiskPart("data", DATA_FACTORS[worst], f"handles {worst.value} data", multiplier=True)
        )
    if context.criticality is not None:
        parts.append(
            RiskPart(
                "criticality",
                CRITICALITY_FACTORS[context.criticality],
                f"{context.criticality.value} criticality",
                multiplier=True,
            )
        )
    return parts


def _total(parts: list[RiskPart]) -> RiskScore:
    points = sum(part.value for part in parts if not part.multiplier)
    factor = math.prod(part.value for part in parts if part.multiplier)
    return RiskScore(round(min(100.0, max(0.0, points * factor)), 1), tuple(parts))


def vulnerability_risk(
    finding: VulnerabilityFinding,
    *,
    base_layers: int | None,
    on_path: bool | None,
    context: BusinessContext,
) -> RiskScore:
    parts = [_severity_part(finding.severity, preferred_cvss(finding.cvss))]
    if finding.kev is not None:
        parts.append(RiskPart("kev", KEV_POINTS, "in CISA KEV (known exploited)"))
    if finding.epss is not None:
        parts.append(
            RiskPart(
                "epss",
                round(EPSS_POINTS * math.sqrt(max(0.0, min(1.0, finding.epss.score))), 2),
                f"EPSS {finding.epss.score:.5f}",
            )
        )
    if finding.fixable:
        parts.append(RiskPart("fix", FIX_POINTS, "a fixed version exists"))
    else:
        parts.append(RiskPart("fix", 0.0, "no fix yet"))
    if on_path is True:
        parts.append(RiskPart("exposure", ON_PATH_POINTS, "executable on PATH"))
    elif on_path is False:
        parts.append(RiskPart("exposure", 0.0, "executable off PATH"))
    else:
        parts.append(RiskPart("exposure", UNKNOWN_PATH_POINTS, "reachability unknown"))
    parts.append(_ownership_part(finding.layer, base_layers))
    parts.extend(context_parts(context))
    return _total(parts)


def secret_risk(
    finding: SecretFinding, *, base_layers: int | None, context: BusinessContext
) -> RiskScore:
    parts = [
        _severity_part(finding.severity, None),
        RiskPart("exploitation", SECRET_POINTS, "a leaked credential is usable as found"),
        _ownership_part(finding.location.layer, base_layers),
        *context_parts(context),
    ]
    return _total(parts)


def misconfig_risk(
    finding: MisconfigFinding, *, base_layers: int | None, context: BusinessContext
) -> RiskScore:
    parts = [
        _severity_part(finding.severity, None),
        _ownership_part(finding.layer, base_layers),
        *context_parts(context),
    ]
    return _total(parts)


def licence_risk() -> RiskScore:
    return RiskScore(0.0, (RiskPart("licence", 0.0, "licences are decided by policy, not scored"),))


def image_risk(scores: Iterable[float]) -> ImageRisk:
    """The worst finding's score plus up to 10 for breadth (findings scoring ≥ 40); its grade."""
    values = sorted(scores, reverse=True)
    if not values:
        return ImageRisk(0.0, Grade.A, "no findings count against the image")
    worst = values[0]
    broad = sum(1 for value in values if value >= BREADTH_THRESHOLD)
    breadth = BREADTH_POINTS * min(1.0, broad / BREADTH_COUNT)
    score = round(min(100.0, worst + breadth), 1)
    grade = next((grade for bound, grade in GRADE_BOUNDS if score < bound), Grade.F)
    explanation = f"worst finding {worst:.1f}"
    if broad:
        explanation += f" + {breadth:.1f} for {broad} finding(s) scoring ≥ {BREADTH_THRESHOLD:.0f}"
    return ImageRisk(score, grade, explanation)
