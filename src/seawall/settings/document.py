"""`seawall.yaml` validated into settings values (pydantic: a file is a trust boundary).

`SettingsDocument` says what the file may hold; `SEAWALL_*` variables are
held to the same rules, with the same messages, by `settings.environment`
without pydantic (the checks both use live there), so a value means the same
wherever it is written. File errors name the line
(`seawall.policy.yamlmarks.validation_problems`, shared with policy files).

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

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from seawall.policy.contextfile import ContextDocument
from seawall.policy.yamlmarks import (
    UnreadableTextError,
    YamlShapeError,
    load_marked,
    read_text_bounded,
    validation_problems,
)
from seawall.settings import MAX_CONFIG_BYTES, SettingsError
from seawall.settings.environment import (
    PATH_CHARS,
    PLATFORM_PATTERN,
    check_registries,
    check_severity,
    check_vex,
    comma_list,
)


class SettingsDocument(BaseModel):
    """What `seawall.yaml` may say; every field optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    cache_dir: str | None = Field(default=None, min_length=1, max_length=PATH_CHARS)
    db: str | None = Field(default=None, min_length=1, max_length=PATH_CHARS)
    scanners: list[Literal["vuln", "secret", "misconfig"]] | None = Field(
        default=None, min_length=1, max_length=3
    )
    severity: list[str] | None = Field(default=None, min_length=1, max_length=6)
    fail_on: str | None = None
    ignore_unfixed: bool | None = None
    offline: bool | None = None
    platform: str | None = Field(default=None, pattern=PLATFORM_PATTERN)
    insecure_registries: list[str] = Field(default_factory=list, max_length=100)
    policy: str | None = Field(default=None, min_length=1, max_length=PATH_CHARS)
    vex: list[str] = Field(default_factory=list, max_length=100)
    context: ContextDocument | None = None

    _lists = field_validator("scanners", "severity", "insecure_registries", "vex", mode="before")(
        comma_list
    )

    @field_validator("severity")
    @classmethod
    def _severities(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            check_severity(value)
        return values

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, value: str | None) -> str | None:
        return None if value is None else check_severity(value)

    @field_validator("insecure_registries")
    @classmethod
    def _registries(cls, values: list[str]) -> list[str]:
        return check_registries(values)

    @field_validator("vex")
    @classmethod
    def _vex(cls, values: list[str]) -> list[str]:
        return check_vex(values)


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


def file_values(document: SettingsDocument) -> dict[str, Any]:
    """The settings a file gives, by field name (those it writes, `null` included);
    `context`, when it has one, as a `BusinessContext`."""
    values = {name: getattr(document, name) for name in document.model_fields_set}
    values.pop("version", None)
    context = values.pop("context", None)
    if context is not None:
        values["context"] = context.to_context()
    return values
