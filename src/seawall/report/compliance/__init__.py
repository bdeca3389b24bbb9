"""Reporters for compliance reports (table, JSON, Markdown, self-contained HTML) and for
`seawall config` results (table, JSON). Each takes values from the model, never CLI flags.
"""

from seawall.report.compliance.bundle import evidence_documents
from seawall.report.compliance.html import render_html
from seawall.report.compliance.json import render_json, report_to_dict
from seawall.report.compliance.markdown import render_markdown
from seawall.report.compliance.misconfig import (
    ConfigFileResult,
    config_to_dict,
    render_config_json,
    render_misconfigurations_json,
)
from seawall.report.compliance.table import compliance_table, config_table

__all__ = [
    "ConfigFileResult",
    "compliance_table",
    "config_table",
    "config_to_dict",
    "evidence_documents",
    "render_config_json",
    "render_html",
    "render_json",
    "render_markdown",
    "render_misconfigurations_json",
    "report_to_dict",
]
