"""The `seawall` command: the root parser, the table of commands, and `main`.

Exit codes (DESIGN.md §1): 0 passed, 1 policy failed, 2 usage or input
error, 3 internal error.

Start-up time is part of every command's run time (docs/architecture.md,
"Start-up"). This module imports argparse and no command: the root knows each
command by its name and help (`COMMANDS`), and only the command that runs is
imported and given its arguments (its module's `configure`). Each command then
imports its pipeline stage, reporters and rich in its body, so `seawall sbom`
never loads the vulnerability matcher and `seawall --help` loads no command.
"""

import gc
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import NamedTuple

from seawall import __version__
from seawall.cli.common import EXIT_INPUT_ERROR
from seawall.cli.parser import HANDLER, SeawallParser, shows_help

DESCRIPTION = (
    "What is in a container image, is it vulnerable, has it leaked, is it configured safely."
)


class Command(NamedTuple):
    """One command of `seawall`, as the root lists it without importing it.

    (A named tuple: `dataclasses` imports `inspect`, ~10 ms that `--help` need not pay.)
    """

    name: str
    module: str
    """Where it lives: a module with `configure(parser)`, which declares its arguments and
    sets its handler (`cli/parser.py`). A group of subcommands whose first argument may
    be left out also has `SUBCOMMANDS` and `DEFAULT_SUBCOMMAND` (`cli/compliance.py`)."""
    help: str
    usage: str


COMMANDS = (
    Command(
        "inspect",
        "seawall.cli.inspect",
        "Show what an image is: manifest, platform, config, layers, history and file counts.",
        "%(prog)s [options] TARGET",
    ),
    Command(
        "sbom",
        "seawall.cli.sbom",
        "List every OS and language package in every layer, as an SBOM.",
        "%(prog)s [options] TARGET",
    ),
    Command(
        "scan",
        "seawall.cli.scan",
        "Find vulnerabilities, leaked secrets and misconfigurations; the policy decides.",
        "%(prog)s [options] TARGET",
    ),
    Command(
        "secrets",
        "seawall.cli.secrets",
        "Find leaked credentials in every layer (deleted files too), the image config and "
        "history, a directory tree, or a git repository's history.",
        "%(prog)s [options] (TARGET | --git PATH)",
    ),
    Command(
        "config",
        "seawall.cli.config",
        "Check Dockerfiles and Kubernetes manifests for insecure settings.",
        "%(prog)s [options] PATH",
    ),
    Command(
        "diff",
        "seawall.cli.diff",
        "What NEW introduced, fixed and kept compared with OLD, by layer.",
        "%(prog)s [options] OLD NEW",
    ),
    Command(
        "db",
        "seawall.cli.db",
        "The local vulnerability database: import, update, export, status.",
        "%(prog)s {import,update,export,status} ...",
    ),
    Command(
        "compliance",
        "seawall.cli.compliance",
        "Per-control compliance results (CIS Docker, PCI DSS, NIST 800-53, GDPR, SOC 2) "
        "with an audit evidence bundle.",
        "%(prog)s [run] TARGET --framework NAME [options] | %(prog)s verify [options] DIR",
    ),
    Command(
        "daemon",
        "seawall.cli.daemon",
        "Keep seawall loaded in a resident process that runs later commands without start-up.",
        "%(prog)s {start,stop,status} ...",
    ),
)
"""Every command, in the order `seawall --help` lists them."""


def command_index(args: Sequence[str]) -> int | None:
    """Where the command's name is in `args`: the first argument that is not an option
    (none of the root's options takes a value), or None when there is none."""
    for index, arg in enumerate(args):
        if arg == "--":
            return index + 1 if index + 1 < len(args) else None
        if not arg.startswith("-"):
            return index
    return None


def with_implied_subcommand(args: list[str]) -> list[str]:
    """`args` with a group's default subcommand written out where it was left out
    (`seawall compliance IMAGE -F soc2` is `seawall compliance run IMAGE -F soc2`)."""
    index = command_index(args)
    command = _named(args[index]) if index is not None else None
    if index is None or command is None:
        return args
    module = import_module(command.module)
    implied: str | None = getattr(module, "DEFAULT_SUBCOMMAND", None)
    rest = args[index + 1 :]
    if implied is None or not rest or rest[0] in (*module.SUBCOMMANDS, "-h", "--help"):
        return args
    return [*args[: index + 1], implied, *rest]


def build_parser(args: Sequence[str] = (), *, everything: bool = False) -> SeawallParser:
    """The root parser. Every command is listed; only the one `args` runs (or, with
    `everything`, each of them) is imported and given its arguments."""
    index = command_index(args)
    chosen = args[index] if index is not None else None
    root = SeawallParser(prog="seawall", description=DESCRIPTION)
    root.add_argument(
        "--version", action="version", version=f"seawall {__version__}", help="Print the version."
    )
    root.set_defaults(**{HANDLER: shows_help(root)})
    commands = root.add_subparsers(title="commands", metavar="COMMAND", parser_class=SeawallParser)
    for command in COMMANDS:
        parser = commands.add_parser(
            command.name, help=command.help, description=command.help, usage=command.usage
        )
        if everything or command.name == chosen:
            import_module(command.module).configure(parser)
    return root


def main(argv: Sequence[str] | None = None, *, parser: SeawallParser | None = None) -> int:
    """Runs `seawall ARGS` (default `sys.argv[1:]`) and returns its exit code, which the
    console script exits with. `parser`: one `build_parser(everything=True)` made
    ahead, as the resident process keeps (it parses every command alike)."""
    # A command lives seconds and makes few reference cycles, while it allocates
    # objects by the hundred thousand that live to its end (inventories, findings):
    # at the default threshold (700) the collector walks them again and again,
    # 2-3% of a cold `seawall sbom` (timed with `gc.callbacks`). Collecting the
    # young generation every 100,000 allocations still bounds what cycles hold.
    gc.set_threshold(100_000, 10, 10)
    if os.environ.get("SEAWALL_DEBUG"):
        import logging  # only here: `--help` and a quiet run need no logging set up

        logging.basicConfig(level=logging.DEBUG)
    args = with_implied_subcommand(list(sys.argv[1:] if argv is None else argv))
    parser = parser or build_parser(args)
    try:
        namespace = parser.parse_args(args)
    except SystemExit as done:  # --help, --version, a usage error
        return _status(done.code)
    options = vars(namespace)
    handler = options.pop(HANDLER)
    status: int = handler(**options)
    return status


def _named(name: str) -> Command | None:
    return next((command for command in COMMANDS if command.name == name), None)


def _status(code: object) -> int:
    """An exit status from `SystemExit.code` (argparse gives an int)."""
    if code is None:
        return 0
    return code if isinstance(code, int) else EXIT_INPUT_ERROR
