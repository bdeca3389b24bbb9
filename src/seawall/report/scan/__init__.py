"""Reporters for `seawall scan` results: a rich table, native JSON (`seawall.scan/v1`)
and SARIF 2.1.0.

Each takes a `ScanResult` and `ScanReportOptions`. Findings appear in risk
order (`risk_order_key`), which issue 7's policy and risk score extend.
"""

from seawall.report.scan.json import render_json, scan_to_dict
from seawall.report.scan.options import ScanReportOptions
from seawall.report.scan.risk import RiskOrderKey, in_risk_order, preferred_cvss, risk_order_key
from seawall.report.scan.sarif import render_sarif, scan_to_sarif
from seawall.report.scan.table import render_table

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
