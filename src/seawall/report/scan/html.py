"""`seawall scan` results as ONE self-contained, offline HTML file.

Everything is inline: CSS, a few lines of JavaScript (filtering the table)
and SVG charts drawn here: findings by severity, by risk band, and by layer.
Nothing is loaded from anywhere: no CDN, fonts or images, and a
Content-Security-Policy (`default-src 'none'`) tells the browser to refuse
any load should one slip in. Every text from the image or the
vulnerability data goes through `html.escape`.
"""

import html
import json

from seawall.model.finding import Severity
from seawall.model.policy import Verdict
from seawall.model.scan import ScanResult
from seawall.report.sbom.common import layer_at
from seawall.report.scan.common import SEVERITIES_HIGH_FIRST, Redactor, short_created_by
from seawall.report.scan.findings import Row, remediation_text, rows
from seawall.report.scan.options import ScanReportOptions

COLOURS = {
    Severity.CRITICAL: "#8b0000",
    Severity.HIGH: "#d9480f",
    Severity.MEDIUM: "#e8a200",
    Severity.LOW: "#1c7ed6",
    Severity.NEGLIGIBLE: "#868e96",
    Severity.UNKNOWN: "#adb5bd",
}
RISK_BANDS = ((80.0, "80-100"), (60.0, "60-80"), (40.0, "40-60"), (20.0, "20-40"), (0.0, "0-20"))
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#212529}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
.verdict{display:inline-block;padding:.15rem .6rem;border-radius:4px;color:#fff;font-weight:600}
.passed{background:#2b8a3e}.failed{background:#c92a2a}.none{background:#868e96}
.grade{font-size:2rem;font-weight:700;margin-left:1rem;vertical-align:middle}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{border:1px solid #dee2e6;padding:.6rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dee2e6;padding:.3rem .4rem;
text-align:left;vertical-align:top}th{background:#f1f3f5}td.n{text-align:right}
tr.suppressed{color:#868e96}tr.fail td:first-child{border-left:4px solid #c92a2a}
.sev{font-weight:600}code{font-size:.9em}#filter{margin:.3rem 0;padding:.2rem;width:20rem}
"""

_SCRIPT = """
document.getElementById('filter').addEventListener('input', function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll('#findings tbody tr').forEach(function (tr) {
    tr.hidden = q !== '' && tr.textContent.toLowerCase().indexOf(q) < 0;
  });
});
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _bar_chart(chart_id: str, title: str, bars: list[tuple[str, int, str]]) -> str:
    """A horizontal bar chart as inline SVG: (label, value, colour) per bar."""
    width, row, label_w = 360, 22, 110
    height = row * len(bars) + 30
    top = max((value for _, value, _ in bars), default=0) or 1
    out = [
        f'<svg id="{chart_id}" class="chart" role="img" aria-label="{_e(title)}"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="14" font-weight="600" font-size="13">{_e(title)}</text>',
    ]
    for index, (label, value, colour) in enumerate(bars):
        y = 24 + index * row
        length = round((width - label_w - 40) * value / top)
        out.append(f'<text x="0" y="{y + 13}" font-size="12">{_e(label)}</text>')
        out.append(
            f'<rect class="bar" data-label="{_e(label)}" data-value="{value}" x="{label_w}"'
            f' y="{y + 2}" width="{length}" height="{row - 6}" fill="{colour}"/>'
        )
        out.append(f'<text x="{label_w + length + 4}" y="{y + 13}" font-size="12">{value}</text>')
    out.append("</svg>")
    return "".join(out)


def _risk_band(score: float | None) -> str:
    value = score or 0.0
    return next(label for bound, label in RISK_BANDS if value >= bound)


def _layer_label(result: ScanResult, index: int | None, redactor: Redactor) -> str:
    if index is None:
        return "no layer"
    layer = layer_at(result.image, index)
    step = short_created_by(redactor.redact(layer.created_by)) if layer and layer.created_by else ""
    return f"{index} {step[:14]}" if step else str(index)


def _row_html(row: Row) -> str:
    decision = row.decision.decision.value if row.decision else ""
    reason = row.decision.reason if row.decision else ""
    parts = ""
    if row.decision is not None:
        parts = "; ".join(
            f"{p.name} {'x' if p.multiplier else '+'}{p.value:g} ({p.detail})"
            for p in row.decision.risk.parts
        )
    risk = f"{row.risk:.1f}" if row.risk is not None else "-"
    layer = "" if row.layer is None else str(row.layer)
    classes = " ".join(c for c in (decision, "suppressed" if row.suppressed else "") if c)
    return (
        f'<tr class="{classes}"><td class="n" title="{_e(parts)}">{risk}</td>'
        f"<td>{_e(row.kind.value)}</td><td><code>{_e(row.id)}</code></td><td>{_e(row.what)}</td>"
        f'<td class="sev" style="color:{COLOURS[row.severity]}">{row.severity.value}</td>'
        f'<td class="n">{layer}</td><td>{_e(row.fix)}</td>'
        f"<td>{_e(decision)}</td><td>{_e(reason)}</td></tr>"
    )


def render_html(result: ScanResult, options: ScanReportOptions | None = None) -> str:
    del options
    redactor = Redactor.for_image(result.image)
    all_rows = rows(result)
    live = [r for r in all_rows if not r.suppressed]
    policy = result.policy
    subject = result.image.reference if result.image else "scan"
    severity_bars = [
        (s.value, sum(1 for r in live if r.severity is s), COLOURS[s])
        for s in SEVERITIES_HIGH_FIRST
    ]
    risk_bars = [
        (label, sum(1 for r in live if _risk_band(r.risk) == label), "#5f3dc4")
        for _, label in RISK_BANDS
    ]
    layers = sorted({r.layer for r in live}, key=lambda x: (x is None, x or 0))
    layer_bars = [
        (_layer_label(result, index, redactor), sum(1 for r in live if r.layer == index), "#0b7285")
        for index in layers
    ]
    if policy is None:
        verdict = '<span class="verdict none">no policy</span>'
        grade = ""
    else:
        passed = policy.verdict is Verdict.PASSED
        verdict = (
            f'<span id="verdict" class="verdict {"passed" if passed else "failed"}">'
            f"policy {policy.verdict.value}</span>"
        )
        risk = policy.image_risk
        grade = (
            f'<span id="grade" class="grade" title="{_e(risk.explanation)}">'
            f"{risk.grade.value}</span>"
            f" image risk {risk.score:.1f}"
            if risk
            else ""
        )
    remediation = ""
    if policy is not None and policy.remediations:
        items = "".join(
            f"<li>{_e(remediation_text(r, result))}</li>" for r in policy.remediations[:15]
        )
        remediation = f'<h2>Fix first</h2><ol id="remediation">{items}</ol>'
    expired = ""
    if policy is not None and policy.expired_ignores:
        items = "".join(
            f"<li>{_e(e.entry)} ({_e(e.selector)}), owner {_e(e.owner)}, expired {_e(e.expires)}"
            f" — would match {e.would_match}</li>"
            for e in policy.expired_ignores
        )
        expired = f"<h2>Expired ignores</h2><ul>{items}</ul>"
    violations = ""
    if policy is not None and policy.violations:
        items = "".join(
            f"<li>{_e(v.decision.value)}: {_e(v.rule)}: {_e(v.message)}</li>"
            for v in policy.violations
        )
        violations = f"<ul>{items}</ul>"
    data = json.dumps(
        {"findings": len(all_rows), "suppressed": len(all_rows) - len(live)}, sort_keys=True
    ).replace("<", "\\u003c")
    body = "".join(_row_html(r) for r in all_rows)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>seawall: {_e(subject)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>seawall scan of {_e(subject)}</h1>"
        f"<p>{verdict}{grade}</p>"
        f"<p>scanned {_e(result.scanned_at)} · {len(live)} findings"
        f" · {len(all_rows) - len(live)} suppressed</p>{violations}"
        f'<div class="charts">{_bar_chart("chart-severity", "Findings by severity", severity_bars)}'
        f"{_bar_chart('chart-risk', 'Findings by risk score', risk_bars)}"
        f"{_bar_chart('chart-layers', 'Findings by layer', layer_bars)}</div>"
        f"{remediation}{expired}"
        '<h2>Findings</h2><input id="filter" type="search" placeholder="filter findings">'
        '<table id="findings"><thead><tr><th>risk</th><th>kind</th><th>id</th><th>what</th>'
        "<th>severity</th><th>layer</th><th>fix</th><th>decision</th><th>why</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        f'<script type="application/json" id="counts">{data}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
