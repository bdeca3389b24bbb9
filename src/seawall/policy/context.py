"""The asset's business context: parsed from `seawall.yaml`/policy files and command-line values.

Vocabulary (docs/risk.md, "Business context"): `internet_facing` (bool),
`data` (any of personal, payment, health, credentials), `criticality`
(low, medium, high, critical). Values given on the command line override
those of a file, field by field.
"""

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from seawall.model.policy import BusinessContext, Criticality, DataClass


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


def parse_data_class(value: str) -> DataClass:
    try:
        return DataClass(value.strip().lower())
    except ValueError:
        names = ", ".join(item.value for item in DataClass)
        raise ValueError(f"unknown data class {value!r} (one of {names})") from None


def parse_criticality(value: str) -> Criticality:
    try:
        return Criticality(value.strip().lower())
    except ValueError:
        names = ", ".join(item.value for item in Criticality)
        raise ValueError(f"unknown criticality {value!r} (one of {names})") from None


def business_context(
    internet_facing: bool | None = None,
    data: Iterable[str] = (),
    criticality: str | None = None,
    base: BusinessContext | None = None,
) -> BusinessContext:
    """A context from command-line values over `base` (a file's): given values win.

    Raises ValueError naming the unknown value.
    """
    base = base or BusinessContext()
    classes = frozenset(parse_data_class(value) for value in data)
    return BusinessContext(
        internet_facing=base.internet_facing if internet_facing is None else internet_facing,
        data_classes=classes or base.data_classes,
        criticality=base.criticality if criticality is None else parse_criticality(criticality),
    )
