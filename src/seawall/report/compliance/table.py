"""Compliance reports and `seawall config` results as rich tables.

Strings from the scan go in as `Text` (never markup) after `printable`, so
hostile names cannot restyle the terminal.
"""

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from seawall.model.compliance import ComplianceReport, ControlStatus
from seawall.report.compliance.common import STATUS_LABELS, STATUS_ORDER, misconfig_order
from seawall.report.compliance.misconfig import ConfigFileResult
from seawall.report.terminal import printable

_STATUS_STYLES = {
    ControlStatus.FAIL: "bold red",
    ControlStatus.PASS: "green",
    ControlStatus.MANUAL: "yellow",
    ControlStatus.NOT_APPLICABLE: "dim",
}


def _t(text: str, style: str = "") -> Text:
    return Text(printable(text), style=style)


def compliance_table(report: ComplianceReport) -> RenderableType:
    framework = report.framework
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False)
    table.add_column("Control", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Summary", overflow="fold")
    table.add_column("Evidence", overflow="fold")
    for result in report.results:
        lines = [f"{e.kind.value}: {e.summary}" for e in result.evidence]
        if result.control.manual:
            lines.append(f"review: {result.control.manual}")
        for finding in result.findings[:5]:
            lines.append(f"  {finding.severity.value} {finding.id} {finding.location}")
        if len(result.findings) > 5:
            lines.append(f"  … and {len(result.findings) - 5} more")
        table.add_row(
            _t(result.control.id),
            _t(STATUS_LABELS[result.status], _STATUS_STYLES[result.status]),
            _t(result.control.title),
            Text("\n".join(printable(line) for line in lines)),
        )
    summary = ", ".join(f"{STATUS_LABELS[s]} {report.count(s)}" for s in STATUS_ORDER)
    heading = _t(f"{framework.name} {framework.version} — {report.subject}", "bold")
    return Group(heading, table, Text(summary), Text(framework.notice, style="dim"))


def config_table(results: Sequence[ConfigFileResult]) -> RenderableType:
    findings = sorted(
        (finding for result in results for finding in result.findings), key=misconfig_order
    )
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("Where", overflow="fold")
    table.add_column("Problem", overflow="fold")
    for finding in findings:
        where = finding.path or finding.target
        if finding.line is not None:
            where = f"{where}:{finding.line}"
        table.add_row(
            _t(finding.severity.value.upper()),
            _t(finding.check_id),
            _t(where),
            _t(f"{finding.title}: {finding.message}"),
        )
    problems = [str(p) for result in results for p in result.problems]
    parts: list[RenderableType] = [table] if findings else []
    files = len(results)
    parts.append(Text(f"{len(findings)} findings in {files} configuration file(s)"))
    parts.extend(_t(f"problem: {problem}", "yellow") for problem in problems)
    return Group(*parts)
