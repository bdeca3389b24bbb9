"""What every `seawall` command shares: exit codes, error mapping, common options, the cache."""

import logging
import os
import sys
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from seawall.errors import InputError, SeawallError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

EXIT_POLICY_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3

log = logging.getLogger(__name__)


@cache
def stderr_console() -> "Console":
    """Messages, warnings and progress go to standard error; reports to standard output.

    Made on first use: rich costs start-up time that a quiet, successful
    command never needs.
    """
    from rich.console import Console

    return Console(stderr=True)


def __getattr__(name: str) -> "Console":
    # `from seawall.cli.common import stderr` still works (PEP 562), lazily.
    if name == "stderr":
        return stderr_console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


P = ParamSpec("P")
R = TypeVar("R")


def exits_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Map seawall's errors to one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            stderr_console().print(
                f"seawall: error: {error}", markup=False, highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_INPUT_ERROR) from None
        except SeawallError as error:
            stderr_console().print(
                f"seawall: internal error: {error}", markup=False, highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            log.debug("unexpected error", exc_info=True)
            stderr_console().print(
                f"seawall: internal error: {type(error).__name__}: {error} "
                "(set SEAWALL_DEBUG=1 for a traceback; please report it)",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            if os.environ.get("SEAWALL_DEBUG"):
                raise
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None

    return wrapper


def default_cache_dir() -> Path:
    """`$SEAWALL_CACHE_DIR`, else `$XDG_CACHE_HOME/seawall`, else `~/.cache/seawall`."""
    if explicit := os.environ.get("SEAWALL_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seawall"


PlatformOption = Annotated[
    str | None,
    typer.Option(
        "--platform", help="Platform to choose from a multi-arch image, os/arch[/variant]."
    ),
]
InsecureOption = Annotated[
    bool, typer.Option("--insecure", help="Allow plain-http registries (never implied).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Cache directory (default $SEAWALL_CACHE_DIR or ~/.cache/seawall).",
        file_okay=False,
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Do not read or write the on-disk cache.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
]


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
