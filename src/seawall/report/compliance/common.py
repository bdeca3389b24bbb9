"""What every compliance reporter shares: status words, ordering, record shapes."""

from typing import Any

from seawall.model.compliance import ComplianceReport, ControlResult, ControlStatus, FindingRef
from seawall.model.finding import MisconfigFinding

STATUS_ORDER = (
    ControlStatus.FAIL,
    ControlStatus.MANUAL,
    ControlStatus.PASS,
    ControlStatus.NOT_APPLICABLE,
)
STATUS_LABELS = {
    ControlStatus.PASS: "PASS",
    ControlStatus.FAIL: "FAIL",
    ControlStatus.MANUAL: "MANUAL",
    ControlStatus.NOT_APPLICABLE: "N/A",
}


def summary_counts(report: ComplianceReport) -> dict[str, int]:
    return {status.value: report.count(status) for status in STATUS_ORDER}


def finding_record(finding: FindingRef) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "id": finding.id,
        "title": finding.title,
        "severity": finding.severity.value,
        "location": finding.location,
        "fingerprint": finding.fingerprint,
    }


def control_record(result: ControlResult) -> dict[str, Any]:
    control = result.control
    return {
        "id": control.id,
        "title": control.title,
        "status": result.status.value,
        "evidence": [
            {"kind": e.kind.value, "status": e.status.value, "summary": e.summary}
            for e in result.evidence
        ],
        "manual_review": control.manual,
        "findings": [finding_record(f) for f in result.findings],
    }


def misconfig_record(finding: MisconfigFinding) -> dict[str, Any]:
    """A misconfiguration finding as JSON (shared by `seawall config` and evidence bundles)."""
    return {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "message": finding.message,
        "target": finding.target,
        "path": finding.path,
        "line": finding.line,
        "layer": finding.layer,
        "remediation": finding.remediation,
        "controls": list(finding.controls),
        "fingerprint": finding.fingerprint,
    }


def misconfig_order(finding: MisconfigFinding) -> tuple[int, str, str, int, str]:
    """Most severe first, then by file, line and check."""
    return (
        -finding.severity.rank,
        finding.path or finding.target,
        finding.check_id,
        finding.line or 0,
        finding.fingerprint,
    )
