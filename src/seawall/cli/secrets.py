"""`seawall secrets`: leaked credentials in an image, a directory, or a git history.

Exit codes: 0 when no finding remains after the allow rules and the
baseline, `--exit-code` (default 1, "policy failed" in DESIGN.md §1) when
one does, 2 for usage or input errors, 3 for internal errors. trivy's
`--exit-code` is the model; its default is 0 (report only), which
`--exit-code 0` gives here: a leaked credential is a failure by default,
as gitleaks has it.

Registered in `cli/app.py` with `app.command("secrets")(secrets_command)`.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

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
    stderr_console,
)
from seawall.cli.settings import choose, command_settings, insecure_for
from seawall.errors import InputError

# The secret engine, its rules and reporters are imported by the command itself:
# `seawall sbom` and every other command mount this one and must not load them
# (docs/architecture.md, "Start-up").


class SecretsFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"


@exits_cleanly
def secrets_command(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            help="Any TARGET of `seawall inspect` (image forms, dir:PATH); leave out with --git."
        ),
    ] = None,
    git: Annotated[
        Path | None,
        typer.Option(
            "--git",
            help="Scan the history of the git repository at PATH: every blob reachable "
            "from every ref, each secret at the first commit that introduced it.",
            file_okay=False,
        ),
    ] = None,
    output_format: Annotated[
        SecretsFormat, typer.Option("--format", "-f", help="table, json or sarif.")
    ] = SecretsFormat.table,
    output: OutputOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="YAML file with allow rules, a baseline of accepted fingerprints, "
            "disabled rules and the file size limit.",
            dir_okay=False,
        ),
    ] = None,
    exit_code: Annotated[
        int,
        typer.Option(
            "--exit-code",
            help="Exit code when secrets are found (0 to only report).",
            min=0,
            max=255,
        ),
    ] = EXIT_POLICY_FAILED,
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Find leaked credentials in every layer (deleted files too), the image config and
    history, a directory tree, or a git repository's history."""
    # `--config` is this command's rules file; seawall.yaml is found the usual way
    # ($SEAWALL_CONFIG, ./seawall.yaml, $XDG_CONFIG_HOME) for the shared options.
    from rich.console import Console

    from seawall.analyze.secrets import SecretsConfig, builtin_rules, load_config
    from seawall.cli.progress import stderr_progress
    from seawall.limits import Limits
    from seawall.pipeline.secrets import secrets, secrets_in_git
    from seawall.report import secrets as report
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform

    if (target is None) == (git is None):
        raise InputError("give either a TARGET or --git PATH (not both)")
    settings = (
        load_config(config, frozenset(rule.id for rule in builtin_rules().rules))
        if config is not None
        else SecretsConfig()
    )
    if git is not None:
        result = secrets_in_git(git, settings)
    else:
        assert target is not None
        configured = command_settings()
        platform = choose(ctx, "platform", platform, configured.platform)
        cache_dir = choose(ctx, "cache_dir", cache_dir, configured.cache_dir)
        options = SourceOptions(
            platform=parse_platform(platform) if platform else None,
            insecure=insecure_for(target, insecure, configured.insecure_registries),
            cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
            limits=Limits.from_env(),
        )
        with stderr_progress(quiet=quiet) as progress:
            result = secrets(target, options.with_progress(progress), settings)
    if output_format is SecretsFormat.table:
        if output is None:
            Console().print(report.secrets_table(result))
        else:
            with output.open("w", encoding="utf-8") as stream:
                Console(file=stream, width=160, no_color=True).print(report.secrets_table(result))
    else:
        render = report.render_json if output_format is SecretsFormat.json else report.render_sarif
        text = render(result)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    if result.status.partial and not quiet:
        stderr_console().print(
            "seawall: warning: the scan was partial; see the problems in the report",
            markup=False,
            soft_wrap=True,
        )
    if result.findings and exit_code:
        raise typer.Exit(exit_code)
