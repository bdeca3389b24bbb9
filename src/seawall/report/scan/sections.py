"""The "Secrets" and "Misconfigurations" sections of the scan table (issue 7: "grouped").

Each section is a heading and a table, placed after the vulnerability table,
most severe first and then by location (so the order never depends on the
order the analyzers produced). With a policy result the first column is the
finding's risk score and decision, as in the vulnerability table; findings an
ignore or VEX statement suppressed are left out unless `show_suppressed`.

Width: from `MEDIUM` columns every field has a column of its own; below, the
severity goes under the rule or check id, the layers under the location, and
columns are one space apart. Cells fold rather than overflow.

Secrets are shown by their redacted preview only (the model never keeps the
value). No build step is shown next to a secret: the line that created a
layer is where inline credentials leak (report/secrets/common.py withholds
such lines; the scan table simply never prints them here).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from seawall.model.finding import (
    MisconfigFinding,
    SecretFinding,
    SecretSource,
    Severity,
    VulnerabilityFinding,
)
from seawall.model.policy import Decision, FindingDecision, PolicyResult
from seawall.report.cells import text_cell
from seawall.report.scan.common import SEVERITIES_HIGH_FIRST

MEDIUM = 110
"""Console width from which severity and layers have columns of their own (as for
vulnerabilities)."""
REMEDIATION_CHARS = 80
"""A remediation longer than this is cut at its first sentence, then at this many characters."""
ID_WIDTH = 26

SEVERITY_STYLES = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.NEGLIGIBLE: "dim",
    Severity.UNKNOWN: "dim",
}
DECISION_STYLES = {
    Decision.FAIL: "bold red",
    Decision.WARN: "yellow",
    Decision.PASS: "dim",
    Decision.SUPPRESSED: "dim italic",
}

F = TypeVar("F", VulnerabilityFinding, SecretFinding, MisconfigFinding)


def risk_cell(decision: FindingDecision | None) -> Text:
    """The risk score over the policy's decision; `-` when the policy did not decide it."""
    if decision is None:
        return Text("-", style="dim")
    cell = Text(f"{decision.risk.score:.1f}", style="bold")
    cell.append(f"\n{decision.decision.value}", style=DECISION_STYLES[decision.decision])
    return cell


def shown(
    findings: Iterable[F], policy: PolicyResult | None, show_suppressed: bool
) -> tuple[tuple[F, ...], int]:
    """The findings to list and how many suppressed ones were left out."""
    every = tuple(findings)
    if policy is None or show_suppressed:
        return every, 0
    decisions = policy.by_fingerprint()
    kept = tuple(
        f
        for f in every
        if (d := decisions.get(f.fingerprint)) is None or d.decision is not Decision.SUPPRESSED
    )
    return kept, len(every) - len(kept)


def secret_where(finding: SecretFinding) -> str:
    """`/path:line`, the config field (`Env[2]`), `history[6]`, or `path:line @ commit`."""
    location = finding.location
    if location.source is SecretSource.HISTORY:
        return f"history[{location.history_index}]"
    if location.source is SecretSource.CONFIG:
        return location.field or "image config"
    text = location.path or ""
    if location.line is not None:
        text += f":{location.line}"
    if location.commit is not None:
        text += f" @ {location.commit[:12]}"
    return text


def _secret_key(finding: SecretFinding) -> tuple[int, str, int, int, str, str]:
    location = finding.location
    return (
        -finding.severity.rank,
        location.path or location.field or "",
        location.line if location.line is not None else -1,
        location.history_index if location.history_index is not None else -1,
        finding.rule_id,
        finding.fingerprint,
    )


def _misconfig_key(finding: MisconfigFinding) -> tuple[int, str, str, int, str, str]:
    return (
        -finding.severity.rank,
        finding.target,
        finding.path or "",
        finding.line if finding.line is not None else -1,
        finding.check_id,
        finding.fingerprint,
    )


def ordered_secrets(findings: Iterable[SecretFinding]) -> list[SecretFinding]:
    """Most severe first, then by location, rule and fingerprint."""
    return sorted(findings, key=_secret_key)


def ordered_misconfigurations(findings: Iterable[MisconfigFinding]) -> list[MisconfigFinding]:
    """Most severe first, then by target, path, line, check id and fingerprint."""
    return sorted(findings, key=_misconfig_key)


def short_remediation(text: str) -> str:
    """The remediation's first sentence, at most `REMEDIATION_CHARS` characters."""
    text = " ".join(text.split())
    end = text.find(". ")
    if end != -1:
        text = text[: end + 1]
    if len(text) > REMEDIATION_CHARS:
        text = text[: REMEDIATION_CHARS - 1].rstrip() + "…"
    return text


def _layers(finding: SecretFinding) -> Text:
    location = finding.location
    if location.layer is None:
        return Text("-", style="dim")
    cell = Text(f"layer {location.layer}")
    if location.removed_in is not None:
        cell.append(f" → {location.removed_in}")
        cell.append("\nstill extractable", style="bold red")
    return cell


def _severity(severity: Severity) -> Text:
    return Text(severity.value, style=SEVERITY_STYLES[severity])


def severity_summary(severities: Sequence[Severity]) -> Text:
    """`2 critical, 1 high`, each count in its severity's colour."""
    text = Text()
    for severity in SEVERITIES_HIGH_FIRST:
        count = sum(1 for s in severities if s is severity)
        if count:
            if text:
                text.append(", ")
            text.append(f"{count} {severity.value}", style=SEVERITY_STYLES[severity])
    return text


def _heading(title: str, count: int, severities: Sequence[Severity]) -> Text:
    text = Text(title, style="bold")
    text.append(f" · {count} (")
    text.append(severity_summary(severities))
    text.append(")")
    return text


@dataclass(frozen=True, slots=True)
class _Section:
    """One grouped table, laid out for the width it is rendered at: `build(narrow)`."""

    build: Callable[[bool], Table]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width < MEDIUM)


def _table(narrow: bool, with_risk: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=narrow)
    if with_risk:
        table.add_column("risk", justify="right", no_wrap=True)
    return table


def secrets_section(
    findings: Sequence[SecretFinding], policy: PolicyResult | None
) -> list[Text | _Section]:
    """Heading and table of the secrets, in severity then location order."""
    rows = ordered_secrets(findings)
    extractable = sum(1 for f in rows if f.still_extractable)
    heading = _heading("Secrets", len(rows), [f.severity for f in rows])
    if extractable:
        heading.append(" · ")
        heading.append(f"{extractable} still extractable from a deleted file", style="bold red")

    decisions = policy.by_fingerprint() if policy else {}

    def build(narrow: bool) -> Table:
        table = _table(narrow, policy is not None)
        table.add_column("rule", no_wrap=True, max_width=ID_WIDTH, overflow="ellipsis")
        if not narrow:
            table.add_column("severity", overflow="fold", min_width=4)
        table.add_column("where", overflow="fold")
        if not narrow:
            table.add_column("layer", overflow="fold", min_width=5)
        table.add_column("preview", overflow="fold")
        for finding in rows:
            lead = [risk_cell(decisions.get(finding.fingerprint))] if policy is not None else []
            rule = text_cell(finding.rule_id, "bold")
            where = text_cell(secret_where(finding))
            if narrow:
                rule.append("\n")
                rule.append(_severity(finding.severity))
                if finding.location.layer is not None:
                    where.append("\n")
                    where.append(_layers(finding))
                table.add_row(*lead, rule, where, text_cell(finding.preview, "dim"))
            else:
                table.add_row(
                    *lead,
                    rule,
                    _severity(finding.severity),
                    where,
                    _layers(finding),
                    text_cell(finding.preview, "dim"),
                )
        return table

    return [heading, _Section(build)]


def misconfig_where(finding: MisconfigFinding) -> str:
    """The target, and the file and line when the check names one that differs from it."""
    text = finding.target
    if finding.path is not None and finding.path != finding.target:
        text += f"\n{finding.path}"
    if finding.line is not None:
        text += f":{finding.line}"
    return text


def misconfig_section(
    findings: Sequence[MisconfigFinding], policy: PolicyResult | None
) -> list[Text | _Section]:
    """Heading and table of the misconfigurations, in severity then location order."""
    rows = ordered_misconfigurations(findings)
    heading = _heading("Misconfigurations", len(rows), [f.severity for f in rows])

    decisions = policy.by_fingerprint() if policy else {}

    def build(narrow: bool) -> Table:
        table = _table(narrow, policy is not None)
        table.add_column("check", no_wrap=True, max_width=ID_WIDTH, overflow="ellipsis")
        if not narrow:
            table.add_column("severity", overflow="fold", min_width=4)
        table.add_column("where", overflow="fold")
        table.add_column("problem and fix", overflow="fold", ratio=1)
        for finding in rows:
            lead = [risk_cell(decisions.get(finding.fingerprint))] if policy is not None else []
            check = text_cell(finding.check_id, "bold")
            if narrow:
                check.append("\n")
                check.append(_severity(finding.severity))
            where = Text()
            for index, line in enumerate(misconfig_where(finding).split("\n")):
                if index:
                    where.append("\n")
                where.append(text_cell(line, "" if index == 0 else "dim"))
            if finding.layer is not None:
                where.append(f"\nlayer {finding.layer}", style="dim")
            problem = text_cell(finding.message)
            if finding.remediation:
                problem.append("\nfix: ", style="green")
                problem.append(text_cell(short_remediation(finding.remediation), "green"))
            middle = [] if narrow else [_severity(finding.severity)]
            table.add_row(*lead, check, *middle, where, problem)
        return table

    return [heading, _Section(build)]
