"""`seawall secrets` as a terminal table: one row per finding, then the build steps and counts."""

from rich.console import Group
from rich.table import Table
from rich.text import Text

from seawall.model.secrets import SecretsResult
from seawall.report.cells import text_cell
from seawall.report.secrets.common import Steps, layers_text, where

_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def secrets_table(result: SecretsResult) -> Group:
    """The findings table, the build steps they mention, and the scan's counts."""
    steps = Steps(result)
    parts: list[Table | Text] = []
    if result.findings:
        table = Table(title=text_cell(f"Secrets in {result.target}"), title_justify="left")
        for column in ("Severity", "Rule", "Where", "Layer", "Preview"):
            table.add_column(column, overflow="fold")
        layers: set[int] = set()
        for finding in result.findings:
            severity = finding.severity.value
            table.add_row(
                Text(severity.upper(), style=_STYLES.get(severity, "")),
                Text(finding.rule_id),
                Text(where(finding)),
                Text(layers_text(finding)),
                Text(finding.preview),
            )
            layers.update(
                i for i in (finding.location.layer, finding.location.removed_in) if i is not None
            )
        parts.append(table)
        lines = [f"  layer {i}: {steps.of(i)}" for i in sorted(layers) if steps.of(i)]
        if lines:
            parts.append(Text("Build steps\n" + "\n".join(lines)))
        extractable = sum(f.still_extractable for f in result.findings)
        if extractable:
            parts.append(
                Text(
                    f"{extractable} secret(s) are in files a later layer deleted: "
                    "still extractable from the image.",
                    style="bold",
                )
            )
    else:
        parts.append(Text(f"No secrets found in {result.target}."))
    status = result.status
    summary = (
        f"{len(result.findings)} finding(s); {status.files_scanned} files scanned, "
        f"{status.skipped_binary} binary and {status.skipped_large} too large skipped, "
        f"{status.skipped_excluded} test/example paths skipped"
    )
    if status.commits:
        summary += f", {status.commits} commits"
    if status.suppressed:
        summary += f"; {status.suppressed} allowed or in the baseline"
    parts.append(Text(summary))
    for problem in status.problems:
        parts.append(Text(f"problem: {problem}", style="yellow"))
    return Group(*parts)
