"""Options of `seawall scan` for the policy, VEX, baselines, business context and the
report formats of issue 7, and the two calls the scan command makes with them.

The scan command adds these parameters and then:

    inputs = load_policy_inputs(policy=..., vex=..., baseline=..., fail_on=...,
                                ignore_unfixed=..., internet_facing=..., data=...,
                                criticality=...)
    result = replace(result, policy=apply_inputs(result, inputs))
    text = render_scan(result, output_format, report_options, vex_options)
    exit code: 1 when result.policy.verdict is Verdict.FAILED
"""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seawall import versions
from seawall.errors import InputError
from seawall.limits import Limits
from seawall.model.finding import Severity
from seawall.model.policy import BusinessContext, PolicyResult
from seawall.model.scan import ScanResult
from seawall.policy import (
    Policy,
    VexStatement,
    apply_policy,
    business_context,
    default_policy,
    load_policy,
    load_vex,
)
from seawall.report.scan import ScanReportOptions, render_json, render_sarif
from seawall.report.scan.cyclonedx import render_cyclonedx_scan
from seawall.report.scan.html import render_html
from seawall.report.scan.junit import render_junit
from seawall.report.scan.markdown import render_markdown
from seawall.report.vex import VexOptions, render_csaf_vex, render_openvex
from seawall.source.scanresult import read_scan_result


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


@dataclass(frozen=True, slots=True)
class PolicyInputs:
    policy: Policy
    vex: tuple[VexStatement, ...]
    vex_documents: tuple[str, ...]
    baseline: ScanResult | None
    context: BusinessContext


def load_policy_inputs(
    *,
    policy: Path | None,
    vex: list[Path] | None,
    baseline: Path | None,
    fail_on: Severity | None = None,
    ignore_unfixed: bool = False,
    internet_facing: bool | None = None,
    data: list[str] | None = None,
    criticality: str | None = None,
    limits: Limits | None = None,
) -> PolicyInputs:
    """Read the policy, VEX documents and baseline the options name (InputError on bad input).

    Without `--policy`, `--fail-on`/`--ignore-unfixed` make the default policy;
    with one, `--fail-on` adds its rule to the file's.
    """
    limits = limits or Limits.from_env()
    loaded = load_policy(policy) if policy is not None else default_policy()
    if fail_on is not None:
        extra = default_policy(fail_on, only_fixed=ignore_unfixed).rules
        loaded = Policy(
            rules=loaded.rules + extra,
            ignores=loaded.ignores,
            name=loaded.name,
            source=loaded.source,
            context=loaded.context,
        )
    statements: list[VexStatement] = []
    for path in vex or []:
        statements.extend(load_vex(path, limits))
    try:
        context = business_context(
            internet_facing=internet_facing,
            data=data or (),
            criticality=criticality,
            base=loaded.context,
        )
    except ValueError as error:
        raise InputError(str(error)) from None
    return PolicyInputs(
        policy=loaded,
        vex=tuple(statements),
        vex_documents=tuple(str(p) for p in vex or []),
        baseline=None if baseline is None else read_scan_result(baseline, limits),
        context=context,
    )


def apply_inputs(result: ScanResult, inputs: PolicyInputs) -> PolicyResult:
    """`apply_policy` with the loaded inputs and the ecosystems' own version order."""
    return apply_policy(
        result,
        inputs.policy,
        inputs.vex,
        inputs.baseline,
        inputs.context,
        compare=versions.compare,
        vex_documents=inputs.vex_documents,
    )


def render_scan(
    result: ScanResult,
    output_format: ReportFormat,
    options: ScanReportOptions,
    vex_options: VexOptions | None = None,
) -> str:
    """Every text format (not `table`, which the command prints with rich)."""
    match output_format:
        case ReportFormat.json:
            return render_json(result, options)
        case ReportFormat.sarif:
            return render_sarif(result, options)
        case ReportFormat.cyclonedx:
            return render_cyclonedx_scan(result)
        case ReportFormat.cyclonedx_vex:
            return render_cyclonedx_scan(result, vex=True)
        case ReportFormat.junit:
            return render_junit(result, options)
        case ReportFormat.markdown:
            return render_markdown(result, options)
        case ReportFormat.html:
            return render_html(result, options)
        case ReportFormat.openvex:
            return render_openvex(result, vex_options)
        case ReportFormat.csaf_vex:
            return render_csaf_vex(result, vex_options)
    raise InputError(f"--format {output_format.value}: rendered as a table by the command")
