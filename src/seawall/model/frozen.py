"""Building the model's frozen dataclasses in hot loops, without running their `__init__`.

A frozen dataclass's generated `__init__` sets each field through
`object.__setattr__`, which looks the attribute up on the type every time:
about half of what building one costs. A scan builds such objects by the
thousand: reading the store (an `AffectedEntry` per index entry, an
`AdvisorySummary` and its `AffectedPackage`s per matched record) and
matching (a `MatchReason` per matched record, a `VulnerabilityFinding` per
finding). `builder(cls)` makes a function that takes every field
positionally and stores it straight into its slot: the same object as
`cls(*fields)` (the tests compare them), built in about half the time.

Only for slotted dataclasses whose `__init__` does nothing but set every
field: no `__post_init__`, no `InitVar` and no field left out of `__init__`
(`builder` refuses others).
"""

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def builder(cls: type[_T]) -> Callable[..., _T]:
    """A function taking every field of `cls` in order and returning the instance."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: not a dataclass that only sets its fields")
    fields = dataclasses.fields(cls)
    names = [field.name for field in fields]
    if not all(field.init for field in fields) or names != list(getattr(cls, "__slots__", ())):
        raise TypeError(f"{cls.__name__}: not a slotted dataclass taking every field")
    # Each slot's member descriptor, its setter looked up once.
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for number, name in enumerate(names):
        namespace[f"set{number}"] = getattr(cls, name).__set__
    arguments = ", ".join(f"v{number}" for number in range(len(names)))
    lines = [f"def build({arguments}):", "    made = new(cls)"]
    lines += [f"    set{number}(made, v{number})" for number in range(len(names))]
    lines.append("    return made")
    # Generated from the class's own field count only, as dataclasses generates
    # `__init__`; no outside text reaches it.
    exec("\n".join(lines), namespace)  # noqa: S102
    built: Callable[..., _T] = namespace["build"]
    return built
