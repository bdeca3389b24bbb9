"""seawall's settings: `seawall.yaml` and `SEAWALL_*` environment variables (DESIGN.md §1).

    settings = load_settings(explicit_config)      # Settings; SettingsError on bad input

Where the file is: `explicit` (the CLI's `--config FILE`), else
`$SEAWALL_CONFIG`, else `./seawall.yaml`, else
`$XDG_CONFIG_HOME/seawall/seawall.yaml` (XDG Base Directory spec: `~/.config`
when the variable is unset or empty). A file named explicitly must exist;
the others are used when they exist.

Precedence: command-line option > `SEAWALL_<NAME>` > `seawall.yaml` >
built-in default. This module applies the middle two; a `None` field means
"neither said", and the caller (the CLI, later the server) applies its own
option over it or falls back to its default. The business context merges
field by field (docs/risk.md, "Business context").

Start-up: this module imports no validation library. `settings/document.py`
(pydantic, YAML) is imported only when there is a settings file to read;
`SEAWALL_*` variables are checked by `settings/environment.py` (the same
rules and messages, plain Python), so a command configured by the
environment alone never imports pydantic or YAML.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.model.context import BusinessContext

CONFIG_NAME = "seawall.yaml"
MAX_CONFIG_BYTES = 1024 * 1024
"""A settings file is written by hand; anything larger is a mistake or an attack."""

ENV_NAMES: dict[str, str] = {
    "cache_dir": "SEAWALL_CACHE_DIR",
    "db": "SEAWALL_DB",
    "scanners": "SEAWALL_SCANNERS",
    "severity": "SEAWALL_SEVERITY",
    "fail_on": "SEAWALL_FAIL_ON",
    "ignore_unfixed": "SEAWALL_IGNORE_UNFIXED",
    "offline": "SEAWALL_OFFLINE",
    "platform": "SEAWALL_PLATFORM",
    "insecure_registries": "SEAWALL_INSECURE_REGISTRIES",
    "policy": "SEAWALL_POLICY",
    "vex": "SEAWALL_VEX",
}
"""Each setting's environment variable; list values are comma-separated."""
CONTEXT_ENV_NAMES: dict[str, str] = {
    "internet_facing": "SEAWALL_INTERNET_FACING",
    "data": "SEAWALL_DATA",
    "criticality": "SEAWALL_CRITICALITY",
}
"""The business context's environment variables (`context:` fields in the file)."""
CONFIG_ENV = "SEAWALL_CONFIG"


class SettingsError(InputError):
    """A settings file or variable that cannot be used; each problem names the file and
    line (`seawall.yaml:4:11: fail_on: unknown severity 'severe' …`) or the variable."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n  ".join(problems)
        super().__init__(f"settings {source}: {len(problems)} problem(s):\n  {listing}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Defaults for the common options, from `seawall.yaml` and the environment.

    `None` (or empty) means not set. Paths in the file are relative to the
    file's directory; paths in variables are taken as given.
    """

    source: Path | None = None
    """The settings file the values came from, when there was one."""
    cache_dir: Path | None = None
    db: Path | None = None
    scanners: tuple[str, ...] | None = None
    """`vuln`, `secret`, `misconfig`."""
    severity: tuple[str, ...] | None = None
    """Severities to report, as written (`critical`, `high` …)."""
    fail_on: str | None = None
    ignore_unfixed: bool | None = None
    offline: bool | None = None
    platform: str | None = None
    """`os/arch[/variant]`."""
    insecure_registries: tuple[str, ...] = ()
    """Registry hosts (`HOST[:PORT]`) that may be reached over plain HTTP."""
    policy: Path | None = None
    vex: tuple[Path, ...] = ()
    context: "BusinessContext | None" = None
    """The asset's business context, when the file or a variable gives one (only `scan`
    uses it, so a command that does not imports none of its types)."""


def find_config_file(
    explicit: Path | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """The settings file to read (see the module docstring), or None."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if named := env.get(CONFIG_ENV):
        return Path(named)
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.exists():
        return local
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    user = Path(base) / "seawall" / CONFIG_NAME
    return user if user.exists() else None


def environment_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The `SEAWALL_*` settings variables that are set and not empty, by variable name."""
    env = os.environ if environ is None else environ
    names = (*ENV_NAMES.values(), *CONTEXT_ENV_NAMES.values())
    return {name: env[name] for name in names if env.get(name, "").strip()}


def load_settings(
    explicit: Path | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings from the file `find_config_file` finds and the environment.

    Raises SettingsError naming the file and line (or the variable) of each problem.
    """
    path = find_config_file(explicit, cwd=cwd, environ=environ)
    variables = environment_values(environ)
    if path is None and not variables:
        return Settings()
    from_file: dict[str, Any] = {}
    if path is not None:
        from seawall.settings.document import file_values, read_file

        from_file = file_values(read_file(path))
    from seawall.settings.environment import read_environment

    return _merge(from_file, read_environment(variables), path)


def _merge(from_file: dict[str, Any], from_env: dict[str, Any], path: Path | None) -> Settings:
    """Variables over the file, field by field (the context too). Both are settings by field
    name, as given (`settings.document.file_values`, `settings.environment.read_environment`)."""
    base = path.parent if path is not None else Path()

    def pick(name: str) -> tuple[Any, bool]:
        """The value and whether it came from the file (its paths are relative to it)."""
        if name in from_env:
            return from_env[name], False
        if name in from_file:
            return from_file[name], True
        return None, False

    def path_of(name: str) -> Path | None:
        value, in_file = pick(name)
        if value is None:
            return None
        return _file_path(value, base) if in_file else Path(value)

    def listed(name: str) -> tuple[str, ...] | None:
        value, _ = pick(name)
        return None if value is None else tuple(value)

    vex, vex_in_file = pick("vex")
    context: BusinessContext | None = from_file.get("context")
    env_context: dict[str, Any] | None = from_env.get("context")
    if env_context is not None:
        from seawall.policy.context import business_context

        context = business_context(
            internet_facing=env_context.get("internet_facing"),
            data=env_context.get("data", ()),
            criticality=env_context.get("criticality"),
            base=context,
        )
    return Settings(
        source=path,
        cache_dir=path_of("cache_dir"),
        db=path_of("db"),
        scanners=listed("scanners"),
        severity=listed("severity"),
        fail_on=pick("fail_on")[0],
        ignore_unfixed=pick("ignore_unfixed")[0],
        offline=pick("offline")[0],
        platform=pick("platform")[0],
        insecure_registries=listed("insecure_registries") or (),
        policy=path_of("policy"),
        vex=tuple(_file_path(v, base) if vex_in_file else Path(v) for v in vex or ()),
        context=context,
    )


def _file_path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path
