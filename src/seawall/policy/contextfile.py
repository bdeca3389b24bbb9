"""The `context:` section of `seawall.yaml` or of a policy file, validated (pydantic: a file
is a trust boundary) into a `BusinessContext`.

Apart from `policy.context` so that a command given its context on the
command line, or none at all, does not import pydantic.
"""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from seawall.model.context import BusinessContext
from seawall.policy.context import parse_criticality, parse_data_class


class ContextDocument(BaseModel):
    """The `context:` section of `seawall.yaml` or of a policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    internet_facing: bool | None = None
    data: list[str] = Field(default_factory=list, max_length=16)
    criticality: str | None = None

    @field_validator("data")
    @classmethod
    def _data(cls, values: list[str]) -> list[str]:
        for value in values:
            parse_data_class(value)
        return values

    @field_validator("criticality")
    @classmethod
    def _criticality(cls, value: str | None) -> str | None:
        if value is not None:
            parse_criticality(value)
        return value

    def to_context(self) -> BusinessContext:
        return BusinessContext(
            internet_facing=self.internet_facing,
            data_classes=frozenset(parse_data_class(value) for value in self.data),
            criticality=None if self.criticality is None else parse_criticality(self.criticality),
        )
