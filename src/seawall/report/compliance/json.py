"""Compliance reports as JSON (`seawall.compliance/v1`), deterministic for a given input."""

import json
from typing import Any

from seawall import __version__
from seawall.model.compliance import ComplianceReport
from seawall.report.compliance.common import control_record, summary_counts

SCHEMA_ID = "seawall.compliance/v1"


def report_to_dict(report: ComplianceReport) -> dict[str, Any]:
    framework = report.framework
    coverage = report.coverage
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "seawall", "version": __version__},
        "framework": {
            "id": framework.id,
            "name": framework.name,
            "version": framework.version,
            "reference": framework.reference,
            "notice": framework.notice,
        },
        "subject": report.subject,
        "evaluated_at": report.evaluated_at,
        "coverage": {
            "misconfig": sorted(coverage.misconfig_kinds),
            "vulnerabilities": coverage.vulnerabilities,
            "secrets": coverage.secrets,
            "sbom": coverage.sbom,
        },
        "summary": summary_counts(report),
        "controls": [control_record(result) for result in report.results],
    }


def render_json(report: ComplianceReport) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False)
