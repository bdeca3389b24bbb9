"""`seawall.yaml` and `SEAWALL_*` values validated into `Settings` (pydantic: a trust boundary).

One model, `SettingsDocument`, validates both the file and the variables,
so a value means the same wherever it is written. File errors name the line
(`seawall.policy.yamlmarks.validation_problems`, shared with policy files);
variable errors name the variable and never repeat its value.

The `context:` section is `seawall.policy.contextfile.ContextDocument`, the
shape a policy file's `context:` has.

Example (README, "Configuration"):

    version: 1                       # optional
    cache_dir: ~/.cache/seawall
    db: /var/lib/seawall/seawall.db
    scanners: [vuln, secret, misconfig]
    severity: [critical, high]
    fail_on: high
    ignore_unfixed: true
    offline: false
    platform: linux/arm64
    insecure_registries: [localhost:5000]
    policy: seawall-policy.yaml      # relative to this file
    vex: [vex/app.openvex.json]
    context: {internet_facing: true, data: [payment], criticality: high}
"""

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from seawall.model.context import BusinessContext
from seawall.model.finding import Severity
from seawall.policy.context import business_context
from seawall.policy.contextfile import ContextDocument
from seawall.policy.yamlmarks import (
    UnreadableTextError,
    YamlShapeError,
    load_marked,
    read_text_bounded,
    validation_problems,
)
from seawall.settings import (
    CONTEXT_ENV_NAMES,
    ENV_NAMES,
    MAX_CONFIG_BYTES,
    Settings,
    SettingsError,
)

_PLATFORM = r"^[A-Za-z0-9_.-]{1,64}/[A-Za-z0-9_.-]{1,64}(/[A-Za-z0-9_.-]{1,64})?$"
# HOST[:PORT]: a DNS name or IPv4 address, or a bracketed IPv6 address
# (an RFC 3986 authority without user information).
_REGISTRY = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(:[0-9]{1,5})?$")
_PATH_CHARS = 4096


def _comma_list(value: Any) -> Any:
    """`vuln,secret` (a variable, or a string in the file) as a list; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _check_severity(value: str) -> str:
    try:
        Severity.parse(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        raise ValueError(f"unknown severity {value!r} (one of {names})") from None
    return value


class SettingsDocument(BaseModel):
    """What `seawall.yaml` may say; every field optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    cache_dir: str | None = Field(default=None, min_length=1, max_length=_PATH_CHARS)
    db: str | None = Field(default=None, min_length=1, max_length=_PATH_CHARS)
    scanners: list[Literal["vuln", "secret", "misconfig"]] | None = Field(
        default=None, min_length=1, max_length=3
    )
    severity: list[str] | None = Field(default=None, min_length=1, max_length=6)
    fail_on: str | None = None
    ignore_unfixed: bool | None = None
    offline: bool | None = None
    platform: str | None = Field(default=None, pattern=_PLATFORM)
    insecure_registries: list[str] = Field(default_factory=list, max_length=100)
    policy: str | None = Field(default=None, min_length=1, max_length=_PATH_CHARS)
    vex: list[str] = Field(default_factory=list, max_length=100)
    context: ContextDocument | None = None

    _lists = field_validator("scanners", "severity", "insecure_registries", "vex", mode="before")(
        _comma_list
    )

    @field_validator("severity")
    @classmethod
    def _severities(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            _check_severity(value)
        return values

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, value: str | None) -> str | None:
        return None if value is None else _check_severity(value)

    @field_validator("insecure_registries")
    @classmethod
    def _registries(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _REGISTRY.match(value):
                raise ValueError(f"{value[:80]!r} is not a registry HOST[:PORT]")
        return values

    @field_validator("vex")
    @classmethod
    def _vex(cls, values: list[str]) -> list[str]:
        if any(not value or len(value) > _PATH_CHARS for value in values):
            raise ValueError(f"each VEX path has 1 to {_PATH_CHARS} characters")
        return values


def parse_file(text: str, source: str) -> SettingsDocument:
    """The settings YAML `text`; `source` names it in messages."""
    try:
        marked = load_marked(text)
    except YamlShapeError as error:
        raise SettingsError(source, [f"{source}: {error}"]) from None
    if marked.data is None:
        return SettingsDocument()
    if not isinstance(marked.data, dict):
        raise SettingsError(source, [f"{source}:1:1: settings are a mapping of option: value"])
    try:
        return SettingsDocument.model_validate(marked.data)
    except ValidationError as error:
        raise SettingsError(source, validation_problems(source, marked, error)) from None


def read_file(path: Path) -> SettingsDocument:
    """Read and validate a settings file; SettingsError lists every problem with its line."""
    try:
        text = read_text_bounded(path, MAX_CONFIG_BYTES, "settings file")
    except UnreadableTextError as error:
        raise SettingsError(str(path), [str(error)]) from None
    return parse_file(text, str(path))


def read_environment(variables: dict[str, str]) -> SettingsDocument:
    """The settings `SEAWALL_*` variables give (`variables`: name → value, all set)."""
    data: dict[str, Any] = {
        name: variables[env] for name, env in ENV_NAMES.items() if env in variables
    }
    context: dict[str, Any] = {
        name: variables[env] for name, env in CONTEXT_ENV_NAMES.items() if env in variables
    }
    if "data" in context:
        context["data"] = _comma_list(context["data"])
    if context:
        data["context"] = context
    try:
        return SettingsDocument.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = item["loc"]
            if location and location[0] == "context" and len(location) > 1:
                name = CONTEXT_ENV_NAMES.get(str(location[1]), "SEAWALL_*")
            else:
                name = ENV_NAMES.get(str(location[0]) if location else "", "SEAWALL_*")
            # The message only, never the value (a variable may hold anything).
            problems.append(f"{name}: {str(item['msg']).removeprefix('Value error, ')}")
        raise SettingsError("environment", problems) from None


def _file_path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _context(document: SettingsDocument | None) -> BusinessContext:
    return document.context.to_context() if document and document.context else BusinessContext()


def merge(
    from_file: SettingsDocument | None, from_env: SettingsDocument, path: Path | None
) -> Settings:
    """Variables over the file, field by field (the context too)."""
    base = path.parent if path is not None else Path()
    file_fields = from_file.model_fields_set if from_file is not None else set()

    def pick(name: str) -> tuple[Any, bool]:
        """The value and whether it came from the file (its paths are relative to it)."""
        if name in from_env.model_fields_set:
            return getattr(from_env, name), False
        if from_file is not None and name in file_fields:
            return getattr(from_file, name), True
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
    env_context = from_env.context
    context = _context(from_file)
    if env_context is not None:
        context = business_context(
            internet_facing=env_context.internet_facing,
            data=env_context.data,
            criticality=env_context.criticality,
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
