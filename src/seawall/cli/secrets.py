"""`seawall secrets`: leaked credentials in an image, a directory, or a git history.

Exit codes: 0 when no finding remains after the allow rules and the
baseline, `--exit-code` (default 1, "policy failed" in DESIGN.md §1) when
one does, 2 for usage or input errors, 3 for internal errors. trivy's
`--exit-code` is the model; its default is 0 (report only), which
`--exit-code 0` gives here: a leaked credential is a failure by default,
as gitleaks has it.

`configure` declares the options (`cli/app.py` lists the command).
"""

import argparse
from enum import StrEnum
from pathlib import Path

from seawall.cli.common import (
    EXIT_POLICY_FAILED,
    exits_cleanly,
    print_rendered,
    print_stderr,
    write_text,
)
from seawall.cli.parser import (
    HANDLER,
    add_format,
    add_image_options,
    add_output,
    directory_path,
    file_path,
    int_range,
)
from seawall.cli.settings import command_settings, source_options
from seawall.errors import InputError

# The secret engine, its rules and reporters are imported by the command itself:
# building this command for `seawall secrets --help` must not load them
# (docs/architecture.md, "Start-up").


class SecretsFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        nargs="?",
        metavar="TARGET",
        help="Any TARGET of `seawall inspect` (image forms, dir:PATH); leave out with --git.",
    )
    parser.add_argument(
        "--git",
        type=directory_path,
        metavar="PATH",
        help="Scan the history of the git repository at PATH: every blob reachable "
        "from every ref, each secret at the first commit that introduced it.",
    )
    add_format(parser, SecretsFormat, SecretsFormat.table, "table, json or sarif.")
    add_output(parser)
    parser.add_argument(
        "--config",
        type=file_path,
        metavar="FILE",
        help="YAML file with allow rules, a baseline of accepted fingerprints, "
        "disabled rules and the file size limit.",
    )
    parser.add_argument(
        "--exit-code",
        type=int_range(0, 255),
        default=EXIT_POLICY_FAILED,
        metavar="CODE",
        help="Exit code when secrets are found (0 to only report). "
        "[default: %(default)s; 0<=x<=255]",
    )
    add_image_options(parser)
    parser.set_defaults(**{HANDLER: secrets_command})


@exits_cleanly
def secrets_command(
    *,
    target: str | None,
    git: Path | None,
    output_format: SecretsFormat,
    output: Path | None,
    config: Path | None,
    exit_code: int,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
) -> int:
    """Find leaked credentials in every layer (deleted files too), the image config and
    history, a directory tree, or a git repository's history."""
    # `--config` is this command's rules file; seawall.yaml is found the usual way
    # ($SEAWALL_CONFIG, ./seawall.yaml, $XDG_CONFIG_HOME) for the shared options.
    from seawall.analyze.secrets import SecretsConfig, builtin_rules, load_config
    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.secrets import secrets, secrets_in_git
    from seawall.report import secrets as report

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
        options = source_options(
            command_settings(),
            target,
            platform=platform,
            insecure=insecure,
            cache_dir=cache_dir,
            no_cache=no_cache,
        )
        with stderr_progress(quiet=quiet) as progress:
            result = secrets(target, options.with_progress(progress), settings)
    if output_format is SecretsFormat.table:
        print_rendered(report.secrets_table(result), output)
    else:
        render = report.render_json if output_format is SecretsFormat.json else report.render_sarif
        write_text(output, render(result))
    if result.status.partial and not quiet:
        print_stderr(
            "seawall: warning: the scan was partial; see the problems in the report", highlight=True
        )
    if result.findings and exit_code:
        return exit_code
    return 0
