"""`seawall scan` results as Markdown sized for a pull-request comment (GitHub, GitLab).

Summary first (verdict, image grade, counts), then the top N findings by
risk in a table, the remediation plan ("fix first"), and the rest inside
collapsible `<details>` blocks: every other finding, suppressed findings with
what suppressed them, expired ignores. The whole stays under
`MAX_CHARACTERS` (GitHub refuses comments over 65,536 characters): the
long lists are cut with a note saying how many were left out.

All text from the image or the vulnerability data is escaped so it cannot
add links, images, HTML or break the table.
"""

import re

from seawall.model.policy import Decision, Verdict
from seawall.model.scan import ScanResult
from seawall.report.scan.common import SEVERITIES_HIGH_FIRST
from seawall.report.scan.findings import Row, remediation_text, rows
from seawall.report.scan.options import ScanReportOptions

MAX_CHARACTERS = 60_000
_PLURALS = {
    "vulnerability": "vulnerabilities",
    "secret": "secrets",
    "misconfiguration": "misconfigurations",
    "licence": "licences",
}
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~!&])")
_SPACES = re.compile(r"\s+")


def md(text: str) -> str:
    """Literal text in Markdown: no markup, links, HTML or table breaks come through."""
    return _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", text).strip())


def _row_line(row: Row) -> str:
    risk = f"{row.risk:.1f}" if row.risk is not None else "-"
    decision = row.decision.decision.value if row.decision else "-"
    layer = str(row.layer) if row.layer is not None else "-"
    return (
        f"| {risk} | {md(row.id)} | {md(row.what)} | {row.severity.value} | {md(row.fix)}"
        f" | {layer} | {decision} |"
    )


_HEADER = (
    "| risk | id | what | severity | fix | layer | decision |\n|---:|---|---|---|---|---:|---|"
)


def _table(lines: list[Row], budget: int) -> tuple[str, int]:
    out = [_HEADER]
    used = len(_HEADER)
    shown = 0
    for row in lines:
        line = _row_line(row)
        if used + len(line) + 1 > budget:
            break
        out.append(line)
        used += len(line) + 1
        shown += 1
    return "\n".join(out), shown


def render_markdown(result: ScanResult, options: ScanReportOptions | None = None) -> str:
    options = options or ScanReportOptions()
    all_rows = rows(result)
    live = [r for r in all_rows if not r.suppressed]
    suppressed = [r for r in all_rows if r.suppressed]
    policy = result.policy
    subject = result.image.reference if result.image else "scan"
    parts: list[str] = []
    if policy is None:
        parts.append(f"### seawall: {md(subject)}")
    else:
        icon = "✅ passed" if policy.verdict is Verdict.PASSED else "❌ failed"
        grade = (
            f" · risk grade **{policy.image_risk.grade.value}** ({policy.image_risk.score:.1f})"
            if policy.image_risk
            else ""
        )
        parts.append(f"### seawall: {md(subject)} — policy {icon}{grade}")
    counts = {s: sum(1 for r in live if r.severity is s) for s in SEVERITIES_HIGH_FIRST}
    by_kind: dict[str, int] = {}
    for row in live:
        by_kind[row.kind.value] = by_kind.get(row.kind.value, 0) + 1
    summary = ", ".join(f"{n} {_PLURALS[k] if n != 1 else k}" for k, n in by_kind.items())
    summary = summary or "no findings"
    severities = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    line = f"{summary}" + (f" ({severities})" if severities else "")
    if suppressed:
        line += f" · {len(suppressed)} suppressed"
    if policy is not None:
        failing = sum(1 for r in live if r.decision and r.decision.decision is Decision.FAIL)
        line += f" · {failing} failing the policy"
        if policy.baseline:
            line += f" · compared with the baseline {md(policy.baseline)}"
    parts.append(line)
    if policy is not None:
        for violation in policy.violations:
            parts.append(
                f"- **{violation.decision.value}** {md(violation.rule)}: {md(violation.message)}"
            )
    top = live[: options.top]
    if top:
        table, _ = _table(top, MAX_CHARACTERS // 3)
        parts.append(f"#### Top {len(top)} by risk\n\n{table}")
    if policy is not None and policy.remediations:
        fixes = "\n".join(
            f"{i}. {md(remediation_text(r, result))}"
            for i, r in enumerate(policy.remediations[:5], 1)
        )
        parts.append(f"#### Fix first\n\n{fixes}")
    used = sum(len(p) + 2 for p in parts)
    rest = live[options.top :]
    if rest:
        table, shown = _table(rest, max(0, (MAX_CHARACTERS - used) // 2))
        note = (
            ""
            if shown == len(rest)
            else f"\n\n{len(rest) - shown} more not shown: see the JSON report."
        )
        block = (
            f"<details><summary>{len(rest)} more findings</summary>\n\n{table}{note}\n\n</details>"
        )
        parts.append(block)
        used += len(block)
    if suppressed:
        lines = []
        for row in suppressed:
            reason = row.decision.reason if row.decision else ""
            line = f"- {md(row.id)} {md(row.what)}: {md(reason)}"
            if used + len(line) > MAX_CHARACTERS - 500:
                lines.append("- … more: see the JSON report")
                break
            lines.append(line)
            used += len(line) + 1
        parts.append(
            f"<details><summary>{len(suppressed)} suppressed</summary>\n\n"
            + "\n".join(lines)
            + "\n\n</details>"
        )
    if policy is not None and policy.expired_ignores:
        expired = "\n".join(
            f"- {md(e.entry)} ({md(e.selector)}), owner {md(e.owner)}, expired {e.expires}:"
            f" would match {e.would_match}"
            for e in policy.expired_ignores[:50]
        )
        parts.append(
            f"<details><summary>{len(policy.expired_ignores)} expired ignores</summary>\n\n"
            f"{expired}\n\n</details>"
        )
    return "\n\n".join(parts) + "\n"
