"""Reporters for `seawall scan` results: a rich table, native JSON (`seawall.scan/v1`)
and SARIF 2.1.0.

Each takes a `ScanResult` and `ScanReportOptions`. Findings appear in risk
order (`risk_order_key`), which issue 7's policy and risk score extend.

The names below load their module on first use (PEP 562): writing JSON, or
the secret reporters borrowing `scan.common`, does not import the table
(rich) or the other writers.
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.report.scan.json import render_json, scan_to_dict
    from seawall.report.scan.options import ScanReportOptions
    from seawall.report.scan.risk import (
        RiskOrderKey,
        in_risk_order,
        preferred_cvss,
        risk_order_key,
    )
    from seawall.report.scan.sarif import render_sarif, scan_to_sarif
    from seawall.report.scan.table import render_table

_HOMES = {
    "RiskOrderKey": "risk",
    "ScanReportOptions": "options",
    "in_risk_order": "risk",
    "preferred_cvss": "risk",
    "render_json": "json",
    "render_sarif": "sarif",
    "render_table": "table",
    "risk_order_key": "risk",
    "scan_to_dict": "json",
    "scan_to_sarif": "sarif",
}

__all__ = [
    "RiskOrderKey",
    "ScanReportOptions",
    "in_risk_order",
    "preferred_cvss",
    "render_json",
    "render_sarif",
    "render_table",
    "risk_order_key",
    "scan_to_dict",
    "scan_to_sarif",
]


__getattr__ = lazy_names(__name__, _HOMES)
