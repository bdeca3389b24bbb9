"""Reporters for `seawall secrets`: table, JSON (`seawall.secrets/v1`) and SARIF 2.1.0.

The names below load their module on first use (PEP 562): writing JSON or
SARIF does not import the table (rich).
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.report.secrets.json import render_json, secrets_document
    from seawall.report.secrets.sarif import render_sarif, secrets_to_sarif
    from seawall.report.secrets.table import secrets_table

_HOMES = {
    "render_json": "json",
    "render_sarif": "sarif",
    "secrets_document": "json",
    "secrets_table": "table",
    "secrets_to_sarif": "sarif",
}

__all__ = ["render_json", "render_sarif", "secrets_document", "secrets_table", "secrets_to_sarif"]


__getattr__ = lazy_names(__name__, _HOMES)
