"""How a command's options meet `seawall.yaml` and `SEAWALL_*` (seawall.settings).

Precedence: an option given on the command line wins; otherwise the
settings' value (variable over file); otherwise the option's own default.
The options the settings can replace default to `None` in the parser
(`cli/parser.py`), so an option left out is told apart from one given its
default value (`--scanners vuln,secret` written out beats the file).

Light to import (argparse and the option declaration only): each command loads
its settings inside its body (docs/architecture.md, "Start-up").
"""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from seawall.cli.parser import file_path

if TYPE_CHECKING:
    from seawall.settings import Settings
    from seawall.source.base import SourceOptions

T = TypeVar("T")


def add_settings_file(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`: the settings file."""
    parser.add_argument(
        "--config",
        type=file_path,
        metavar="FILE",
        help="Settings file (default $SEAWALL_CONFIG, ./seawall.yaml, then "
        "$XDG_CONFIG_HOME/seawall/seawall.yaml). Options and SEAWALL_* variables override it.",
    )


def command_settings(config: Path | None = None) -> "Settings":
    """The settings for this run (SettingsError, an InputError, on bad input)."""
    from seawall.settings import load_settings

    return load_settings(config)


def choose(option: T | None, setting: T | None, default: T) -> T:
    """The option's value when given (not None), else the setting's when set, else `default`."""
    if option is not None:
        return option
    if setting is not None:
        return setting
    return default


def source_options(
    settings: "Settings",
    target: str,
    *,
    platform: str | None,
    insecure: bool,
    cache_dir: Path | None,
    no_cache: bool,
) -> "SourceOptions":
    """Source options from the command line over the settings (seawall.yaml, SEAWALL_*)."""
    from seawall.cli.common import default_cache_dir
    from seawall.limits import Limits
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform

    platform = choose(platform, settings.platform, None)
    cache_dir = choose(cache_dir, settings.cache_dir, None)
    return SourceOptions(
        platform=parse_platform(platform) if platform else None,
        insecure=insecure_for(target, insecure, settings.insecure_registries),
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        limits=Limits.from_env(),
    )


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
