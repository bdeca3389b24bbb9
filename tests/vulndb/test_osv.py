"""OSV record validation: what matters for matching is checked, the rest ignored."""

import copy
from typing import Any

import orjson
import pytest

from seawall.model.advisory import EventKind, RangeType
from seawall.vulndb.osv import MalformedRecordError, parse_record

GOOD: dict[str, Any] = {
    "schema_version": "1.6.0",
    "id": "TEST-2024-1",
    "modified": "2024-05-01T10:00:00.123456789Z",
    "published": "2024-04-01T00:00:00+02:00",
    "aliases": ["CVE-2024-0001"],
    "summary": "a summary",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Some_Pkg", "purl": "pkg:pypi/some-pkg"},
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [{"introduced": "0"}, {"fixed": "1.2.3"}],
                    "database_specific": {"x": 1},
                }
            ],
            "versions": ["1.0"],
            "ecosystem_specific": {"severity": "HIGH"},
        },
        {
            "ranges": [
                {"type": "GIT", "repo": "https://example.org/r", "events": [{"introduced": "abc"}]}
            ]
        },
    ],
    "severity": [
        {
            "type": "CVSS_V3",
            "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        }
    ],
    "credits": [{"name": "someone"}],
    "future_field": {"anything": True},
}


def test_parses_a_well_formed_record_and_ignores_unknown_fields() -> None:
    advisory = parse_record(orjson.dumps(GOOD), where="t.json")
    assert advisory.id == "TEST-2024-1"
    assert advisory.modified == "2024-05-01T10:00:00.123456789Z"
    assert advisory.aliases == ("CVE-2024-0001",)
    # The GIT-only entry names no package: it cannot match an inventory and is not kept.
    assert len(advisory.affected) == 1
    affected = advisory.affected[0]
    assert (affected.ecosystem, affected.name, affected.purl) == (
        "PyPI",
        "Some_Pkg",
        "pkg:pypi/some-pkg",
    )
    assert affected.ranges[0].type is RangeType.ECOSYSTEM
    assert [(e.kind, e.version) for e in affected.ranges[0].events] == [
        (EventKind.INTRODUCED, "0"),
        (EventKind.FIXED, "1.2.3"),
    ]
    assert affected.ecosystem_specific == {"severity": "HIGH"}
    assert parse_record(GOOD, where="t.json") == advisory


def _broken(change: Any) -> dict[str, Any]:
    record = copy.deepcopy(GOOD)
    change(record)
    return record


CASES = [
    (lambda r: r.pop("id"), "id must"),
    (lambda r: r.update(id="has space"), "id must"),
    (lambda r: r.pop("modified"), "modified is required"),
    (lambda r: r.update(modified="2024-05-01"), "RFC 3339"),
    (lambda r: r.update(modified="2024-02-30T00:00:00Z"), "valid date"),
    (lambda r: r.update(published="yesterday"), "published is not"),
    (lambda r: r.update(withdrawn=5), "withdrawn must be"),
    (lambda r: r["affected"][0].pop("package"), "package is required"),
    (lambda r: r["affected"][0]["package"].pop("name"), "package.name must"),
    (lambda r: r["affected"][0]["package"].update(ecosystem=""), "package.ecosystem must"),
    (lambda r: r["affected"][0]["ranges"][0].update(type="SEMVER2"), "SEMVER, ECOSYSTEM or GIT"),
    (lambda r: r["affected"][1]["ranges"][0].pop("repo"), "ranges[0].repo is required"),
    (
        lambda r: r["affected"][0]["ranges"][0].update(events=[]),
        "ranges[0].events must be a non-empty list",
    ),
    (
        lambda r: r["affected"][0]["ranges"][0].update(events=[{"introduced": "0", "fixed": "1"}]),
        "events[0] must be an object with exactly one key",
    ),
    (lambda r: r["affected"][0]["ranges"][0].update(events=[{"fixed": "1"}]), "no `introduced`"),
    (
        lambda r: r["affected"][0]["ranges"][0].update(
            events=[{"introduced": "0"}, {"fixed": "1"}, {"last_affected": "2"}]
        ),
        "mixes `fixed` and `last_affected`",
    ),
    (
        lambda r: r["affected"][0]["ranges"][0].update(events=[{"introduced": 0}]),
        "events[0].introduced must be a non-empty version string",
    ),
    (
        lambda r: r["affected"][0]["ranges"][0].update(events=[{"broken": "1"}]),
        "expected introduced",
    ),
    (lambda r: r.update(aliases="CVE-1"), "aliases must be a list"),
    (lambda r: r.update(affected={"a": 1}), "affected must be a list"),
    (lambda r: r.update(severity=[{"type": "CVSS_V3"}]), "severity[0].score must"),
    (lambda r: r.update(database_specific=[1]), "database_specific must be an object"),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_malformed_records_name_the_record_and_the_rule(change: Any, expected: str) -> None:
    with pytest.raises(MalformedRecordError) as caught:
        parse_record(orjson.dumps(_broken(change)), where="Eco/all.zip:x.json")
    message = str(caught.value)
    assert message.startswith("Eco/all.zip:x.json")
    assert expected in message
    if caught.value.record_id is not None:
        assert "(TEST-2024-1)" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 5000, "not JSON"),
    ],
)
def test_bytes_that_are_not_a_record(data: bytes, expected: str) -> None:
    with pytest.raises(MalformedRecordError, match=expected):
        parse_record(data, where="w")


def test_leap_second_and_offsets_are_valid_rfc3339() -> None:
    record = _broken(lambda r: r.update(modified="2016-12-31T23:59:60+00:00"))
    assert parse_record(record, where="w").modified == "2016-12-31T23:59:60+00:00"


def test_hostile_values_are_bounded_in_messages() -> None:
    record = _broken(lambda r: r.update(modified="x" * 100_000))
    with pytest.raises(MalformedRecordError) as caught:
        parse_record(record, where="w")
    assert len(str(caught.value)) < 300
