"""Evaluating a framework's controls against a scan result.

Each control's evidence kinds are judged one by one:

- `misconfig`: the checks whose catalogue entry maps to the control. Only checks
  of a kind that ran count (image checks for an image, Dockerfile/Kubernetes
  checks for files): none ran → not applicable; a finding of one → fail; else pass.
- `vulnerabilities`: fail when a vulnerability is at least the control's
  threshold (and fixable, when the control counts only fixable ones).
- `secrets`: fail on any secret finding.
- `sbom`: pass when the inventory is complete (no cataloger problems).
- `database`: pass when the vulnerability data was updated within the control's
  maximum age.

Evidence that was not gathered (no vulnerability scan, no secret scan) is
*manual*, never pass: an absent scanner proves nothing. A control's status:
any fail → fail; else every evidence not applicable → not applicable; else any
manual → manual; else pass. A control with no automated evidence is manual.
A control's `manual` note, when it also has automated evidence, is shown as
what the auditor should review besides; it does not change the status.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from seawall.model.compliance import (
    CheckRef,
    ComplianceReport,
    Control,
    ControlResult,
    ControlStatus,
    Coverage,
    EvidenceKind,
    EvidenceResult,
    FindingRef,
    Framework,
)
from seawall.model.finding import MisconfigFinding, SecretFinding, VulnerabilityFinding
from seawall.model.scan import ScanResult

_MAX_FINDINGS_PER_CONTROL = 200


def evaluate(
    framework: Framework,
    result: ScanResult,
    checks: Sequence[CheckRef],
    coverage: Coverage,
    *,
    subject: str,
    now: datetime,
) -> ComplianceReport:
    """Every control of `framework`, decided from `result` (see the module docstring)."""
    results = tuple(
        _control(framework, control, result, checks, coverage, now)
        for control in framework.controls
    )
    return ComplianceReport(
        framework=framework,
        subject=subject,
        evaluated_at=now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        coverage=coverage,
        results=results,
    )


def _control(
    framework: Framework,
    control: Control,
    result: ScanResult,
    checks: Sequence[CheckRef],
    coverage: Coverage,
    now: datetime,
) -> ControlResult:
    if not control.evidence:
        # Nothing automated decides it; the report shows `control.manual`.
        return ControlResult(control, ControlStatus.MANUAL, (), ())
    evidence: list[EvidenceResult] = []
    findings: list[FindingRef] = []
    key = framework.key(control)
    for kind in control.evidence:
        if kind is EvidenceKind.MISCONFIG:
            judged, refs = _misconfig(key, result.misconfigurations, checks, coverage)
        elif kind is EvidenceKind.VULNERABILITIES:
            judged, refs = _vulnerabilities(control, result.vulnerabilities, coverage)
        elif kind is EvidenceKind.SECRETS:
            judged, refs = _secrets(result.secrets, coverage)
        elif kind is EvidenceKind.SBOM:
            judged, refs = _sbom(result, coverage), []
        else:
            judged, refs = _database(control, result, now), []
        evidence.append(judged)
        findings.extend(refs)
    return ControlResult(
        control, _combine(e.status for e in evidence), tuple(evidence), _bounded(findings)
    )


def _combine(statuses: Iterable[ControlStatus]) -> ControlStatus:
    seen = set(statuses)
    if ControlStatus.FAIL in seen:
        return ControlStatus.FAIL
    if seen <= {ControlStatus.NOT_APPLICABLE}:
        return ControlStatus.NOT_APPLICABLE
    if ControlStatus.MANUAL in seen:
        return ControlStatus.MANUAL
    return ControlStatus.PASS


def _bounded(findings: list[FindingRef]) -> tuple[FindingRef, ...]:
    unique = {finding.fingerprint: finding for finding in findings}
    ordered = sorted(
        unique.values(), key=lambda f: (-f.severity.rank, f.kind, f.id, f.location, f.fingerprint)
    )
    return tuple(ordered[:_MAX_FINDINGS_PER_CONTROL])


def _misconfig(
    key: str,
    misconfigurations: Sequence[MisconfigFinding],
    checks: Sequence[CheckRef],
    coverage: Coverage,
) -> tuple[EvidenceResult, list[FindingRef]]:
    mapped = [check for check in checks if key in check.controls]
    ran = [check for check in mapped if check.kind in coverage.misconfig_kinds]
    if not ran:
        kinds = sorted({check.kind for check in mapped}) or ["no"]
        summary = f"no {'/'.join(kinds)} checks map to this control for what was scanned"
        return EvidenceResult(EvidenceKind.MISCONFIG, ControlStatus.NOT_APPLICABLE, summary), []
    ids = {check.check_id for check in ran}
    failing = [f for f in misconfigurations if f.check_id in ids]
    refs = [
        FindingRef(
            kind="misconfiguration",
            id=f.check_id,
            title=f.title,
            severity=f.severity,
            location=_misconfig_location(f),
            fingerprint=f.fingerprint,
        )
        for f in failing
    ]
    if failing:
        failed_ids = sorted({f.check_id for f in failing})
        summary = (
            f"{len(failing)} finding(s) from {', '.join(failed_ids)} "
            f"({len(failed_ids)} of {len(ids)} mapped checks failed)"
        )
        return EvidenceResult(EvidenceKind.MISCONFIG, ControlStatus.FAIL, summary), refs
    summary = f"{len(ids)} mapped checks passed: " + ", ".join(sorted(ids))
    return EvidenceResult(EvidenceKind.MISCONFIG, ControlStatus.PASS, summary), []


def _misconfig_location(finding: MisconfigFinding) -> str:
    """`Deployment/web in deploy.yaml:12`, `Dockerfile:3`, `/usr/bin/x (layer 1)` or the target."""
    where = finding.path or finding.target
    if finding.line is not None:
        where = f"{where}:{finding.line}"
    if finding.layer is not None:
        where = f"{where} (layer {finding.layer})"
    if finding.line is not None and finding.target != finding.path:
        return f"{finding.target} in {where}"
    return where


def _vulnerabilities(
    control: Control, vulnerabilities: Sequence[VulnerabilityFinding], coverage: Coverage
) -> tuple[EvidenceResult, list[FindingRef]]:
    kind = EvidenceKind.VULNERABILITIES
    if not coverage.vulnerabilities:
        return EvidenceResult(kind, ControlStatus.MANUAL, "no vulnerability scan was run"), []
    threshold = control.vulnerability_threshold
    failing = [
        v
        for v in vulnerabilities
        if v.severity.rank >= threshold.rank and (v.fixable or not control.fixable_only)
    ]
    qualifier = "fixable " if control.fixable_only else ""
    rule = f"{qualifier}vulnerabilities at or above {threshold.value}"
    if failing:
        refs = [
            FindingRef(
                kind="vulnerability",
                id=v.id,
                title=v.summary or v.id,
                severity=v.severity,
                location=f"{v.package.name} {v.package.version}",
                fingerprint=v.fingerprint,
            )
            for v in failing
        ]
        summary = f"{len(failing)} {rule} (of {len(vulnerabilities)} found)"
        return EvidenceResult(kind, ControlStatus.FAIL, summary), refs
    summary = f"no {rule} ({len(vulnerabilities)} vulnerabilities found in total)"
    return EvidenceResult(kind, ControlStatus.PASS, summary), []


def _secrets(
    secrets: Sequence[SecretFinding], coverage: Coverage
) -> tuple[EvidenceResult, list[FindingRef]]:
    kind = EvidenceKind.SECRETS
    if not coverage.secrets:
        return EvidenceResult(kind, ControlStatus.MANUAL, "no secret scan was run"), []
    if not secrets:
        return EvidenceResult(kind, ControlStatus.PASS, "the secret scan found nothing"), []
    refs = [
        FindingRef(
            kind="secret",
            id=s.rule_id,
            title=s.title,
            severity=s.severity,
            location=s.location.path or s.location.field or s.location.source.value,
            fingerprint=s.fingerprint,
        )
        for s in secrets
    ]
    return EvidenceResult(kind, ControlStatus.FAIL, f"{len(secrets)} secret(s) found"), refs


def _sbom(result: ScanResult, coverage: Coverage) -> EvidenceResult:
    kind = EvidenceKind.SBOM
    if not coverage.sbom:
        return EvidenceResult(kind, ControlStatus.MANUAL, "no package inventory was made")
    inventory = result.inventory
    count = len(inventory.packages)
    if inventory.partial:
        problems = sum(len(status.problems) for status in inventory.statuses)
        summary = f"{count} packages inventoried; {problems} cataloger problem(s) make it partial"
        return EvidenceResult(kind, ControlStatus.MANUAL, summary)
    return EvidenceResult(kind, ControlStatus.PASS, f"{count} packages inventoried (SBOM)")


def _database(control: Control, result: ScanResult, now: datetime) -> EvidenceResult:
    kind = EvidenceKind.DATABASE
    database = result.database
    if database is None:
        return EvidenceResult(kind, ControlStatus.MANUAL, "no vulnerability database was used")
    updated = [_instant(source.updated) for source in database.sources if source.updated]
    known = [moment for moment in updated if moment is not None]
    if not known:
        summary = "the database does not say when it was updated"
        return EvidenceResult(kind, ControlStatus.MANUAL, summary)
    oldest = min(known)
    age_days = (now - oldest).total_seconds() / 86400
    limit = control.max_database_age_days
    summary = (
        f"oldest of {len(database.sources)} sources updated {oldest.date().isoformat()} "
        f"({age_days:.1f} days before the evaluation; limit {limit} days)"
    )
    status = ControlStatus.PASS if age_days <= limit else ControlStatus.FAIL
    return EvidenceResult(kind, status, summary)


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
