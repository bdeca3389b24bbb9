"""How a command's options meet `seawall.yaml` and `SEAWALL_*` (seawall.settings).

Precedence: an option given on the command line wins; otherwise the
settings' value (variable over file); otherwise the option's own default.
Whether an option was given is asked of click (`ParameterSource`), so the
options keep their defaults and help text, and `--severity` left out is
told apart from `--severity` given its default.

Light to import (typer and the option declaration only): each command loads
its settings inside its body (docs/architecture.md, "Start-up").
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from seawall.settings import Settings

T = TypeVar("T")

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Settings file (default $SEAWALL_CONFIG, ./seawall.yaml, then "
        "$XDG_CONFIG_HOME/seawall/seawall.yaml). Options and SEAWALL_* variables override it.",
        dir_okay=False,
    ),
]


def command_settings(config: Path | None = None) -> "Settings":
    """The settings for this run (SettingsError, an InputError, on bad input)."""
    from seawall.settings import load_settings

    return load_settings(config)


def given(ctx: typer.Context, name: str) -> bool:
    """True when the option `name` (its parameter name) was written on the command line."""
    # By name: typer vendors click (typer._click) in some releases and not in others.
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def choose(ctx: typer.Context, name: str, option: T, setting: T | None) -> T:
    """The option's value when given, else the setting's when set, else the option's default."""
    if given(ctx, name) or setting is None:
        return option
    return setting


def insecure_for(target: str, insecure: bool, registries: tuple[str, ...]) -> bool:
    """`--insecure`, or a registry TARGET whose host the settings list as insecure.

    Only registry targets count, and only their exact `HOST[:PORT]`: plain
    HTTP is never implied for any other host.
    """
    if insecure or not registries:
        return insecure
    from seawall.errors import InputError
    from seawall.model.image import SourceKind
    from seawall.source.remote.reference import parse_reference
    from seawall.source.target import parse_target

    try:
        parsed = parse_target(target)
        if parsed.kind is not SourceKind.REGISTRY or parsed.reference is None:
            return False
        host = parse_reference(parsed.reference).host
    except InputError:
        return False  # the command reports the bad TARGET itself
    return host.lower() in {registry.lower() for registry in registries}
