"""`seawall config PATH`: misconfiguration checks on Dockerfiles and Kubernetes manifests.

Exit codes: 0 no finding at or above `--fail-on` (or no `--fail-on`), 1 at
least one, 2 bad input (an unreadable PATH, an unknown severity).
"""

import argparse
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.common import (
    EXIT_POLICY_FAILED,
    exits_cleanly,
    print_rendered,
    print_stderr,
    write_text,
)
from seawall.cli.parser import HANDLER, add_format, add_output
from seawall.cli.settings import add_settings_file, choose, command_settings
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


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="A Dockerfile, a Kubernetes manifest, or a directory to search.",
    )
    add_format(parser, ConfigFormat, ConfigFormat.table)
    add_output(parser)
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="Exit with 1 when a finding is at least this severe, e.g. HIGH.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="No progress bars.")
    add_settings_file(parser)
    parser.set_defaults(**{HANDLER: config_command})


@exits_cleanly
def config_command(
    *,
    path: Path,
    output_format: ConfigFormat,
    output: Path | None,
    fail_on: str | None,
    quiet: bool,
    config: Path | None,
) -> int:
    """Check Dockerfiles and Kubernetes manifests for insecure settings."""

    from seawall.pipeline.config import config_files
    from seawall.report import compliance as report

    fail_on = choose(fail_on, command_settings(config).fail_on, None)
    threshold = parse_severity(fail_on, "--fail-on") if fail_on else None
    results = config_files(path)
    if output_format is ConfigFormat.json:
        write_text(output, report.render_config_json(results) + "\n")
    else:
        print_rendered(report.config_table(results), output)
    if not results and not quiet:
        print_stderr(
            f"seawall: no Dockerfile or Kubernetes manifest found under {path}", highlight=True
        )
    findings = [finding for result in results for finding in result.findings]
    if threshold is not None and any(f.severity.rank >= threshold.rank for f in findings):
        return EXIT_POLICY_FAILED
    return 0
