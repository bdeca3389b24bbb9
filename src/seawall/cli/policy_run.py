"""What `seawall scan` does with the policy options: load the inputs, apply the policy,
render every text format.

    inputs = load_policy_inputs(policy=..., vex=..., baseline=..., fail_on=...,
                                ignore_unfixed=..., internet_facing=..., data=...,
                                criticality=...)
    result = replace(result, policy=apply_inputs(result, inputs))
    text = render_scan(result, output_format, report_options, vex_options)
    exit code: 1 when result.policy.verdict is Verdict.FAILED
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.policy_options import ReportFormat
from seawall.errors import InputError
from seawall.limits import Limits
from seawall.model.context import BusinessContext
from seawall.model.finding import Severity
from seawall.model.policy import PolicyResult
from seawall.model.scan import ScanResult
from seawall.policy.context import business_context
from seawall.policy.engine import apply_policy
from seawall.policy.rules import Policy, default_policy
from seawall.policy.vex.statement import VexStatement
from seawall.report.scan.options import ScanReportOptions

if TYPE_CHECKING:
    from seawall.report.vex.common import VexOptions

# What every scan needs is imported above; the policy file and VEX readers
# (YAML, pydantic), the baseline reader and each output format's writer are
# imported only when the options ask for them, and the version comparators
# (every ecosystem's) only when the policy compares versions
# (docs/architecture.md, "Start-up").


@dataclass(frozen=True, slots=True)
class PolicyInputs:
    """What the policy options name, loaded (`load_policy_inputs`)."""

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
    settings_context: BusinessContext | None = None,
) -> PolicyInputs:
    """Read the policy, VEX documents and baseline the options name (InputError on bad input).

    Without `--policy`, `--fail-on`/`--ignore-unfixed` make the default policy;
    with one, `--fail-on` adds its rule to the file's.

    The business context, field by field: the command line, else
    `settings_context` (SEAWALL_* over seawall.yaml), else the policy file's.
    """
    limits = limits or Limits.from_env()
    if policy is not None:
        from seawall.policy.document import load_policy

        loaded = load_policy(policy)
    else:
        loaded = default_policy()
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
    if vex:
        from seawall.policy.vex.load import load_vex

        for path in vex:
            statements.extend(load_vex(path, limits))
    try:
        context = business_context(
            internet_facing=internet_facing,
            data=data or (),
            criticality=criticality,
            base=_over(settings_context or BusinessContext(), loaded.context),
        )
    except ValueError as error:
        raise InputError(str(error)) from None
    saved: ScanResult | None = None
    if baseline is not None:
        from seawall.source.scanresult import read_scan_result

        saved = read_scan_result(baseline, limits)
    return PolicyInputs(
        policy=loaded,
        vex=tuple(statements),
        vex_documents=tuple(str(p) for p in vex or []),
        baseline=saved,
        context=context,
    )


def _over(top: BusinessContext, base: BusinessContext) -> BusinessContext:
    """`top`'s fields where it has them, else `base`'s."""
    return BusinessContext(
        internet_facing=base.internet_facing
        if top.internet_facing is None
        else top.internet_facing,
        data_classes=top.data_classes or base.data_classes,
        criticality=base.criticality if top.criticality is None else top.criticality,
    )


def apply_inputs(result: ScanResult, inputs: PolicyInputs) -> PolicyResult:
    """`apply_policy` with the loaded inputs and the ecosystems' own version order."""
    return apply_policy(
        result,
        inputs.policy,
        inputs.vex,
        inputs.baseline,
        inputs.context,
        compare=_compare,
        vex_documents=inputs.vex_documents,
    )


def _compare(ecosystem: str, a: str, b: str) -> int:
    """`seawall.versions.compare`, imported on the first comparison."""
    from seawall.versions import compare

    return compare(ecosystem, a, b)


def render_scan(
    result: ScanResult,
    output_format: ReportFormat,
    options: ScanReportOptions,
    vex_options: "VexOptions | None" = None,
) -> str:
    """Every text format (not `table`, which the command prints with rich)."""
    match output_format:
        case ReportFormat.json:
            from seawall.report.scan.json import render_json

            return render_json(result, options)
        case ReportFormat.sarif:
            from seawall.report.scan.sarif import render_sarif

            return render_sarif(result, options)
        case ReportFormat.cyclonedx | ReportFormat.cyclonedx_vex:
            from seawall.report.scan.cyclonedx import render_cyclonedx_scan

            return render_cyclonedx_scan(result, vex=output_format is ReportFormat.cyclonedx_vex)
        case ReportFormat.junit:
            from seawall.report.scan.junit import render_junit

            return render_junit(result, options)
        case ReportFormat.markdown:
            from seawall.report.scan.markdown import render_markdown

            return render_markdown(result, options)
        case ReportFormat.html:
            from seawall.report.scan.html import render_html

            return render_html(result, options)
        case ReportFormat.openvex:
            from seawall.report.vex.openvex import render_openvex

            return render_openvex(result, vex_options)
        case ReportFormat.csaf_vex:
            from seawall.report.vex.csaf import render_csaf_vex

            return render_csaf_vex(result, vex_options)
    raise InputError(f"--format {output_format.value}: rendered as a table by the command")
