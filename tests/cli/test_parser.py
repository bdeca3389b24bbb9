"""The argparse layer: usage errors, value checks click used to make, option forms,
and "given on the command line" as the settings precedence needs it."""

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from seawall.cli.app import build_parser, with_implied_subcommand
from seawall.cli.compliance import FrameworkName
from seawall.cli.parser import HANDLER
from seawall.cli.sbom import SbomFormat
from seawall.cli.settings import choose
from tests.support.cli import run_cli


def parsed(*args: str) -> dict[str, object]:
    arguments = with_implied_subcommand(list(args))
    options = vars(build_parser(arguments).parse_args(arguments))
    options.pop(HANDLER)
    return options


def usage_error(*args: str) -> str:
    """The one error line of a run that must fail as a usage error, after its usage."""
    result = run_cli(*args, env={"COLUMNS": "100"})
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: seawall")
    assert lines[-1].startswith("seawall: error: ")
    assert [line for line in lines if "error" in line] == [lines[-1]]
    return lines[-1]


def test_bad_values_are_usage_errors_naming_the_option(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert usage_error("sbom", "-f", "xml", "x") == (
        "seawall: error: argument -f/--format: invalid choice: 'xml' "
        "(choose from 'cyclonedx', 'spdx', 'json', 'table')"
    )
    assert usage_error("secrets", "--exit-code", "256", "x") == (
        "seawall: error: argument --exit-code: 256 is not in the range 0<=x<=255"
    )
    assert usage_error("secrets", "--exit-code", "one", "x") == (
        "seawall: error: argument --exit-code: 'one' is not a valid integer"
    )
    assert usage_error("compliance", "x", "-F", "soc2", "--base-layers", "-1") == (
        "seawall: error: argument --base-layers: -1 is not in the range x>=0"
    )
    assert usage_error("db", "status", "--max-age", "soon") == (
        "seawall: error: argument --max-age: invalid float value: 'soon'"
    )
    assert usage_error("sbom", "x", "--cache-dir", str(a_file)) == (
        f"seawall: error: argument --cache-dir: directory {str(a_file)!r} is a file"
    )
    assert usage_error("secrets", "--git", str(a_file)) == (
        f"seawall: error: argument --git: directory {str(a_file)!r} is a file"
    )
    assert usage_error("scan", "x", "--config", str(tmp_path)) == (
        f"seawall: error: argument --config: file {str(tmp_path)!r} is a directory"
    )
    assert usage_error("secrets", "x", "--config", str(tmp_path)) == (
        f"seawall: error: argument --config: file {str(tmp_path)!r} is a directory"
    )


def test_missing_and_unknown_arguments_are_usage_errors() -> None:
    assert usage_error("sbom") == "seawall: error: the following arguments are required: TARGET"
    assert usage_error("compliance", "image.tar") == (
        "seawall: error: the following arguments are required: -F/--framework"
    )
    assert usage_error("db", "export") == (
        "seawall: error: the following arguments are required: --bundle"
    )
    assert usage_error("sbom", "--bogus", "x") == "seawall: error: unrecognized arguments: --bogus"
    assert usage_error("sbom", "x", "y") == "seawall: error: unrecognized arguments: y"
    # Long options are never abbreviated: a new option must not change what one meant.
    assert usage_error("sbom", "--form", "json", "x").startswith(
        "seawall: error: unrecognized arguments: --form"
    )
    assert usage_error("sbmo").startswith(
        "seawall: error: argument COMMAND: invalid choice: 'sbmo' (choose from 'inspect', 'sbom',"
    )


def test_the_error_comes_with_the_usage_of_the_command_that_failed() -> None:
    result = run_cli("db", "import", "a.zip", "--bogus", env={"COLUMNS": "100"})
    assert result.stderr.startswith("usage: seawall db import ")
    result = run_cli("compliance", "verify", env={"COLUMNS": "100"})
    assert result.stderr.startswith("usage: seawall compliance verify ")


@pytest.mark.parametrize("group", [[], ["db"], ["compliance"]])
def test_a_group_without_a_command_shows_its_help_as_a_usage_error(group: list[str]) -> None:
    result = run_cli(*group, env={"COLUMNS": "100"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"usage: {' '.join(['seawall', *group])} ")
    assert "commands:" in result.stderr


def test_help_and_version_go_to_standard_output() -> None:
    for args in (["--help"], ["-h"], ["scan", "--help"], ["db", "update", "-h"]):
        result = run_cli(*args, env={"COLUMNS": "100"})
        assert (result.exit_code, result.stderr) == (0, ""), args
        assert result.stdout.startswith("usage: seawall"), args
    version = run_cli("--version")
    assert version.exit_code == 0 and version.stdout.startswith("seawall 0.")


def test_help_names_each_option_once_with_its_values_and_default() -> None:
    help_text = run_cli("sbom", "--help", env={"COLUMNS": "200"}).stdout
    assert "-f, --format {cyclonedx,spdx,json,table}" in help_text
    assert "-o, --output FILE" in help_text
    assert "or table. [default: table]" in help_text
    secrets_help = run_cli("secrets", "--help", env={"COLUMNS": "200"}).stdout
    assert "[default: 1; 0<=x<=255]" in secrets_help
    scan_help = run_cli("scan", "--help", env={"COLUMNS": "200"}).stdout
    assert "--internet-facing, --internal" in scan_help
    assert "[default: vuln,secret]" in scan_help
    assert "[default: seawall]" in scan_help


def test_values_are_converted_as_the_commands_expect(tmp_path: Path) -> None:
    options = parsed("sbom", "x", "-f", "spdx", "-o", "out.json", "--cache-dir", str(tmp_path))
    assert options["output_format"] is SbomFormat.spdx
    assert options["output"] == Path("out.json")
    assert options["cache_dir"] == tmp_path
    assert parsed("sbom", "x")["output_format"] is SbomFormat.table
    run = parsed("compliance", "x", "-F", "pci-dss", "--base-layers", "2")
    assert run["framework_name"] is FrameworkName.pci_dss
    assert run["base_layers"] == 2
    assert parsed("secrets", "x", "--exit-code", "0")["exit_code"] == 0
    assert parsed("secrets", "x")["exit_code"] == 1


def test_repeatable_options_and_the_two_way_switch() -> None:
    options = parsed("scan", "x", "--vex", "a.json", "--data", "payment", "--vex", "b.json")
    assert options["vex"] == [Path("a.json"), Path("b.json")]
    assert options["data"] == ["payment"]
    assert parsed("scan", "x")["internet_facing"] is None
    assert parsed("scan", "x", "--internet-facing")["internet_facing"] is True
    assert parsed("scan", "x", "--internet-facing", "--internal")["internet_facing"] is False
    assert parsed("db", "update", "-e", "PyPI", "--ecosystem", "npm")["ecosystem"] == [
        "PyPI",
        "npm",
    ]


def test_import_paths_may_be_split_by_options() -> None:
    options = parsed("db", "import", "a.zip", "--source", "osv", "b.zip", "-q", "c")
    assert options["paths"] == [Path("a.zip"), Path("b.zip"), Path("c")]
    assert options["source"] == "osv" and options["quiet"] is True
    assert parsed("db", "import", "--bundle", "x.tar")["paths"] == []


def test_compliance_runs_run_unless_told_otherwise() -> None:
    implied = with_implied_subcommand(["compliance", "img", "-F", "gdpr"])
    assert implied == ["compliance", "run", "img", "-F", "gdpr"]
    for kept in (
        ["compliance", "run", "img"],
        ["compliance", "verify", "dir"],
        ["compliance", "--help"],
        ["compliance"],
        ["sbom", "img"],
        ["-q"],
    ):
        assert with_implied_subcommand(kept) == kept
    assert with_implied_subcommand(["compliance", "-F", "gdpr", "img"])[:2] == [
        "compliance",
        "run",
    ]


def test_options_the_settings_can_replace_are_none_unless_given() -> None:
    """`choose` tells a value left out from one given: argparse leaves these None."""
    left_out = parsed("scan", "x")
    for name in ("scanners", "severity", "fail_on", "ignore_unfixed", "offline", "db", "policy"):
        assert left_out[name] is None, name
    assert left_out["vex"] is None and left_out["platform"] is None
    assert left_out["cache_dir"] is None
    given = parsed("scan", "x", "--scanners", "vuln,secret", "--offline", "--ignore-unfixed")
    assert given["scanners"] == "vuln,secret"  # the default, written out: it beats a setting
    assert choose(given["scanners"], "misconfig", "vuln,secret") == "vuln,secret"
    assert choose(left_out["scanners"], "misconfig", "vuln,secret") == "misconfig"
    assert choose(None, None, "vuln,secret") == "vuln,secret"
    assert given["offline"] is True and given["ignore_unfixed"] is True
    assert choose(False, True, True) is False  # a given False is kept


def test_every_option_reaches_its_command() -> None:
    """Each command's handler takes exactly the options its parser declares (by `dest`)."""
    import inspect

    for args in (
        ["inspect", "x"],
        ["sbom", "x"],
        ["scan", "x"],
        ["secrets", "x"],
        ["config", "x"],
        ["diff", "a", "b"],
        ["db", "import"],
        ["db", "update"],
        ["db", "export", "--bundle", "b"],
        ["db", "status"],
        ["compliance", "run", "x", "-F", "gdpr"],
        ["compliance", "verify", "x"],
    ):
        namespace = build_parser(args).parse_args(args)
        handler = getattr(namespace, HANDLER)
        declared = set(vars(namespace)) - {HANDLER}
        assert set(inspect.signature(handler).parameters) == declared, args


@pytest.mark.parametrize("days", ["nan", "inf", "1e9"])
def test_status_refuses_an_age_the_date_arithmetic_cannot_take(days: str, tmp_path: Path) -> None:
    result = run_cli("db", "status", "--max-age", days, env={"SEAWALL_DB": str(tmp_path / "x")})
    assert result.exit_code == 2
    assert result.stderr == (
        "seawall: error: --max-age must be a positive number of days, at most 36500\n"
    )


_WIDTH_PROBE = (
    "import shutil, sys\n"
    "from seawall.cli.parser import terminal_columns\n"
    "print(terminal_columns(), shutil.get_terminal_size().columns, file=sys.stderr)\n"
)


@pytest.mark.parametrize("columns", [None, "100", "0", "-3", "wide", ""])
@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_help_is_as_wide_as_shutil_says(columns: str | None, terminal: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    if terminal:  # standard output on a terminal 123 columns wide
        leader, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 123, 0, 0))
    else:
        leader, follower = os.pipe()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _WIDTH_PROBE],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=True,
        )
    finally:
        os.close(leader)
        os.close(follower)
    ours, shutils = done.stderr.split()
    assert ours == shutils
    assert ours == ("100" if columns == "100" else "123" if terminal else "80")
