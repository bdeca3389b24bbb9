"""`seawall compliance TARGET --framework F` and `seawall compliance verify DIR`.

The group runs `run` when its first argument is not a subcommand name, so both
`seawall compliance IMAGE -F pci-dss` and `seawall compliance run IMAGE -F pci-dss`
work, and `seawall compliance verify DIR` checks a bundle (an image literally
named `verify` is `seawall compliance run verify`).

Exit codes: 0 no control failed, 1 a control failed (or a bundle does not
verify), 2 bad input.
"""

import argparse
import datetime
from enum import StrEnum
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
from seawall.cli.parser import (
    HANDLER,
    SeawallParser,
    add_format,
    add_image_options,
    add_output,
    choice_of,
    int_range,
    shows_help,
)
from seawall.cli.settings import add_settings_file, choose, command_settings, source_options
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.model.compliance import ComplianceReport

MAX_POLICY_BYTES = 1024 * 1024
SUBCOMMANDS = ("run", "verify")
DEFAULT_SUBCOMMAND = "run"
"""`seawall compliance X …`, X not a subcommand or a help option, means `seawall compliance
run X …`: `cli/app.py` inserts the name before parsing (`implied_subcommand`)."""

RUN_HELP = "Evaluate a framework's controls on an image (or configuration files)."
VERIFY_HELP = (
    "Check that an evidence bundle is exactly as written: no file altered, added or removed."
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


def configure(parser: argparse.ArgumentParser) -> None:
    """`seawall compliance` and its subcommands."""
    parser.set_defaults(**{HANDLER: shows_help(parser)})
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=SeawallParser
    )

    run = commands.add_parser(
        SUBCOMMANDS[0],
        help=RUN_HELP,
        description=RUN_HELP,
        usage="%(prog)s TARGET --framework NAME [options]",
    )
    run.add_argument(
        "target",
        metavar="TARGET",
        help="Any TARGET of `seawall scan` (dir:PATH checks the Dockerfiles and manifests "
        "in the tree), or a Dockerfile or manifest.",
    )
    run.add_argument(
        "-F",
        "--framework",
        dest="framework_name",
        type=choice_of(FrameworkName),
        choices=list(FrameworkName),
        required=True,
        help="The framework to evaluate.",
    )
    add_format(run, ComplianceFormat, ComplianceFormat.table)
    add_output(run)
    run.add_argument(
        "--evidence",
        type=Path,
        metavar="DIR",
        help="Write an audit evidence bundle into this new directory.",
    )
    run.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="Ed25519 PEM private key to sign the bundle manifest.",
    )
    run.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="The policy file in force, copied into the bundle.",
    )
    run.add_argument(
        "--skip-vulnerabilities",
        action="store_true",
        help="Do not match vulnerabilities (their controls then need manual review).",
    )
    run.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="Never download: fail if there is no database yet.",
    )
    run.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="Vulnerability database file (default $SEAWALL_DB or cache).",
    )
    run.add_argument(
        "--base-layers",
        type=int_range(0),
        metavar="N",
        help="Layers below this index belong to the base image (default: from the history). [x>=0]",
    )
    add_image_options(run)
    add_settings_file(run)
    run.set_defaults(**{HANDLER: compliance_command})

    verify = commands.add_parser(
        SUBCOMMANDS[1], help=VERIFY_HELP, description=VERIFY_HELP, usage="%(prog)s [options] DIR"
    )
    verify.add_argument("directory", type=Path, metavar="DIR", help="An evidence bundle directory.")
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="Ed25519 PEM public key the manifest must be signed by.",
    )
    verify.set_defaults(**{HANDLER: verify_command})


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


@exits_cleanly
def compliance_command(
    *,
    target: str,
    framework_name: FrameworkName,
    output_format: ComplianceFormat,
    output: Path | None,
    evidence: Path | None,
    sign_key: Path | None,
    policy: Path | None,
    skip_vulnerabilities: bool,
    offline: bool | None,
    db: Path | None,
    base_layers: int | None,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
    config: Path | None,
) -> int:
    """Evaluate a framework's controls on an image (or configuration files)."""
    from seawall.cli.progress import stderr_progress
    from seawall.model.compliance import ControlStatus
    from seawall.pipeline.compliance import (
        compliance_report_for,
        compliance_scan,
        config_run,
        write_evidence_bundle,
    )
    from seawall.pipeline.scan import Scanner, ScanSettings
    from seawall.report import compliance as report
    from seawall.vulndb.store import default_store_path

    configured = command_settings(config)
    policy = choose(policy, configured.policy, None)
    offline_only = choose(offline, configured.offline, False)
    db = choose(db, configured.db, None)
    cache_dir = choose(cache_dir, configured.cache_dir, None)
    policy_text = _read_policy(policy)
    now = datetime.datetime.now(datetime.UTC)
    if _is_config_file(target):
        run = config_run(Path(target))
    else:
        options = source_options(
            configured,
            target,
            platform=platform,
            insecure=insecure,
            cache_dir=cache_dir,
            no_cache=no_cache,
        )
        scanners = frozenset({Scanner.SECRET, Scanner.MISCONFIG})
        if not skip_vulnerabilities:
            scanners |= {Scanner.VULN}
        settings = ScanSettings(
            db_path=db or default_store_path(cache_dir or default_cache_dir()),
            scanners=scanners,
            offline=offline_only,
        )
        with stderr_progress(quiet=quiet) as progress:
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
            print_stderr(
                f"seawall: evidence bundle: {len(manifest.files)} files in {evidence}{signed}",
                highlight=True,
            )
    if not quiet:
        for note in run.notes[:5]:
            print_stderr(f"seawall: note: {note}", highlight=True)
    if compliance.count(ControlStatus.FAIL):
        return EXIT_POLICY_FAILED
    return 0


@exits_cleanly
def verify_command(*, directory: Path, public_key: Path | None) -> int:
    """Check that an evidence bundle is exactly as written: no file altered, added or removed."""
    from seawall.compliance import verify_evidence

    verification = verify_evidence(directory, public_key)
    for problem in verification.problems:
        print_stderr(f"seawall: {problem}")
    if not verification.ok:
        print(f"FAILED: {len(verification.problems)} problem(s) in {directory}")
        return EXIT_POLICY_FAILED
    print(
        f"OK: {verification.files_checked} files match the manifest "
        f"(signature: {verification.signature})"
    )
    return 0
