"""Misconfiguration checks on images, and `seawall compliance`: where the analyzer, the scan
and the compliance stage meet.

For `seawall scan` (the lead's `pipeline/scan.py`): `image_misconfigurations`
runs every image check; a scan that already walks the squashed view can
instead feed each visible entry's `FileInfo` to a `FileEvidence`
(`analyze.misconfig.file_wanted` is a cheap pre-filter) and pass it as `files`,
so the layers are read once.

For `seawall compliance TARGET`: `compliance_scan` builds the `ScanResult`
with `pipeline.scan.scan` (inventory and vulnerabilities) when vulnerability
settings are given, else with `pipeline.sbom.sbom` (inventory only), then adds
the image checks (or, for `dir:` targets, the Dockerfile and manifest checks of
the tree). The secret engine is not wired here: `secrets_scanned` says
whether the result's secrets come from a secret scan; when not, secret
evidence is reported as not gathered (manual), never as passed.

`write_evidence_bundle` writes documents the caller rendered
(`report.compliance.evidence_documents`): the pipeline imports no reporter,
because reporters may import rich and the core may not.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from seawall import __version__
from seawall.analyze.misconfig import (
    FileEvidence,
    analyze_image,
    catalogue,
    file_wanted,
)
from seawall.compliance import evaluate, framework, write_evidence
from seawall.compliance.evidence import EvidenceManifest
from seawall.fs import SquashedView
from seawall.model.compliance import CheckRef, ComplianceReport, Coverage
from seawall.model.files import FileInfo
from seawall.model.finding import MisconfigFinding
from seawall.model.image import SourceKind
from seawall.model.package import Inventory
from seawall.model.scan import ScanResult
from seawall.pipeline.config import config_files
from seawall.pipeline.sbom import sbom
from seawall.pipeline.scan import ScanSettings, scan
from seawall.source.base import DirectorySource, ImageSource, SourceOptions
from seawall.source.registry import open_source
from seawall.source.target import parse_target


def file_evidence(infos: Iterable[FileInfo]) -> FileEvidence:
    """FileEvidence from visible entries' metadata (what a squashed walk yields)."""
    evidence = FileEvidence()
    for info in infos:
        if file_wanted(info):
            evidence.observe(info)
    return evidence


def image_misconfigurations(
    source: ImageSource,
    inventory: Inventory,
    *,
    options: SourceOptions,
    today: datetime.date,
    files: FileEvidence | None = None,
    base_layers: int | None = None,
) -> tuple[MisconfigFinding, ...]:
    """Every image check on an opened image; walks the squashed view unless `files` is given."""
    if files is None:
        view = SquashedView(source.layer_openers(), options.limits)
        progress = options.progress.task("Checking the filesystem", total=None)
        try:
            files = file_evidence(entry.info for entry in view)
        finally:
            progress.close()
    return analyze_image(source.image, inventory, files, today=today, base_layers=base_layers)


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
    settings: ScanSettings | None,
    today: datetime.date,
    secrets_scanned: bool = False,
    base_layers: int | None = None,
) -> ComplianceRun:
    """Gather evidence on `target`: inventory, vulnerabilities (given `settings`), misconfigs."""
    parsed = parse_target(target, limits=options.limits)
    notes: list[str] = []
    if settings is not None:
        result = scan(target, options, settings)
    else:
        inventory = sbom(target, options)
        result = ScanResult(
            image=inventory.image,
            inventory=inventory.inventory,
            vulnerabilities=(),
            database=None,
            scanned_at=_now_text(),
        )
        notes.append("vulnerability scanning was skipped: vulnerability controls need review")
    if not secrets_scanned:
        notes.append("no secret scan was made: secret controls need review")
    kinds: frozenset[str] = frozenset()
    misconfigurations: tuple[MisconfigFinding, ...] = ()
    if parsed.kind is SourceKind.SBOM:
        notes.append("an SBOM has no image to check: misconfiguration controls do not apply")
    else:
        with open_source(parsed, options) as source:
            if isinstance(source, DirectorySource):
                configs = config_files(source.root, options.limits)
                misconfigurations = tuple(f for c in configs for f in c.findings)
                kinds = frozenset(c.kind for c in configs)
                notes.extend(str(p) for c in configs for p in c.problems)
            else:
                misconfigurations = image_misconfigurations(
                    source,
                    result.inventory,
                    options=options,
                    today=today,
                    base_layers=base_layers,
                )
                kinds = frozenset({"image"})
    result = dataclasses.replace(result, misconfigurations=misconfigurations)
    coverage = Coverage(
        misconfig_kinds=kinds,
        vulnerabilities=settings is not None,
        secrets=secrets_scanned,
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
