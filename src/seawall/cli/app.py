"""The `seawall` command: options in, pipeline called, rendered result out.

Exit codes (DESIGN.md §1): 0 passed, 1 policy failed, 2 usage or input
error, 3 internal error.
"""

import logging
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seawall import __version__
from seawall.cli.common import (
    EXIT_POLICY_FAILED,
    CacheDirOption,
    InsecureOption,
    NoCacheOption,
    OutputOption,
    PlatformOption,
    QuietOption,
    default_cache_dir,
    exits_cleanly,
    print_rendered,
    stderr_console,
    write_text,
)
from seawall.cli.compliance import compliance_app
from seawall.cli.config import config_command
from seawall.cli.db import db_app
from seawall.cli.diff import diff_command
from seawall.cli.policy_options import (
    BaselineOption,
    CriticalityOption,
    DataOption,
    InternetFacingOption,
    PolicyOption,
    ReportFormat,
    ShowSuppressedOption,
    VexAuthorOption,
    VexOption,
)
from seawall.cli.secrets import secrets_command
from seawall.cli.settings import ConfigOption, choose, command_settings, insecure_for
from seawall.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from seawall.model.finding import Severity
    from seawall.model.image import Image
    from seawall.model.package import Inventory
    from seawall.pipeline.scan import Scanner
    from seawall.settings import Settings
    from seawall.source.base import SourceOptions

    SbomRenderer = Callable[[Inventory, Image | None], str]

# Start-up time is part of every command's run time: this module imports only
# typer and the option declarations. Each command imports its pipeline stage,
# reporters and rich inside its body, so `seawall sbom` never loads the
# vulnerability matcher and `seawall --help` loads no stage at all
# (docs/architecture.md, "Start-up").

app = typer.Typer(
    name="seawall",
    help="What is in a container image, is it vulnerable, has it leaked, is it configured safely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class InspectFormat(StrEnum):
    table = "table"
    json = "json"


class SbomFormat(StrEnum):
    cyclonedx = "cyclonedx"
    spdx = "spdx"
    json = "json"
    table = "table"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"seawall {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """seawall: container image security without a Docker daemon."""


def _source_options(
    ctx: typer.Context,
    settings: "Settings",
    target: str,
    *,
    platform: str | None,
    insecure: bool,
    cache_dir: Path | None,
    no_cache: bool,
) -> "SourceOptions":
    """Source options from the command line over the settings (seawall.yaml, SEAWALL_*)."""
    from seawall.limits import Limits
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform

    platform = choose(ctx, "platform", platform, settings.platform)
    cache_dir = choose(ctx, "cache_dir", cache_dir, settings.cache_dir)
    return SourceOptions(
        platform=parse_platform(platform) if platform else None,
        insecure=insecure_for(target, insecure, settings.insecure_registries),
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        limits=Limits.from_env(),
    )


@app.command()
@exits_cleanly
def inspect(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="docker-archive:PATH[:NAME:TAG], oci-dir:PATH[:TAG], oci-archive:PATH[:TAG], "
            "registry:REF, dir:PATH, or a bare image reference or path."
        ),
    ],
    output_format: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="Output format.")
    ] = InspectFormat.table,
    output: OutputOption = None,
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
) -> None:
    """Show what an image is: manifest, platform, config, layers, history and file counts."""

    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.inspect import inspect as run_inspect
    from seawall.report import inspect as inspect_report

    options = _source_options(
        ctx,
        command_settings(config),
        target,
        platform=platform,
        insecure=insecure,
        cache_dir=cache_dir,
        no_cache=no_cache,
    )
    with stderr_progress(quiet=quiet) as progress:
        inspection = run_inspect(target, options.with_progress(progress))
    if output_format is InspectFormat.json:
        write_text(output, inspect_report.render_json(inspection))
        return
    print_rendered(inspect_report.render_table(inspection), output)


@app.command()
@exits_cleanly
def sbom(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="Any TARGET of `seawall inspect`, a source tree (dir:PATH), or "
            "sbom:PATH to read a CycloneDX or SPDX document back."
        ),
    ],
    output_format: Annotated[
        SbomFormat,
        typer.Option(
            "--format",
            "-f",
            help="cyclonedx (CycloneDX 1.6 JSON), spdx (SPDX 2.3 JSON), json (seawall's own), "
            "or table.",
        ),
    ] = SbomFormat.table,
    output: OutputOption = None,
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
) -> None:
    """List every OS and language package in every layer, as an SBOM."""
    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.sbom import sbom as run_sbom

    options = _source_options(
        ctx,
        command_settings(config),
        target,
        platform=platform,
        insecure=insecure,
        cache_dir=cache_dir,
        no_cache=no_cache,
    )
    with stderr_progress(quiet=quiet) as progress:
        result = run_sbom(target, options.with_progress(progress))
    if output_format is SbomFormat.table:
        from seawall.report.sbom.table import sbom_table

        print_rendered(sbom_table(result.inventory), output)
        return
    write_text(output, _sbom_renderer(output_format)(result.inventory, result.image) + "\n")
    if result.inventory.partial and not quiet:
        stderr_console().print(
            "seawall: warning: the inventory may be incomplete; see the cataloger statuses",
            markup=False,
            soft_wrap=True,
        )


def _sbom_renderer(output_format: SbomFormat) -> "SbomRenderer":
    """The writer of one format, importing only its own module."""
    if output_format is SbomFormat.cyclonedx:
        from seawall.report.sbom.cyclonedx import render_cyclonedx

        return render_cyclonedx
    if output_format is SbomFormat.spdx:
        from seawall.report.sbom.spdx import render_spdx

        return render_spdx
    from seawall.report.sbom.native import render_native

    return render_native


def _severity(text: str, option: str) -> "Severity":
    from seawall.model.finding import Severity

    try:
        return Severity.parse(text)
    except ValueError:
        names = ", ".join(s.value.upper() for s in Severity)
        raise InputError(f"{option} {text!r}: not a severity; use one of {names}") from None


def _severities(text: str | None) -> "frozenset[Severity] | None":
    if not text:
        return None
    return frozenset(_severity(part, "--severity") for part in text.split(",") if part.strip())


@app.command()
@exits_cleanly
def scan(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Any TARGET form, or sbom:PATH.")],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.table,
    output: OutputOption = None,
    scanners: Annotated[
        str,
        typer.Option(
            "--scanners", help="What to look for: vuln, secret, misconfig (comma-separated)."
        ),
    ] = "vuln,secret",
    severity: Annotated[
        str | None,
        typer.Option(help="Report only these severities, e.g. CRITICAL,HIGH."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Fail (exit 1) on a finding at least this severe, e.g. HIGH."),
    ] = None,
    ignore_unfixed: Annotated[
        bool, typer.Option("--ignore-unfixed", help="Hide vulnerabilities with no fix yet.")
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Never download: fail if there is no database yet."),
    ] = False,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="Vulnerability database file (default $SEAWALL_DB or in the cache)."
        ),
    ] = None,
    policy: PolicyOption = None,
    vex: VexOption = None,
    baseline: BaselineOption = None,
    show_reasons: Annotated[
        bool,
        typer.Option("--show-reasons", help="Say why each finding matched and how it scored."),
    ] = False,
    show_suppressed: ShowSuppressedOption = False,
    internet_facing: InternetFacingOption = None,
    data: DataOption = None,
    criticality: CriticalityOption = None,
    vex_author: VexAuthorOption = "seawall",
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
) -> None:
    """Find vulnerabilities, leaked secrets and misconfigurations; the policy decides."""
    import dataclasses

    from seawall.cli.policy_run import apply_inputs, load_policy_inputs, render_scan
    from seawall.cli.progress import stderr_progress
    from seawall.model.policy import Verdict
    from seawall.pipeline.scan import ScanSettings
    from seawall.pipeline.scan import scan as run_scan
    from seawall.report import scan as scan_report
    from seawall.report.scan import ScanReportOptions
    from seawall.report.vex import VexOptions
    from seawall.vulndb.store import default_store_path

    # Command line over SEAWALL_* over seawall.yaml over the defaults above.
    configured = command_settings(config)
    scanners = choose(ctx, "scanners", scanners, _joined(configured.scanners))
    severity = choose(ctx, "severity", severity, _joined(configured.severity))
    fail_on = choose(ctx, "fail_on", fail_on, configured.fail_on)
    ignore_unfixed = choose(ctx, "ignore_unfixed", ignore_unfixed, configured.ignore_unfixed)
    offline = choose(ctx, "offline", offline, configured.offline)
    db = choose(ctx, "db", db, configured.db)
    policy = choose(ctx, "policy", policy, configured.policy)
    vex = choose(ctx, "vex", vex, list(configured.vex) or None)
    cache_dir = choose(ctx, "cache_dir", cache_dir, configured.cache_dir)
    threshold = _severity(fail_on, "--fail-on") if fail_on else None
    options = _source_options(
        ctx,
        configured,
        target,
        platform=platform,
        insecure=insecure,
        cache_dir=cache_dir,
        no_cache=no_cache,
    )
    inputs = load_policy_inputs(
        policy=policy,
        vex=vex,
        baseline=baseline,
        fail_on=threshold,
        ignore_unfixed=ignore_unfixed,
        internet_facing=internet_facing,
        data=data,
        criticality=criticality,
        limits=options.limits,
        settings_context=configured.context,
    )
    settings = ScanSettings(
        db_path=db or default_store_path(cache_dir or default_cache_dir()),
        scanners=_scanners(scanners),
        ignore_unfixed=ignore_unfixed,
        severities=_severities(severity),
        offline=offline,
    )
    with stderr_progress(quiet=quiet) as progress:
        result = run_scan(target, options.with_progress(progress), settings)
    result = dataclasses.replace(result, policy=apply_inputs(result, inputs))
    report_options = ScanReportOptions(show_reasons=show_reasons, show_suppressed=show_suppressed)
    if output_format is ReportFormat.table:
        print_rendered(scan_report.render_table(result, report_options), output)
    else:
        text = render_scan(result, output_format, report_options, VexOptions(author=vex_author))
        write_text(output, text if text.endswith("\n") else text + "\n")
    if not quiet:
        for warning in result.warnings[:3]:
            stderr_console().print(f"seawall: warning: {warning}", markup=False, soft_wrap=True)
    if result.policy is not None and result.policy.verdict is Verdict.FAILED:
        raise typer.Exit(EXIT_POLICY_FAILED)


def _joined(values: tuple[str, ...] | None) -> str | None:
    """A settings list as the comma-separated option text it stands for."""
    return None if values is None else ",".join(values)


def _scanners(text: str) -> "frozenset[Scanner]":
    from seawall.pipeline.scan import Scanner

    chosen = set()
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        try:
            chosen.add(Scanner(name))
        except ValueError:
            names = ", ".join(s.value for s in Scanner)
            raise InputError(f"--scanners {text!r}: {name!r} is not one of {names}") from None
    if not chosen:
        raise InputError("--scanners: name at least one of vuln, secret, misconfig")
    return frozenset(chosen)


app.add_typer(db_app, name="db")
app.command("secrets")(secrets_command)
app.command("config")(config_command)
app.add_typer(compliance_app, name="compliance")
app.command("diff")(diff_command)


def main() -> None:
    """Console-script entry point."""
    if os.environ.get("SEAWALL_DEBUG"):
        logging.basicConfig(level=logging.DEBUG)
    app()
