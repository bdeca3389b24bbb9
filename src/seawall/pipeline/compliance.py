"""`seawall compliance`: a scan's evidence evaluated against a framework's controls.

`compliance_scan` runs `pipeline.scan.scan` with the scanners the settings
select (vulnerabilities, secrets), then the misconfiguration checks that fit
the target (image checks, or a tree's Dockerfiles and manifests), and says
which kinds of evidence were gathered: evidence not gathered makes a control
manual, never passed.

`write_evidence_bundle` writes documents the caller rendered
(`report.compliance.evidence_documents`): the pipeline imports no reporter,
because reporters may import rich and the core may not.
"""

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from seawall import __version__
from seawall.analyze.misconfig import (
    catalogue,
)
from seawall.compliance import evaluate, framework, write_evidence
from seawall.compliance.evidence import EvidenceManifest
from seawall.model.compliance import CheckRef, ComplianceReport, Coverage
from seawall.model.image import SourceKind
from seawall.model.package import Inventory
from seawall.model.scan import ScanResult
from seawall.pipeline.config import config_files
from seawall.pipeline.misconfig import misconfigurations
from seawall.pipeline.scan import Scanner, ScanSettings, scan
from seawall.source.base import SourceOptions
from seawall.source.registry import open_source
from seawall.source.target import parse_target


def check_refs() -> tuple[CheckRef, ...]:
    """The analyzer's catalogue as the compliance stage needs it."""
    return tuple(
        CheckRef(check.id, check.kind.value, check.title, check.controls)
        for check in catalogue().values()
    )


@dataclass(frozen=True, slots=True)
class ComplianceRun:
    """A scan made for compliance: the result, what it covered, and what it describes."""

    result: ScanResult
    coverage: Coverage
    subject: str
    notes: tuple[str, ...] = ()
    """What was not gathered, said once for the user."""


def compliance_scan(
    target: str,
    options: SourceOptions,
    *,
    settings: ScanSettings,
    today: datetime.date,
    base_layers: int | None = None,
) -> ComplianceRun:
    """Gather evidence on `target`: inventory, vulnerabilities and secrets as `settings`
    select them, and the misconfiguration checks that fit the target."""
    parsed = parse_target(target, limits=options.limits)
    notes: list[str] = []
    scanners = settings.scanners - {Scanner.MISCONFIG}
    result = scan(target, options, dataclasses.replace(settings, scanners=scanners))
    if Scanner.VULN not in scanners:
        notes.append("vulnerability scanning was skipped: vulnerability controls need review")
    kinds: frozenset[str] = frozenset()
    if parsed.kind is SourceKind.SBOM:
        notes.append("an SBOM has no image to check: misconfiguration controls do not apply")
    else:
        with open_source(parsed, options) as source:
            checked = misconfigurations(
                source, result.inventory, options=options, today=today, base_layers=base_layers
            )
        result = dataclasses.replace(result, misconfigurations=checked.findings)
        kinds = checked.kinds
        notes.extend(checked.problems)
    coverage = Coverage(
        misconfig_kinds=kinds,
        vulnerabilities=Scanner.VULN in scanners,
        secrets=Scanner.SECRET in scanners and parsed.kind is not SourceKind.SBOM,
        sbom=True,
    )
    subject = result.image.reference if result.image is not None else target
    return ComplianceRun(result, coverage, subject, tuple(notes))


def config_run(path: Path, scanned_at: str | None = None) -> ComplianceRun:
    """A compliance run over configuration files alone (no image, no inventory)."""
    configs = config_files(path)
    result = ScanResult(
        image=None,
        inventory=Inventory(),
        vulnerabilities=(),
        database=None,
        scanned_at=scanned_at or _now_text(),
        misconfigurations=tuple(f for c in configs for f in c.findings),
    )
    coverage = Coverage(misconfig_kinds=frozenset(c.kind for c in configs))
    return ComplianceRun(
        result, coverage, str(path), tuple(str(p) for c in configs for p in c.problems)
    )


def compliance_report_for(
    framework_id: str, run: ComplianceRun, now: datetime.datetime
) -> ComplianceReport:
    """Evaluate one framework on a run."""
    return evaluate(
        framework(framework_id),
        run.result,
        check_refs(),
        run.coverage,
        subject=run.subject,
        now=now,
    )


def write_evidence_bundle(
    directory: Path,
    run: ComplianceRun,
    documents: Mapping[str, str],
    *,
    policy_text: str | None,
    now: datetime.datetime,
    signing_key: Path | None = None,
) -> EvidenceManifest:
    """The audit bundle of a run: `documents` (rendered by the caller with
    `report.compliance.evidence_documents`), database facts, the policy, a manifest."""
    return write_evidence(
        directory,
        run.result,
        documents,
        policy_text=policy_text,
        tool_version=__version__,
        now=now,
        signing_key=signing_key,
    )


def _now_text() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return now.isoformat(timespec="seconds").replace("+00:00", "Z")
