"""`seawall config PATH`: misconfiguration checks on Dockerfiles and Kubernetes manifests.

Exit codes: 0 no finding at or above `--fail-on` (or no `--fail-on`), 1 at
least one, 2 bad input (an unreadable PATH, an unknown severity).
"""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seawall.cli.common import (
    EXIT_POLICY_FAILED,
    OutputOption,
    QuietOption,
    exits_cleanly,
    print_rendered,
    stderr_console,
    write_text,
)
from seawall.cli.settings import ConfigOption, choose, command_settings
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.model.finding import Severity


def parse_severity(text: str, option: str) -> "Severity":
    from seawall.model.finding import Severity

    try:
        return Severity.parse(text)
    except ValueError:
        names = ", ".join(s.value.upper() for s in Severity)
        raise InputError(f"{option} {text!r}: not a severity; use one of {names}") from None


class ConfigFormat(StrEnum):
    table = "table"
    json = "json"


@exits_cleanly
def config_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="A Dockerfile, a Kubernetes manifest, or a directory to search."),
    ],
    output_format: Annotated[
        ConfigFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ConfigFormat.table,
    output: OutputOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Exit with 1 when a finding is at least this severe, e.g. HIGH."),
    ] = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Check Dockerfiles and Kubernetes manifests for insecure settings."""

    from seawall.pipeline.config import config_files
    from seawall.report import compliance as report

    fail_on = choose(ctx, "fail_on", fail_on, command_settings(config).fail_on)
    threshold = parse_severity(fail_on, "--fail-on") if fail_on else None
    results = config_files(path)
    if output_format is ConfigFormat.json:
        write_text(output, report.render_config_json(results) + "\n")
    else:
        print_rendered(report.config_table(results), output)
    if not results and not quiet:
        stderr_console().print(f"seawall: no Dockerfile or Kubernetes manifest found under {path}")
    findings = [finding for result in results for finding in result.findings]
    if threshold is not None and any(f.severity.rank >= threshold.rank for f in findings):
        raise typer.Exit(EXIT_POLICY_FAILED)
