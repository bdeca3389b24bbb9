"""seawall's native scan JSON (schema id `seawall.scan/v1`).

Described by `seawall/report/schemas/scan.schema.json`, which takes the
shapes of the subject image, packages, distro and cataloger statuses from
the SBOM schema (`sbom.schema.json`, `$id urn:seawall:schema:sbom:v1`): the
inventory part of a scan document is written by the same helpers as the
native SBOM.

Deterministic: vulnerabilities in risk order (`risk.risk_order_key`, which
ends in the fingerprint), and inside each finding ids, CVSS scores and
reasons sorted, so the document does not depend on the order the matcher
merged records in. The image config is not written (env values may be
credentials); build-step `created_by` lines go through `common.Redactor`.
"""

import json
from typing import Any

from seawall import __version__
from seawall.model.advisory import EpssScore, KevEntry
from seawall.model.finding import CvssScore, MatchReason, VulnerabilityFinding
from seawall.model.sbom_fields import TOOL_NAME
from seawall.model.scan import DatabaseInfo, ScanResult
from seawall.report.sbom.native import (
    distro_record,
    image_record,
    package_record,
    status_record,
)
from seawall.report.scan.common import SEVERITIES_HIGH_FIRST, Redactor, severity_counts
from seawall.report.scan.options import ScanReportOptions
from seawall.report.scan.records import misconfig_record, policy_record, secret_record
from seawall.report.scan.risk import cvss_version_key, in_risk_order

SCHEMA_ID = "seawall.scan/v1"


def _cvss_record(score: CvssScore) -> dict[str, Any]:
    return {
        "version": score.version,
        "vector": score.vector,
        "base_score": score.base_score,
        "severity": score.severity.value,
        "source": score.source,
    }


def _cvss_in_order(scores: tuple[CvssScore, ...]) -> list[CvssScore]:
    """Newest version first, then highest score (the first is the one
    `risk.preferred_cvss` picks); source and vector break ties."""
    by_source = sorted(scores, key=lambda s: (s.source, s.vector))
    # sort() is stable with reverse=True too, so ties keep the source order.
    return sorted(
        by_source, key=lambda s: (cvss_version_key(s.version), s.base_score), reverse=True
    )


def _epss_record(epss: EpssScore | None) -> dict[str, Any] | None:
    if epss is None:
        return None
    return {
        "cve": epss.cve,
        "score": epss.score,
        "percentile": epss.percentile,
        "date": epss.date,
    }


def _kev_record(kev: KevEntry | None) -> dict[str, Any] | None:
    if kev is None:
        return None
    return {
        "cve": kev.cve,
        "vendor": kev.vendor,
        "product": kev.product,
        "name": kev.name,
        "date_added": kev.date_added,
        "due_date": kev.due_date,
        "required_action": kev.required_action,
        "known_ransomware_use": kev.known_ransomware_use,
    }


def _reason_record(reason: MatchReason) -> dict[str, str]:
    return {
        "record": reason.record,
        "ecosystem": reason.ecosystem,
        "package": reason.package,
        "range": reason.range,
        "decision": reason.decision,
    }


def vulnerability_record(finding: VulnerabilityFinding) -> dict[str, Any]:
    """One finding as plain data."""
    package = finding.package
    location = package.locations[0] if package.locations else None
    return {
        "id": finding.id,
        "aliases": sorted({finding.id, *finding.aliases}),
        "summary": finding.summary,
        "published": finding.published,
        "modified": finding.modified,
        "package": {
            "name": package.name,
            "version": package.version,
            "ecosystem": package.osv_ecosystem,
            "purl": package.purl,
            "source_name": package.source_name,
            "source_version": package.source_version,
            "location": None
            if location is None
            else {"path": location.path, "layer": location.layer},
        },
        "fixed_versions": list(finding.fixed_versions),
        "fixable": finding.fixable,
        "severity": finding.severity.value,
        "cvss": [_cvss_record(score) for score in _cvss_in_order(finding.cvss)],
        "epss": _epss_record(finding.epss),
        "kev": _kev_record(finding.kev),
        "references": list(dict.fromkeys(finding.references)),
        "reasons": [
            _reason_record(reason)
            for reason in sorted(finding.reasons, key=lambda r: (r.record, r.range, r.decision))
        ],
        "fingerprint": finding.fingerprint,
    }


def _database_record(database: DatabaseInfo | None) -> dict[str, Any] | None:
    if database is None:
        return None
    return {
        "location": database.location,
        "schema_version": database.schema_version,
        "sources": [
            {
                "name": source.name,
                "records": source.records,
                "updated": source.updated,
                "data_as_of": source.data_as_of,
            }
            for source in sorted(database.sources, key=lambda s: s.name)
        ],
    }


def _summary(result: ScanResult) -> dict[str, Any]:
    findings = result.vulnerabilities
    counts = severity_counts(findings)
    return {
        "total": len(findings),
        "fixable": sum(1 for f in findings if f.fixable),
        "kev": sum(1 for f in findings if f.kev is not None),
        "by_severity": {severity.value: counts[severity] for severity in SEVERITIES_HIGH_FIRST},
    }


def scan_to_dict(result: ScanResult, options: ScanReportOptions | None = None) -> dict[str, Any]:
    """The native scan document as plain data."""
    del options  # every option concerns the table; the document always holds everything
    redactor = Redactor.for_image(result.image)
    subject = None if result.image is None else image_record(result.image)  # steps masked
    inventory = result.inventory
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "scanned_at": result.scanned_at,
        "subject": subject,
        "inventory": {
            "distro": None if inventory.distro is None else distro_record(inventory.distro),
            "partial": inventory.partial,
            "packages": [package_record(package) for package in inventory.packages],
            "relationships": [
                {"parent": rel.parent, "child": rel.child} for rel in inventory.relationships
            ],
            "statuses": [status_record(status) for status in inventory.statuses],
        },
        "vulnerabilities": [
            vulnerability_record(finding)
            for finding in in_risk_order(result.vulnerabilities, result.policy)
        ],
        "secrets": [secret_record(f) for f in sorted(result.secrets, key=lambda f: f.fingerprint)],
        "misconfigurations": [
            misconfig_record(f)
            for f in sorted(result.misconfigurations, key=lambda f: f.fingerprint)
        ],
        "summary": _summary(result),
        "database": _database_record(result.database),
        "warnings": [redactor.redact(warning) for warning in result.warnings],
        "policy": policy_record(result.policy),
    }


def render_json(result: ScanResult, options: ScanReportOptions | None = None) -> str:
    """The scan result as indented JSON text, ending with a newline."""
    return json.dumps(scan_to_dict(result, options), indent=2, ensure_ascii=False) + "\n"
