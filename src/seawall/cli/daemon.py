"""`seawall daemon start|stop|status`: the resident process that keeps seawall imported.

While one runs, every `seawall` command of the same user and installation is
run by a fork of it, without the interpreter's start-up and imports
(`cli/resident/`, docs/architecture.md, "The resident process").
`SEAWALL_DAEMON=0` makes a command run in its own process anyway.
"""

import argparse
import math
import os

from seawall.cli.common import exits_cleanly
from seawall.cli.parser import HANDLER, SeawallParser, shows_help
from seawall.errors import InputError

DEFAULT_IDLE_SECONDS = 900.0
MAX_IDLE_SECONDS = 7 * 24 * 3600.0
EXIT_NOT_RUNNING = 1
"""What `status` and `stop` return when no resident process runs, for scripts to test."""


def configure(parser: argparse.ArgumentParser) -> None:
    """`seawall daemon` and its three subcommands."""
    parser.set_defaults(**{HANDLER: shows_help(parser)})
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=SeawallParser
    )
    starting = commands.add_parser(
        "start",
        help="Start the resident process (nothing happens when it runs already).",
        description="Start the resident process (nothing happens when it runs already).",
    )
    starting.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_SECONDS,
        metavar="SECONDS",
        help=f"Exit after this long without a command (default {DEFAULT_IDLE_SECONDS:g}).",
    )
    starting.set_defaults(**{HANDLER: start_command})
    stopping = commands.add_parser("stop", help="Stop it.", description="Stop it.")
    stopping.set_defaults(**{HANDLER: stop_command})
    asking = commands.add_parser(
        "status", help="Say whether it runs, and since when.", description="Say whether it runs."
    )
    asking.set_defaults(**{HANDLER: status_command})


@exits_cleanly
def start_command(*, idle_timeout: float) -> int:
    """Start the resident process."""
    from seawall.cli.resident.control import start

    if not (math.isfinite(idle_timeout) and 0 < idle_timeout <= MAX_IDLE_SECONDS):
        raise InputError(
            f"--idle-timeout must be a positive number of seconds, at most {MAX_IDLE_SECONDS:g}"
        )
    print(start(_socket(), idle_timeout))
    return 0


@exits_cleanly
def stop_command() -> int:
    """Stop the resident process."""
    from seawall.cli.resident.control import stop

    if stop(_socket()):
        print("stopped")
        return 0
    print("not running")
    return EXIT_NOT_RUNNING


@exits_cleanly
def status_command() -> int:
    """Say whether the resident process runs."""
    from seawall.cli.resident.control import status

    path = _socket()
    answer = status(path)
    print(f"{answer} socket={path}" if answer else "not running")
    return 0 if answer else EXIT_NOT_RUNNING


def _socket() -> str:
    from seawall.cli.resident.wire import socket_path

    return socket_path(os.environ)
