"""`builder` makes the store's and the matcher's model values exactly as their constructors."""

from dataclasses import dataclass

import pytest

from seawall.model.advisory import (
    Advisory,
    AdvisorySummary,
    AffectedEntry,
    AffectedPackage,
    AffectedRange,
    EpssScore,
    EventKind,
    KevEntry,
    RangeEvent,
    RangeType,
    SeverityScore,
)
from seawall.model.finding import (
    CvssScore,
    MatchReason,
    Severity,
    SeverityLabel,
    VulnerabilityFinding,
)
from seawall.model.frozen import builder
from seawall.model.package import Ecosystem
from tests.match.support import package


def test_builders_make_the_same_objects_as_the_constructors() -> None:
    reason = MatchReason("PYSEC-1", "PyPI", "demo", "ECOSYSTEM: introduced 0", "every version")
    score = CvssScore("3.1", "CVSS:3.1/AV:N", 9.8, Severity.CRITICAL, "PYSEC-1")
    label = SeverityLabel("GHSA-1", "database_specific.severity", "HIGH")
    finding = (
        "CVE-2024-1",
        ("CVE-2024-1", "PYSEC-1"),
        package(Ecosystem.PYPI, "demo", "1.0"),
        ("2.0",),
        Severity.HIGH,
        (score,),
        "text",
        ("https://example.org",),
        (reason,),
        "f" * 64,
        "2024-01-01",
        None,
        KevEntry("CVE-2024-1", "vendor"),
        EpssScore("CVE-2024-1", 0.5, 0.9),
        (label,),
        ("DSA-1",),
    )
    for cls, values in (
        (MatchReason, ("PYSEC-1", "PyPI", "demo", "ECOSYSTEM: introduced 0", "every version")),
        (CvssScore, ("2.0", "AV:N", 5.0, Severity.MEDIUM, "X")),
        (SeverityLabel, ("X", "Ubuntu", "medium")),
        (VulnerabilityFinding, finding),
    ):
        built: object = builder(cls)(*values)
        assert type(built) is cls
        assert built == cls(*values)


def test_builders_make_the_stores_objects_as_their_constructors() -> None:
    event = RangeEvent(EventKind.FIXED, "2.0")
    ranged = AffectedRange(RangeType.ECOSYSTEM, (event,), "https://example.org", {"a": 1})
    score = SeverityScore("CVSS_V3", "CVSS:3.1/AV:N")
    entry = AffectedPackage("PyPI", "demo", None, (ranged,), ("1.0",), (score,), {}, {"x": 1})
    cases: list[tuple[type, tuple[object, ...]]] = [
        (RangeEvent, (EventKind.FIXED, "2.0")),
        (AffectedRange, (RangeType.ECOSYSTEM, (event,), None, {})),
        (SeverityScore, ("Ubuntu", "medium")),
        (AffectedPackage, ("PyPI", "demo", "pkg:pypi/demo", (ranged,), (), (score,), {}, {})),
        (AffectedEntry, ("PYSEC-1", 0, "PyPI", "demo", (ranged,), ("1.0",))),
        (
            AdvisorySummary,
            ("X-1", "2024", None, ("CVE-1",), (), "s", "d", (score,), (entry,), ("u",), {}),
        ),
        (
            Advisory,
            ("X-1", "2024", "2023", None, (), ("R",), None, "d", (), (entry,), (), {"k": 1}),
        ),
    ]
    for cls, values in cases:
        built: object = builder(cls)(*values)
        assert type(built) is cls
        assert built == cls(*values)
        with pytest.raises(TypeError):
            builder(cls)(*values[:-1])


def test_builders_refuse_classes_whose_init_does_more_than_set_fields() -> None:
    @dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclass(frozen=True)
    class Unslotted:
        value: int

    for cls in (Checked, Unslotted, int):
        with pytest.raises(TypeError):
            builder(cls)
