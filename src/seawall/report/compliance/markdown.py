"""Compliance reports as Markdown (GitHub-flavoured tables), for pull requests and wikis.

Every string from the scan goes through `_cell`: pipes, backticks, angle
brackets and line breaks are escaped so a hostile path cannot break the
table or inject HTML into a rendered page.
"""

from seawall.model.compliance import ComplianceReport
from seawall.report.compliance.common import STATUS_LABELS, STATUS_ORDER

_MAX_FINDINGS_SHOWN = 20


def _cell(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("`", "\\`")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
    return " ".join(escaped.split())


def render_markdown(report: ComplianceReport) -> str:
    framework = report.framework
    lines = [
        f"# {_cell(framework.name)} {_cell(framework.version)}: compliance report",
        "",
        f"- Subject: {_cell(report.subject)}",
        f"- Evaluated: {report.evaluated_at}",
        f"- Reference: {_cell(framework.reference)}",
        "- Summary: " + ", ".join(f"{STATUS_LABELS[s]} {report.count(s)}" for s in STATUS_ORDER),
        "",
        f"> {_cell(framework.notice)}",
        "",
        "| Control | Status | Summary | Evidence |",
        "|---|---|---|---|",
    ]
    for result in report.results:
        evidence = "<br>".join(
            f"{e.kind.value}: {STATUS_LABELS[e.status]}, {_cell(e.summary)}"
            for e in result.evidence
        )
        if result.control.manual:
            manual = f"review: {_cell(result.control.manual)}"
            evidence = f"{evidence}<br>{manual}" if evidence else manual
        lines.append(
            f"| {_cell(result.control.id)} | **{STATUS_LABELS[result.status]}** "
            f"| {_cell(result.control.title)} | {evidence} |"
        )
    failing = [result for result in report.results if result.findings]
    if failing:
        lines += ["", "## Findings behind failed controls", ""]
        for result in failing:
            lines += [f"### {_cell(result.control.id)}: {_cell(result.control.title)}", ""]
            lines += ["| Severity | Id | Title | Location |", "|---|---|---|---|"]
            for finding in result.findings[:_MAX_FINDINGS_SHOWN]:
                lines.append(
                    f"| {finding.severity.value} | {_cell(finding.id)} | {_cell(finding.title)} "
                    f"| {_cell(finding.location)} |"
                )
            hidden = len(result.findings) - _MAX_FINDINGS_SHOWN
            if hidden > 0:
                lines.append(f"| | | … and {hidden} more | |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
