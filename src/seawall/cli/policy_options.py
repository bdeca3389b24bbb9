"""The options `seawall scan` adds for the policy, VEX, baselines, business context and
report formats (light to import: only typer and the option declarations)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ReportFormat(StrEnum):
    """Every `seawall scan --format` value; `table` is rendered by rich, the rest are text."""

    table = "table"
    json = "json"
    sarif = "sarif"
    cyclonedx = "cyclonedx"
    junit = "junit"
    markdown = "markdown"
    html = "html"
    openvex = "openvex"
    cyclonedx_vex = "cyclonedx-vex"
    csaf_vex = "csaf-vex"


PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (YAML, docs/policy.md): rules, ignores, context."),
]
VexOption = Annotated[
    list[Path] | None,
    typer.Option("--vex", help="OpenVEX, CycloneDX VEX or CSAF VEX document (repeatable)."),
]
BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="A saved `--format json` result: only findings it lacks can fail the policy.",
    ),
]
ShowSuppressedOption = Annotated[
    bool,
    typer.Option("--show-suppressed", help="List ignored and VEX-suppressed findings too."),
]
InternetFacingOption = Annotated[
    bool | None,
    typer.Option(
        "--internet-facing/--internal", help="Whether the service is reachable from the internet."
    ),
]
DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data", help="Data the service handles: personal, payment, health, credentials."
    ),
]
CriticalityOption = Annotated[
    str | None,
    typer.Option("--criticality", help="Business criticality: low, medium, high, critical."),
]
VexAuthorOption = Annotated[
    str, typer.Option("--vex-author", help="Author (publisher) written into VEX output.")
]
