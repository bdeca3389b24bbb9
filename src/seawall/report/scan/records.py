"""Plain-data records of secrets, misconfigurations and the policy result, for the native
JSON (`seawall.scan/v1`, described by scan.schema.json) and every format built on it.

Secrets carry only their redacted preview, never a value. Suppressed findings
keep their decision and what suppressed it (issue 7).
"""

from typing import Any

from seawall.model.finding import MisconfigFinding, SecretFinding
from seawall.model.policy import (
    FindingDecision,
    PolicyResult,
    Remediation,
    RiskScore,
    Suppression,
)


def secret_record(finding: SecretFinding) -> dict[str, Any]:
    location = finding.location
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "location": {
            "source": location.source.value,
            "path": location.path,
            "line": location.line,
            "layer": location.layer,
            "removed_in": location.removed_in,
            "field": location.field,
            "history_index": location.history_index,
            "commit": location.commit,
        },
        "preview": finding.preview,
        "still_extractable": finding.still_extractable,
        "fingerprint": finding.fingerprint,
    }


def misconfig_record(finding: MisconfigFinding) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "message": finding.message,
        "target": finding.target,
        "remediation": finding.remediation,
        "path": finding.path,
        "line": finding.line,
        "layer": finding.layer,
        "controls": list(finding.controls),
        "fingerprint": finding.fingerprint,
    }


def risk_record(risk: RiskScore) -> dict[str, Any]:
    return {
        "score": risk.score,
        "parts": [
            {
                "name": part.name,
                "value": part.value,
                "detail": part.detail,
                "multiplier": part.multiplier,
            }
            for part in risk.parts
        ],
    }


def suppression_record(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {
        "kind": suppression.kind.value,
        "source": suppression.source,
        "statement": suppression.statement,
        "reason": suppression.reason,
        "status": suppression.status,
        "justification": suppression.justification,
        "owner": suppression.owner,
        "expires": suppression.expires,
        "timestamp": suppression.timestamp,
    }


def decision_record(decision: FindingDecision) -> dict[str, Any]:
    return {
        "fingerprint": decision.fingerprint,
        "kind": decision.kind.value,
        "id": decision.finding_id,
        "decision": decision.decision.value,
        "rules": list(decision.rules),
        "reason": decision.reason,
        "risk": risk_record(decision.risk),
        "suppressed_by": suppression_record(decision.suppressed_by),
        "annotations": [
            {"source": a.source, "statement": a.statement, "status": a.status, "detail": a.detail}
            for a in decision.annotations
        ],
        "in_baseline": decision.in_baseline,
        "subject": decision.subject,
    }


def remediation_record(remediation: Remediation) -> dict[str, Any]:
    return {
        "kind": remediation.kind.value,
        "target": remediation.target,
        "purl": remediation.purl,
        "installed": remediation.installed,
        "upgrade_to": remediation.upgrade_to,
        "layers": list(remediation.layers),
        "fixes": list(remediation.fixes),
        "fixed_ids": list(remediation.fixed_ids),
        "unfixed_ids": list(remediation.unfixed_ids),
        "max_risk": remediation.max_risk,
        "summary": remediation.summary,
    }


def policy_record(policy: PolicyResult | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    context = policy.context
    risk = policy.image_risk
    return {
        "verdict": policy.verdict.value,
        "policy": policy.policy,
        "evaluated_at": policy.evaluated_at,
        "baseline": policy.baseline,
        "vex_documents": list(policy.vex_documents),
        "context": {
            "internet_facing": context.internet_facing,
            "data": sorted(d.value for d in context.data_classes),
            "criticality": None if context.criticality is None else context.criticality.value,
        },
        "image_risk": None
        if risk is None
        else {"score": risk.score, "grade": risk.grade.value, "explanation": risk.explanation},
        "base_layers": policy.base_layers,
        "decisions": [decision_record(d) for d in policy.decisions],
        "violations": [
            {"rule": v.rule, "decision": v.decision.value, "message": v.message}
            for v in policy.violations
        ],
        "expired_ignores": [
            {
                "source": e.source,
                "entry": e.entry,
                "selector": e.selector,
                "reason": e.reason,
                "owner": e.owner,
                "expires": e.expires,
                "would_match": e.would_match,
            }
            for e in policy.expired_ignores
        ],
        "remediations": [remediation_record(r) for r in policy.remediations],
    }
