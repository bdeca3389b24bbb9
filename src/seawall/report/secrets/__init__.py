"""Reporters for `seawall secrets`: table, JSON (`seawall.secrets/v1`) and SARIF 2.1.0."""

from seawall.report.secrets.json import render_json, secrets_document
from seawall.report.secrets.sarif import render_sarif, secrets_to_sarif
from seawall.report.secrets.table import secrets_table

__all__ = ["render_json", "render_sarif", "secrets_document", "secrets_table", "secrets_to_sarif"]
