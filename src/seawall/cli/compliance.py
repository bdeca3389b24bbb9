"""`seawall compliance TARGET --framework F` and `seawall compliance verify DIR`.

The group runs `run` when its first argument is not a subcommand name, so both
`seawall compliance IMAGE -F pci-dss` and `seawall compliance run IMAGE -F pci-dss`
work, and `seawall compliance verify DIR` checks a bundle (an image literally
named `verify` is `seawall compliance run verify`).

Exit codes: 0 no control failed, 1 a control failed (or a bundle does not
verify), 2 bad input.
"""

import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

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
from seawall.cli.settings import ConfigOption, choose, command_settings, insecure_for
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.model.compliance import ComplianceReport

MAX_POLICY_BYTES = 1024 * 1024


class _DefaultRun(TyperGroup):
    """A group whose first argument, when not a subcommand, is the TARGET of `run`."""

    # `ctx` is typer's vendored click Context, which typer does not export by name.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


compliance_app = typer.Typer(
    cls=_DefaultRun,
    help="Per-control compliance results (CIS Docker, PCI DSS, NIST 800-53, GDPR, SOC 2) "
    "with an audit evidence bundle.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class ComplianceFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class FrameworkName(StrEnum):
    """The frameworks `seawall.compliance.FRAMEWORK_IDS` ships (a test keeps them equal)."""

    cis_docker = "cis-docker"
    pci_dss = "pci-dss"
    nist_800_53 = "nist-800-53"
    gdpr = "gdpr"
    soc2 = "soc2"


def _render(compliance: "ComplianceReport", fmt: ComplianceFormat, output: Path | None) -> None:
    from seawall.report import compliance as report

    if fmt is ComplianceFormat.table:
        print_rendered(report.compliance_table(compliance), output)
        return
    renderers = {
        ComplianceFormat.json: lambda r: report.render_json(r) + "\n",
        ComplianceFormat.markdown: report.render_markdown,
        ComplianceFormat.html: report.render_html,
    }
    write_text(output, renderers[fmt](compliance))


def _read_policy(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_POLICY_BYTES + 1)
    except OSError as error:
        raise InputError(f"--policy {path}: cannot be read ({error.strerror})") from None
    if len(data) > MAX_POLICY_BYTES:
        raise InputError(f"--policy {path}: larger than {MAX_POLICY_BYTES} bytes")
    return data.decode("utf-8", errors="replace")


def _is_config_file(target: str) -> bool:
    """A Dockerfile or manifest named directly (not a TARGET form)."""
    path = Path(target)
    if ":" in target.split("/")[0] or not path.is_file():
        return False
    name = path.name
    return (
        name.lower().endswith((".yaml", ".yml"))
        or "dockerfile" in name.lower()
        or ("containerfile" in name.lower())
    )


@compliance_app.command("run")
@exits_cleanly
def compliance_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="Any TARGET of `seawall scan` (dir:PATH checks the Dockerfiles and manifests "
            "in the tree), or a Dockerfile or manifest."
        ),
    ],
    framework_name: Annotated[
        FrameworkName,
        typer.Option("--framework", "-F", help="The framework to evaluate."),
    ],
    output_format: Annotated[
        ComplianceFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ComplianceFormat.table,
    output: OutputOption = None,
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="Write an audit evidence bundle into this new directory."),
    ] = None,
    sign_key: Annotated[
        Path | None,
        typer.Option("--sign-key", help="Ed25519 PEM private key to sign the bundle manifest."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="The policy file in force, copied into the bundle."),
    ] = None,
    skip_vulnerabilities: Annotated[
        bool,
        typer.Option(
            "--skip-vulnerabilities",
            help="Do not match vulnerabilities (their controls then need manual review).",
        ),
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never download: fail if there is no database yet.")
    ] = False,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Vulnerability database file (default $SEAWALL_DB or cache)."),
    ] = None,
    base_layers: Annotated[
        int | None,
        typer.Option(
            "--base-layers",
            min=0,
            help="Layers below this index belong to the base image (default: from the history).",
        ),
    ] = None,
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
) -> None:
    """Evaluate a framework's controls on an image (or configuration files)."""
    from seawall.cli.progress import progress_sink
    from seawall.limits import Limits
    from seawall.model.compliance import ControlStatus
    from seawall.pipeline.compliance import (
        compliance_report_for,
        compliance_scan,
        config_run,
        write_evidence_bundle,
    )
    from seawall.pipeline.scan import Scanner, ScanSettings
    from seawall.report import compliance as report
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform
    from seawall.vulndb.store import default_store_path

    configured = command_settings(config)
    policy = choose(ctx, "policy", policy, configured.policy)
    offline = choose(ctx, "offline", offline, configured.offline)
    db = choose(ctx, "db", db, configured.db)
    platform = choose(ctx, "platform", platform, configured.platform)
    cache_dir = choose(ctx, "cache_dir", cache_dir, configured.cache_dir)
    policy_text = _read_policy(policy)
    now = datetime.datetime.now(datetime.UTC)
    if _is_config_file(target):
        run = config_run(Path(target))
    else:
        options = SourceOptions(
            platform=parse_platform(platform) if platform else None,
            insecure=insecure_for(target, insecure, configured.insecure_registries),
            cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
            limits=Limits.from_env(),
        )
        scanners = frozenset({Scanner.SECRET, Scanner.MISCONFIG})
        if not skip_vulnerabilities:
            scanners |= {Scanner.VULN}
        settings = ScanSettings(
            db_path=db or default_store_path(cache_dir or default_cache_dir()),
            scanners=scanners,
            offline=offline,
        )
        with progress_sink(stderr_console(), quiet=quiet) as progress:
            run = compliance_scan(
                target,
                options.with_progress(progress),
                settings=settings,
                today=now.date(),
                base_layers=base_layers,
            )
    compliance = compliance_report_for(framework_name.value, run, now)
    _render(compliance, output_format, output)
    if evidence is not None:
        documents = report.evidence_documents(run.result, [compliance])
        manifest = write_evidence_bundle(
            evidence, run, documents, policy_text=policy_text, now=now, signing_key=sign_key
        )
        if not quiet:
            signed = ", signed" if manifest.signed else ""
            stderr_console().print(
                f"seawall: evidence bundle: {len(manifest.files)} files in {evidence}{signed}",
                markup=False,
                soft_wrap=True,
            )
    if not quiet:
        for note in run.notes[:5]:
            stderr_console().print(f"seawall: note: {note}", markup=False, soft_wrap=True)
    if compliance.count(ControlStatus.FAIL):
        raise typer.Exit(EXIT_POLICY_FAILED)


@compliance_app.command("verify")
@exits_cleanly
def verify_command(
    directory: Annotated[Path, typer.Argument(help="An evidence bundle directory.")],
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="Ed25519 PEM public key the manifest must be signed by."),
    ] = None,
) -> None:
    """Check that an evidence bundle is exactly as written: no file altered, added or removed."""
    from seawall.compliance import verify_evidence

    verification = verify_evidence(directory, public_key)
    for problem in verification.problems:
        stderr_console().print(f"seawall: {problem}", markup=False, highlight=False, soft_wrap=True)
    if not verification.ok:
        typer.echo(f"FAILED: {len(verification.problems)} problem(s) in {directory}")
        raise typer.Exit(EXIT_POLICY_FAILED)
    typer.echo(
        f"OK: {verification.files_checked} files match the manifest "
        f"(signature: {verification.signature})"
    )
