"""The argparse pieces every `seawall` command is built from: the parser class, value
types that check what click checked (with its wording), and the options several
commands share.

A command module has `configure(parser)`, which declares its arguments and sets the
parser's `HANDLER` default to the function that runs it; the handler is called with
the parsed values as keyword arguments (named by each argument's `dest`) and returns
the exit code (docs/architecture.md, "Start-up").

Options whose default the settings can replace (seawall.yaml, SEAWALL_*) default to
`None` here, so "not given" is told apart from "given its default value"
(`cli.settings.choose`); their help text says the real default.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from seawall.cli.common import EXIT_INPUT_ERROR

HANDLER = "_handler"
"""The namespace attribute holding the function that runs the parsed command."""

E = TypeVar("E", bound=StrEnum)


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, which argparse asks for its help width.

    Written out because argparse makes a formatter for every argument it is given
    (to check its metavar), and importing `shutil` for it also imports the bz2 and
    lzma modules: start-up time no run needs (docs/architecture.md, "Start-up").
    `$COLUMNS` when it is a positive number, else the width of the terminal on
    standard output, else 80.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout, closed, or not a terminal
        columns = 0
    return columns or 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with an option's value named once: `-f, --format {table,json}`."""

    def __init__(self, prog: str) -> None:
        # argparse's own default width: the terminal's columns less 2.
        super().__init__(prog, max_help_position=30, width=terminal_columns() - 2)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.nargs == argparse.PARSER and isinstance(action.choices, dict):
            # argparse measures subcommand names without the indentation it lists them
            # with, so the longest (`compliance`) went onto a line of its own.
            longest = max((len(name) for name in action.choices), default=0)
            indented = longest + self._current_indent + self._indent_increment
            self._action_max_length = max(self._action_max_length, indented)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        value = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{', '.join(action.option_strings)} {value}"


class SeawallParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors read `seawall: error: …` after the usage line.

    Long options must be written in full (`allow_abbrev=False`), as click had it: an
    abbreviation that works today would break when an option is added. A command
    (a parser without subcommands) refuses arguments it does not know itself, so the
    error comes with its own usage rather than the root's. With `intermixed=True`
    the positionals may be split by options (`db import a.zip --source x b.zip`),
    which plain argparse refuses for a positional taking several values.
    """

    def __init__(self, *args: Any, intermixed: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self._intermixed = intermixed
        self._intermixing = False
        self._has_commands = False

    def add_subparsers(self, **kwargs: Any) -> "argparse._SubParsersAction[Any]":
        self._has_commands = True
        # Subcommands are named after this parser's name, not after its usage line.
        kwargs.setdefault("prog", self.prog)
        return super().add_subparsers(**kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._intermixing:
            return super().parse_known_args(args, namespace)
        if self._intermixed:
            # parse_known_intermixed_args calls parse_known_args itself, twice.
            self._intermixing = True
            try:
                parsed, extras = self.parse_known_intermixed_args(args, namespace)
            finally:
                self._intermixing = False
        else:
            parsed, extras = super().parse_known_args(args, namespace)
        if extras and not self._has_commands:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT_ERROR, f"seawall: error: {message}\n")


def shows_help(parser: argparse.ArgumentParser) -> Callable[[], int]:
    """The handler of a command group run without a subcommand: its help, as a usage error."""

    def show() -> int:
        parser.print_help(sys.stderr)
        return EXIT_INPUT_ERROR

    return show


def choice_of(enum: type[E]) -> Callable[[str], E]:
    """An argument type taking one of `enum`'s values (used with `choices=list(enum)`)."""

    def convert(text: str) -> E:
        for member in enum:
            if member.value == text:
                return member
        names = ", ".join(repr(member.value) for member in enum)
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {names})")

    return convert


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An integer argument type bounded like click's `IntRange(min=low, max=high)`."""
    bounds = f"{low}<=x<={high}" if high is not None else f"x>={low}"

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid integer") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is not in the range {bounds}")
        return value

    return convert


def directory_path(text: str) -> Path:
    """A path that may not name an existing regular file (click's `file_okay=False`)."""
    path = Path(text)
    if path.is_file():
        raise argparse.ArgumentTypeError(f"directory {text!r} is a file")
    return path


def file_path(text: str) -> Path:
    """A path that may not name an existing directory (click's `dir_okay=False`)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"file {text!r} is a directory")
    return path


class Toggle(argparse.Action):
    """One setting with an option for each answer (`--internet-facing/--internal`): the
    first option string sets True, the second False; left out, the default (None)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, option_string == self.option_strings[0])


def add_format(
    parser: argparse.ArgumentParser, formats: type[E], default: E, help: str = "Output format."
) -> None:
    """`-f/--format`, one of `formats`, as `output_format`."""
    parser.add_argument(
        "-f",
        "--format",
        dest="output_format",
        type=choice_of(formats),
        choices=list(formats),
        default=default,
        help=f"{help} [default: %(default)s]",
    )


def add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="Write the report to this file instead of stdout.",
    )


def add_image_options(parser: argparse.ArgumentParser, *, no_cache: bool = True) -> None:
    """`--platform`, `--insecure`, `-q/--quiet`, `--cache-dir` and (unless told not to)
    `--no-cache`: how a command reaches and caches an image."""
    parser.add_argument(
        "--platform",
        metavar="OS/ARCH",
        help="Platform to choose from a multi-arch image, os/arch[/variant].",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="Allow plain-http registries (never implied).",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="No progress bars.")
    add_cache_dir(parser)
    if no_cache:
        parser.add_argument(
            "--no-cache", action="store_true", help="Do not read or write the on-disk cache."
        )


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=directory_path,
        metavar="DIR",
        help="Cache directory (default $SEAWALL_CACHE_DIR or ~/.cache/seawall).",
    )
