"""What every `seawall` command shares: exit codes, error mapping, output, the cache.

The options several commands share are declared in `cli/parser.py`.
"""

import os
import sys
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TextIO

from seawall.errors import InputError, SeawallError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

EXIT_POLICY_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a program stopped by Ctrl-C."""


@cache
def stderr_console() -> "Console":
    """Messages, warnings and progress go to standard error; reports to standard output.

    Made on first use: rich costs start-up time that a quiet, successful
    command never needs.
    """
    from rich.console import Console

    return Console(stderr=True)


def may_be_terminal(stream: TextIO) -> bool:
    """False when rich would certainly not treat `stream` as a terminal.

    rich's `Console.is_terminal` in the order it asks: `TTY_COMPATIBLE=0`
    says no and `=1` yes, a set `FORCE_COLOR` says yes unless empty, and
    otherwise the stream's `isatty()`. (rich also says no inside Jupyter or
    IDLE; there this answers True and rich decides.) Asking here instead of
    rich keeps rich's import (~30 ms) out of a run whose standard error is a
    file or a pipe.
    """
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def _plain(message: str) -> bool:
    """True when rich prints `message` as it is (with `markup=False, soft_wrap=True`).

    That holds off a terminal for printable text, unless rich would read an
    emoji code (`:name:`, anything between two colons without a space) in it.
    """
    for word in message.split():
        if word.count(":") >= 2:
            return False
    return all(line.isprintable() for line in message.split("\n"))


def print_stderr(message: str, *, highlight: bool = False) -> None:
    """One message on standard error, exactly as `stderr_console().print` writes it.

    Off a terminal, text rich would print unchanged is written directly, so
    an error or a warning costs no rich import; otherwise rich prints it
    (colours and highlighting on a terminal). Messages name inputs, so
    control and format characters in them are shown as escapes
    (seawall.report.terminal): a hostile path cannot act on the terminal.
    """
    if not all(line.isprintable() for line in message.split("\n")):
        from seawall.report.terminal import printable

        message = printable(message, keep_newlines=True)
    if not may_be_terminal(sys.stderr) and _plain(message):
        sys.stderr.write(message + "\n")
        return
    stderr_console().print(message, markup=False, highlight=highlight, soft_wrap=True)


def __getattr__(name: str) -> "Console":
    # `from seawall.cli.common import stderr` still works (PEP 562), lazily.
    if name == "stderr":
        return stderr_console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


P = ParamSpec("P")


def exits_cleanly(command: Callable[P, int]) -> Callable[P, int]:
    """Map seawall's errors to one-line messages and exit codes; a command returns its own."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            print_stderr(f"seawall: error: {error}")
            return EXIT_INPUT_ERROR
        except SeawallError as error:
            print_stderr(f"seawall: internal error: {error}")
            return EXIT_INTERNAL_ERROR
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except Exception as error:
            import logging  # here: a run that succeeds need not import it

            logging.getLogger(__name__).debug("unexpected error", exc_info=True)
            print_stderr(
                f"seawall: internal error: {type(error).__name__}: {error} "
                "(set SEAWALL_DEBUG=1 for a traceback; please report it)"
            )
            if os.environ.get("SEAWALL_DEBUG"):
                raise
            return EXIT_INTERNAL_ERROR

    return wrapper


def default_cache_dir() -> Path:
    """`$SEAWALL_CACHE_DIR`, else `$XDG_CACHE_HOME/seawall`, else `~/.cache/seawall`."""
    if explicit := os.environ.get("SEAWALL_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seawall"


def print_rendered(renderable: "RenderableType", output: Path | None) -> None:
    """A rich renderable to the terminal, or as plain 160-column text into `output`."""
    from rich.console import Console

    if output is None:
        Console().print(renderable)
        return
    with output.open("w", encoding="utf-8") as stream:
        Console(file=stream, width=160, no_color=True).print(renderable)


def write_text(output: Path | None, text: str) -> None:
    """`text` to `output`, or to standard output."""
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
