"""Every finding of a scan as one row, in risk order, with the policy's decision: what the
JUnit, Markdown and HTML reports list. Remediation text is shared here too, so every
format gives the same advice."""

from dataclasses import dataclass

from seawall.model.finding import Severity
from seawall.model.policy import (
    Decision,
    FindingDecision,
    FindingKind,
    Remediation,
    RemediationKind,
)
from seawall.model.scan import ScanResult
from seawall.report.sbom.common import layer_at
from seawall.report.scan.common import Redactor, short_created_by
from seawall.report.scan.risk import in_risk_order
from seawall.report.terminal import printable


@dataclass(frozen=True, slots=True)
class Row:
    kind: FindingKind
    id: str
    what: str
    """The package and version, the secret's place, the checked target."""
    severity: Severity
    layer: int | None
    fix: str
    fingerprint: str
    decision: FindingDecision | None

    @property
    def risk(self) -> float | None:
        return None if self.decision is None else self.decision.risk.score

    @property
    def suppressed(self) -> bool:
        return self.decision is not None and self.decision.decision is Decision.SUPPRESSED


def rows(result: ScanResult) -> list[Row]:
    """Every finding (licence findings of the policy included), most urgent first."""
    decisions = result.policy.by_fingerprint() if result.policy is not None else {}
    out: list[Row] = []
    for v in in_risk_order(result.vulnerabilities, result.policy):
        fix = f"upgrade to {' or '.join(v.fixed_versions)}" if v.fixed_versions else "no fix yet"
        out.append(
            Row(
                FindingKind.VULNERABILITY,
                v.id,
                f"{v.package.name} {v.package.version}",
                v.severity,
                v.layer,
                fix,
                v.fingerprint,
                decisions.get(v.fingerprint),
            )
        )
    for s in result.secrets:
        where = s.location.path or s.location.field or f"history entry {s.location.history_index}"
        if s.still_extractable:
            where += f" (deleted in layer {s.location.removed_in}, still extractable)"
        out.append(
            Row(
                FindingKind.SECRET,
                s.rule_id,
                f"{s.title}: {s.preview} in {where}",
                s.severity,
                s.location.layer,
                "revoke and rotate the credential, then rebuild without it",
                s.fingerprint,
                decisions.get(s.fingerprint),
            )
        )
    for m in result.misconfigurations:
        out.append(
            Row(
                FindingKind.MISCONFIGURATION,
                m.check_id,
                f"{m.title}: {m.message}",
                m.severity,
                m.layer,
                m.remediation,
                m.fingerprint,
                decisions.get(m.fingerprint),
            )
        )
    if result.policy is not None:
        for d in result.policy.decisions:
            if d.kind is FindingKind.LICENCE:
                out.append(
                    Row(
                        FindingKind.LICENCE,
                        d.finding_id,
                        d.subject or "",
                        Severity.UNKNOWN,
                        None,
                        "replace the package or obtain another licence",
                        d.fingerprint,
                        d,
                    )
                )
    if result.policy is not None:
        # Risk first; within equal risk the kinds keep the order above.
        order = {row.fingerprint: index for index, row in enumerate(out)}
        out.sort(key=lambda r: (-(r.risk or 0.0), order[r.fingerprint]))
    return out


def remediation_text(remediation: Remediation, result: ScanResult) -> str:
    """One line of advice, with the base image's build step (redacted) where known."""
    text = remediation.summary
    if remediation.kind is RemediationKind.BASE_IMAGE and remediation.layers:
        layer = layer_at(result.image, remediation.layers[-1])
        if layer is not None and layer.created_by:
            step = short_created_by(Redactor.for_image(result.image).redact(layer.created_by))
            text += f" (base ends at `{printable(step)[:80]}`)"
    ids = ", ".join(remediation.fixed_ids[:6])
    if len(remediation.fixed_ids) > 6:
        ids += f" and {len(remediation.fixed_ids) - 6} more"
    return f"{text}: {ids}"


def decision_text(row: Row) -> str:
    if row.decision is None:
        return ""
    return row.decision.decision.value
