"""The pydantic models of the secrets configuration file (imported only when one is read)."""

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AllowModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    rules: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)

    @field_validator("paths", "fields")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None
        return patterns


class AcceptedModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    reason: str = Field(min_length=1)


class BaselineModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    baseline: list[AcceptedModel] = Field(default_factory=list)


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_file_bytes: int | None = Field(default=None, gt=0)
    scan_all_paths: bool = False
    disable_rules: list[str] = Field(default_factory=list)
    allow: list[AllowModel] = Field(default_factory=list)
    baseline: list[AcceptedModel] = Field(default_factory=list)
    baseline_file: str | None = None
