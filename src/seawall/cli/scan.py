"""`seawall scan TARGET`: vulnerabilities, leaked secrets and misconfigurations; the policy
decides the exit code (1 when it fails)."""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.common import (
    EXIT_POLICY_FAILED,
    default_cache_dir,
    exits_cleanly,
    print_rendered,
    print_stderr,
    write_text,
)
from seawall.cli.parser import HANDLER, add_format, add_image_options, add_output
from seawall.cli.policy_options import ReportFormat, add_policy_options
from seawall.cli.settings import add_settings_file, choose, command_settings, source_options
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.model.finding import Severity
    from seawall.pipeline.scan import Scanner

# The pipeline, the store, the policy readers, each format's writer and rich are
# imported where they are used (docs/architecture.md, "Start-up").

DEFAULT_SCANNERS = "vuln,secret"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="TARGET", help="Any TARGET form, or sbom:PATH.")
    add_format(parser, ReportFormat, ReportFormat.table)
    add_output(parser)
    parser.add_argument(
        "--scanners",
        metavar="LIST",
        help="What to look for: vuln, secret, misconfig (comma-separated). "
        f"[default: {DEFAULT_SCANNERS}]",
    )
    parser.add_argument(
        "--severity",
        metavar="LIST",
        help="Report only these severities, e.g. CRITICAL,HIGH.",
    )
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="Fail (exit 1) on a finding at least this severe, e.g. HIGH.",
    )
    parser.add_argument(
        "--ignore-unfixed",
        action="store_true",
        default=None,
        help="Hide vulnerabilities with no fix yet.",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="Never download: fail if there is no database yet.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="Vulnerability database file (default $SEAWALL_DB or in the cache).",
    )
    add_policy_options(parser)
    add_image_options(parser)
    add_settings_file(parser)
    parser.set_defaults(**{HANDLER: scan})


@exits_cleanly
def scan(
    *,
    target: str,
    output_format: ReportFormat,
    output: Path | None,
    scanners: str | None,
    severity: str | None,
    fail_on: str | None,
    ignore_unfixed: bool | None,
    offline: bool | None,
    db: Path | None,
    policy: Path | None,
    vex: list[Path] | None,
    baseline: Path | None,
    show_reasons: bool,
    show_suppressed: bool,
    internet_facing: bool | None,
    data: list[str] | None,
    criticality: str | None,
    vex_author: str,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
    config: Path | None,
) -> int:
    """Find vulnerabilities, leaked secrets and misconfigurations; the policy decides."""
    import dataclasses

    from seawall.cli.policy_run import apply_inputs, load_policy_inputs, render_scan
    from seawall.cli.progress import stderr_progress
    from seawall.model.policy import Verdict
    from seawall.pipeline.scan import Scanner, ScanSettings
    from seawall.pipeline.scan import scan as run_scan
    from seawall.report.scan.options import ScanReportOptions

    # Command line over SEAWALL_* over seawall.yaml over the defaults.
    configured = command_settings(config)
    chosen_scanners = choose(scanners, _joined(configured.scanners), DEFAULT_SCANNERS)
    severity = choose(severity, _joined(configured.severity), None)
    fail_on = choose(fail_on, configured.fail_on, None)
    unfixed_hidden = choose(ignore_unfixed, configured.ignore_unfixed, False)
    offline_only = choose(offline, configured.offline, False)
    db = choose(db, configured.db, None)
    policy = choose(policy, configured.policy, None)
    vex = choose(vex, list(configured.vex) or None, None)
    cache_dir = choose(cache_dir, configured.cache_dir, None)
    threshold = _severity(fail_on, "--fail-on") if fail_on else None
    options = source_options(
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
        ignore_unfixed=unfixed_hidden,
        internet_facing=internet_facing,
        data=data,
        criticality=criticality,
        limits=options.limits,
        settings_context=configured.context,
    )
    chosen = _scanners(chosen_scanners)
    if db is None and Scanner.VULN in chosen:
        # Imported here: the store (sqlite3, its codecs) only matters to the vuln scanner.
        from seawall.vulndb.store import default_store_path

        db = default_store_path(cache_dir or default_cache_dir())
    settings = ScanSettings(
        db_path=db,
        scanners=chosen,
        ignore_unfixed=unfixed_hidden,
        severities=_severities(severity),
        offline=offline_only,
    )
    with stderr_progress(quiet=quiet) as progress:
        result = run_scan(target, options.with_progress(progress), settings)
    result = dataclasses.replace(result, policy=apply_inputs(result, inputs))
    report_options = ScanReportOptions(show_reasons=show_reasons, show_suppressed=show_suppressed)
    if output_format is ReportFormat.table:
        from seawall.report.scan.table import render_table

        print_rendered(render_table(result, report_options), output)
    else:
        vex_options = None
        if output_format in (ReportFormat.openvex, ReportFormat.csaf_vex):
            from seawall.report.vex.common import VexOptions

            vex_options = VexOptions(author=vex_author)
        text = render_scan(result, output_format, report_options, vex_options)
        write_text(output, text if text.endswith("\n") else text + "\n")
    if not quiet:
        for warning in result.warnings[:3]:
            print_stderr(f"seawall: warning: {warning}", highlight=True)
    if result.policy is not None and result.policy.verdict is Verdict.FAILED:
        return EXIT_POLICY_FAILED
    return 0


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
