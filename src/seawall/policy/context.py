"""The asset's business context: parsed from `seawall.yaml`/policy files and command-line values.

Vocabulary (docs/risk.md, "Business context"): `internet_facing` (bool),
`data` (any of personal, payment, health, credentials), `criticality`
(low, medium, high, critical). Values given on the command line override
those of a file, field by field. Files' `context:` sections are validated
by `policy.contextfile`.
"""

from collections.abc import Iterable

from seawall.model.context import BusinessContext, Criticality, DataClass


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
