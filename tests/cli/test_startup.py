"""Start-up: the CLI imports only what the command it runs needs.

A warm run (every layer, or the whole inventory, cached) must not pay for
what only a cold run, another format or another command uses: the probes
below run real commands in fresh processes on images the tests build, and
look at what each process imported.
"""

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from seawall.catalog.registry import CATALOGERS
from seawall.cli import common
from seawall.cli.app import COMMANDS, build_parser, with_implied_subcommand
from seawall.cli.db import DEFAULT_MAX_AGE_DAYS
from seawall.cli.parser import HANDLER
from seawall.report.terminal import printable
from seawall.vulndb.staleness import DEFAULT_MAX_AGE
from tests.pipeline.test_sbom import layered_image
from tests.pipeline.test_secrets import secret_image
from tests.support.cli import run_cli
from tests.support.imagebuild import write_docker_archive, write_oci_layout

# No command uses these: argparse replaced them (docs/architecture.md, "Start-up").
RETIRED = ("typer", "click")

# Stacks that no command needs before it runs (each command imports its own).
HEAVY = (
    *RETIRED,
    "rich",
    "pydantic",
    "httpx",
    "yaml",
    "zstandard",
    "seawall.pipeline.sbom",
    "seawall.pipeline.scan",
    "seawall.catalog.registry",
    "seawall.vulndb.store",
    "seawall.analyze.secrets",
    "seawall.report.sbom.cyclonedx",
)

# What a warm run (every layer, or the image's inventory, cached) does not need:
# `logging` reports a discarded cache entry or a first database download; the
# catalogers' shared types and the hints' predicates serve only reading layers (the
# cache keys need the registry's declarations alone); the settings file's validation
# only a settings file (SEAWALL_* variables are checked without it); the business
# context only `scan`'s policy (docs/architecture.md, "Start-up").
WARM_NEVER = (
    "logging",
    "seawall.catalog.base",
    "seawall.catalog.hints",
    "seawall.catalog.os.release",
    "seawall.catalog.lang.binaries",
    "seawall.catalog.lang.paths",
    "seawall.settings.document",
    "seawall.policy.contextfile",
    "pydantic",
    "yaml",
)

# The commands' modules: building the root parser imports none of them, running a
# command only its own.
COMMAND_MODULES = tuple(command.module for command in COMMANDS)


def other_commands(own: str) -> tuple[str, ...]:
    return tuple(module for module in COMMAND_MODULES if module != f"seawall.cli.{own}")


# Runs `seawall ARGS` as the console script does, then lists what was imported.
# Standard error is a pipe, as in CI: no terminal, so no progress bars.
PROBE = """
import sys
from seawall.cli.app import main
sys.argv = ["seawall", *sys.argv[1:]]
code = main()
with open(MODULES, "w") as out:
    out.write("\\n".join(sorted(sys.modules)))
sys.exit(code)
"""


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def run_seawall(tmp_path: Path, *args: str, variables: dict[str, str] | None = None) -> set[str]:
    """Modules a `seawall ARGS` process imported (the command must succeed); `variables`
    are set in its environment, where no other SEAWALL_* variable is."""
    modules = tmp_path / f"modules-{len(list(tmp_path.glob('modules-*')))}.txt"
    code = PROBE.replace("MODULES", repr(str(modules)))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_COLOR", "TTY_COMPATIBLE") and not k.startswith("SEAWALL_")
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")  # no user settings
    env.update(variables or {})
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    return set(modules.read_text().split())


def catalogers(modules: set[str]) -> set[str]:
    """The catalogers' own modules (the parsers, not their declarations) among `modules`."""
    homes = {cataloger.HOME.partition(":")[0] for cataloger in CATALOGERS}
    return homes & modules


def test_importing_the_cli_loads_no_command_stack() -> None:
    loaded = loaded_after("import seawall.cli.app")
    assert sorted(name for name in (*HEAVY, *COMMAND_MODULES) if name in loaded) == []


def test_help_loads_no_command_stack() -> None:
    loaded = loaded_after("from seawall.cli.app import main\nmain(['--help'])")
    assert sorted(name for name in (*HEAVY, *COMMAND_MODULES) if name in loaded) == []


def test_building_parsers_loads_no_helper_of_the_help_width() -> None:
    # argparse asks shutil (and with it bz2 and lzma) for the terminal's width every
    # time it makes a formatter; `cli.parser.terminal_columns` answers instead.
    loaded = loaded_after("from seawall.cli.app import main\nmain(['sbom', '--help'])")
    assert "argparse" in loaded
    assert sorted(name for name in ("shutil", "bz2", "lzma", "logging") if name in loaded) == []


def test_a_command_builds_only_itself() -> None:
    loaded = loaded_after("from seawall.cli.app import main\nmain(['sbom', '--help'])")
    assert "seawall.cli.sbom" in loaded  # the probe sees the command's own module
    assert sorted(name for name in (*HEAVY, *other_commands("sbom")) if name in loaded) == []


def test_no_command_imports_a_retired_library() -> None:
    code = (
        "import contextlib, io\n"
        "from seawall.cli.app import build_parser\n"
        "parser = build_parser(everything=True)\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    for args in (['db', 'status', '--help'], ['compliance', 'run', '--help']):\n"
        "        try:\n            parser.parse_args(args)\n"
        "        except SystemExit:\n            pass\n"
    )
    loaded = loaded_after(code)
    assert set(COMMAND_MODULES) <= loaded
    assert sorted(name for name in (*RETIRED, "rich") if name in loaded) == []


def _help_invocations() -> Iterator[list[str]]:
    yield []
    yield ["--help"]
    yield ["--version"]
    yield ["sbmo"]  # the error lists every name
    for command in COMMANDS:
        yield [command.name, "--help"]
        yield [command.name, "--bogus"]
    yield ["db", "status", "--help"]
    yield ["db", "import", "--help"]
    yield ["compliance", "run", "--help"]
    yield ["compliance", "verify", "--help"]
    yield ["compliance", "image.tar", "--help"]  # `run` implied
    yield ["sbom", "--bogus", "x"]
    yield ["sbom", "-f", "xml", "x"]
    yield ["--", "sbom", "--help"]
    yield ["-q", "sbom", "--help"]


def _outcome(parser: argparse.ArgumentParser, args: list[str]) -> tuple[object, str, str]:
    """What parsing `args` gives (the handler's name and options, or the exit status) and
    what was printed; a group's handler, which shows its help, is run."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            options = vars(parser.parse_args(args))
        except SystemExit as done:
            parsed: object = done.code
        else:
            handler = options.pop(HANDLER)
            parsed = (handler.__qualname__, options)
            if not options:
                parsed = handler()
    return parsed, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("args", list(_help_invocations()), ids=" ".join)
def test_the_lazy_root_says_what_the_eager_one_says(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    args = with_implied_subcommand(args)
    lazy = _outcome(build_parser(args), args)
    eager = _outcome(build_parser(everything=True), args)
    assert lazy == eager
    assert lazy[1] or lazy[2]


def test_every_command_is_listed_with_its_help() -> None:
    result = run_cli("--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"    {command.name} " in result.stdout
        assert command.help in " ".join(result.stdout.split())


def test_warm_sbom_reads_only_the_inventory_cache(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "image.tar", [(layered_image(), ["app:1"])])
    args = ["sbom", f"docker-archive:{archive}:app:1", "--cache-dir", str(tmp_path / "cache")]
    out = ["-f", "cyclonedx", "-o", str(tmp_path / "bom.json")]

    cold = run_seawall(tmp_path, *args, *out)
    warm = run_seawall(tmp_path, *args, *out)

    cold_only = (
        "seawall.fs",
        "seawall.pipeline.reduce",
        "seawall.pipeline.inventory",
        "seawall.report.sbom.native",  # writes the cache entries
        "tempfile",
    )
    never = (
        *RETIRED,
        *WARM_NEVER,
        "rich",
        "seawall.model.context",
        "seawall.source.sbom",
        "seawall.report.sbom.spdx",
        "seawall.report.sbom.table",
        *other_commands("sbom"),
    )
    assert [name for name in cold_only if name not in cold] == []  # the probe sees imports
    assert "seawall.catalog.base" in cold  # and would see the catalogers' types
    assert catalogers(cold)
    assert sorted(name for name in (*cold_only, *never) if name in warm) == []
    assert catalogers(warm) == set()
    packages = json.loads((tmp_path / "bom.json").read_text())["components"]
    assert any(component["name"] == "curl" for component in packages)

    # The same run configured by the environment instead: still no settings validation.
    variables = {"SEAWALL_CACHE_DIR": str(tmp_path / "cache"), "SEAWALL_OFFLINE": "true"}
    by_variables = run_seawall(tmp_path, *args[:2], *out, variables=variables)
    assert sorted(name for name in (*cold_only, *never) if name in by_variables) == []
    assert json.loads((tmp_path / "bom.json").read_text())["components"] == packages


def test_warm_secrets_as_json_loads_no_table(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "image.tar", [(secret_image(), ["app:1"])])
    args = ["secrets", f"docker-archive:{archive}:app:1", "--cache-dir", str(tmp_path / "cache")]
    out = ["-f", "json", "-o", str(tmp_path / "found.json"), "--exit-code", "0"]

    run_seawall(tmp_path, *args, *out)
    warm = run_seawall(tmp_path, *args, *out)

    never = (
        *RETIRED,
        *WARM_NEVER,
        "rich",
        "seawall.model.context",
        "seawall.report.scan.table",
        "seawall.report.secrets.table",
        # The SBOM writers' helpers (and the uuid and datetime they need): the secret
        # reporters share only the scan reporters' text helpers.
        "seawall.report.sbom",
        "seawall.report.sbom.common",
        "uuid",
        "datetime",
    )
    assert sorted(name for name in (*never, *other_commands("secrets")) if name in warm) == []
    assert json.loads((tmp_path / "found.json").read_text())["findings"]


def test_warm_scan_with_the_default_policy_loads_no_file_readers(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(secret_image(), "v1")])
    args = [
        "scan",
        f"oci-dir:{layout}:v1",
        "--scanners",
        "secret",
        "--cache-dir",
        str(tmp_path / "cache"),
        "-f",
        "json",
        "-o",
        str(tmp_path / "scan.json"),
    ]

    run_seawall(tmp_path, *args)
    warm = run_seawall(tmp_path, *args)

    never = (
        *RETIRED,
        *WARM_NEVER,
        "rich",
        "seawall.versions",  # the policy compares versions only when it has vulnerabilities
        "seawall.report.sbom.common",
        "seawall.report.vex.common",  # VEX options: only for the VEX formats
        "seawall.policy.document",
        "seawall.policy.vex.load",
        "seawall.source.scanresult",
        "seawall.pipeline.misconfig",
        "seawall.vulndb.store",
        "seawall.match",
        "seawall.report.scan.table",
        "seawall.report.scan.sarif",
        "seawall.report.vex.csaf",
        *other_commands("scan"),
    )
    assert sorted(name for name in never if name in warm) == []
    assert json.loads((tmp_path / "scan.json").read_text())["secrets"]


@contextmanager
def captured_stderr() -> Iterator[io.StringIO]:
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        yield sys.stderr
    finally:
        sys.stderr = saved


MESSAGES = (
    "seawall: error: docker-archive:/no/such.tar: no such file or directory",
    "seawall: warning: the inventory may be incomplete; see the cataloger statuses",
    "seawall: error: settings seawall.yaml: 2 problem(s):\n  fail_on: x\n  db: y",
    "seawall: error: [bold]not markup[/bold] and 日本語 and trailing spaces   ",
    "seawall: error: " + "long " * 60,
    "seawall: error: an emoji code :smile: in a name",
    "seawall: error: a tab\there and a return\rthere",
    "seawall: error: an escape \x1b[31mred",
    "",
)


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("highlight", [False, True])
def test_plain_messages_are_what_rich_prints(
    message: str, highlight: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    # Control characters are shown as escapes first (seawall.report.terminal).
    shown = printable(message, keep_newlines=True)
    with captured_stderr() as rich_out:
        Console(stderr=True).print(shown, markup=False, highlight=highlight, soft_wrap=True)
    with captured_stderr() as ours:
        common.print_stderr(message, highlight=highlight)
    assert ours.getvalue() == rich_out.getvalue()
    assert "\x1b" not in ours.getvalue() and "\r" not in ours.getvalue()


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": ""},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "1", "FORCE_COLOR": ""},
    ],
)
def test_no_terminal_only_when_rich_sees_none(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    stream = io.StringIO()
    assert common.may_be_terminal(stream) == Console(file=stream).is_terminal


def test_written_out_default_agrees_with_the_store() -> None:
    assert DEFAULT_MAX_AGE.days == DEFAULT_MAX_AGE_DAYS
