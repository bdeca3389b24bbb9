"""Severities of findings and the normalised-severity rule of docs/severity.md.

Scoring a vector is the store's (tests/vulndb/test_cvss.py)."""

from typing import Any

from seawall.match import match_inventory
from seawall.match.severity import normalised
from seawall.model.finding import CvssScore, Severity, SeverityLabel
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from tests.match.support import MemoryStore, package, record

V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V30_MEDIUM = "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"
V2_HIGH = "AV:N/AC:L/Au:N/C:P/I:P/A:P"


def score(version: str, base: float, severity: Severity) -> CvssScore:
    return CvssScore(version, f"vector-{version}-{base}", base, severity, "REC")


def label(text: str) -> SeverityLabel:
    return SeverityLabel("REC", "database_specific.severity", text)


def test_rule_highest_v3_or_v4_first() -> None:
    scores = [
        score("2.0", 10.0, Severity.HIGH),
        score("3.1", 5.0, Severity.MEDIUM),
        score("4.0", 7.1, Severity.HIGH),
    ]
    assert normalised(scores, [label("LOW")]) is Severity.HIGH


def test_rule_then_v2_then_labels_then_unknown() -> None:
    assert normalised([score("2.0", 4.3, Severity.MEDIUM)], [label("CRITICAL")]) is Severity.MEDIUM
    assert normalised([], [label("moderate"), label("LOW")]) is Severity.MEDIUM
    assert normalised([], [label("untriaged")]) is Severity.UNKNOWN
    assert normalised([], []) is Severity.UNKNOWN


def osv_with(**fields: Any) -> dict[str, Any]:
    return {
        "id": "GHSA-xxxx-yyyy-zzzz",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                **fields.pop("affected_fields", {}),
            }
        ],
        **fields,
    }


def match_one(data: dict[str, Any]) -> Any:
    store = MemoryStore([record(data)])
    return match_inventory(Inventory((package(Ecosystem.PYPI, "demo", "1.0"),)), store, key)


def test_finding_takes_record_and_affected_severities_and_labels() -> None:
    data = osv_with(
        severity=[{"type": "CVSS_V3", "score": V30_MEDIUM}],
        database_specific={"severity": "HIGH"},
        affected_fields={"database_specific": {"cvss": V31_CRITICAL}},
    )
    result = match_one(data)
    (finding,) = result.findings
    assert [c.vector for c in finding.cvss] == [V30_MEDIUM, V31_CRITICAL]
    assert finding.severity is Severity.CRITICAL
    assert finding.severity_labels == (
        SeverityLabel("GHSA-xxxx-yyyy-zzzz", "database_specific.severity", "HIGH"),
    )
    assert result.problems == ()


def test_ubuntu_priority_is_a_label() -> None:
    data = osv_with(affected_fields={"severity": [{"type": "Ubuntu", "score": "medium"}]})
    (finding,) = match_one(data).findings
    assert finding.cvss == ()
    assert finding.severity is Severity.MEDIUM
    assert finding.severity_labels[0].scheme == "Ubuntu"


def test_invalid_vector_is_a_problem_not_a_crash() -> None:
    data = osv_with(
        severity=[
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/garbage"},
            {"type": "CVSS_V2", "score": V2_HIGH},
        ]
    )
    result = match_one(data)
    (finding,) = result.findings
    assert finding.severity is Severity.HIGH  # from the v2 vector that did parse
    assert len(result.problems) == 1
    assert "GHSA-xxxx-yyyy-zzzz" in result.problems[0]
    assert "CVSS_V3" in result.problems[0]
