"""Compliance reports as one self-contained HTML file: inline CSS, no script, no external asset.

Every string is escaped with `html.escape`; URLs (the framework reference)
are shown as text, never as links or sources, so the file can be archived
and opened offline without fetching anything.
"""

from html import escape

from seawall.model.compliance import ComplianceReport, ControlStatus
from seawall.report.compliance.common import STATUS_LABELS, STATUS_ORDER

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}
.s{font-weight:bold;white-space:nowrap}
.fail{color:#a40000}.pass{color:#1d6b1d}.manual{color:#8a5a00}.not_applicable{color:#666}
.notice{color:#444;font-size:.9rem}
ul{margin:0;padding-left:1.1rem}
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def render_html(report: ComplianceReport) -> str:
    framework = report.framework
    summary = ", ".join(f"{STATUS_LABELS[s]} {report.count(s)}" for s in STATUS_ORDER)
    rows: list[str] = []
    for result in report.results:
        items = [
            f"<li>{_e(e.kind.value)}: {_e(STATUS_LABELS[e.status])}, {_e(e.summary)}</li>"
            for e in result.evidence
        ]
        if result.control.manual:
            items.append(f"<li>review: {_e(result.control.manual)}</li>")
        findings = "".join(
            f"<li>{_e(f.severity.value)} {_e(f.id)}: {_e(f.title)} ({_e(f.location)})</li>"
            for f in result.findings
        )
        status = result.status
        rows.append(
            "<tr>"
            f"<td>{_e(result.control.id)}</td>"
            f'<td class="s {status.value}">{_e(STATUS_LABELS[status])}</td>'
            f"<td>{_e(result.control.title)}</td>"
            f"<td><ul>{''.join(items)}</ul></td>"
            f"<td>{'<ul>' + findings + '</ul>' if findings else ''}</td>"
            "</tr>"
        )
    failed = report.count(ControlStatus.FAIL)
    title = f"{framework.name} {framework.version}: compliance report"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p>Subject: <code>{_e(report.subject)}</code><br>"
        f"Evaluated: {_e(report.evaluated_at)}<br>Reference: {_e(framework.reference)}<br>"
        f"Summary: {_e(summary)}{' (failed)' if failed else ''}</p>"
        f'<p class="notice">{_e(framework.notice)}</p>'
        "<table><thead><tr><th>Control</th><th>Status</th><th>Summary</th>"
        "<th>Evidence</th><th>Findings</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
