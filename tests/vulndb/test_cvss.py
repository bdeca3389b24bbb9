"""CVSS vectors: scored by the `cvss` library once, at import, and read back by scans.

The store keeps every distinct vector of its records with the library's
answer (seawall.vulndb.cvss); a scan reads those and never loads the library.
A store written before the `cvss` table existed (schema 2) is refused by
readers and upgraded by the next write.
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seawall.errors import InputError
from seawall.model.finding import CvssScore, Severity
from seawall.vulndb import cvss, schema, writer
from seawall.vulndb.importer import import_paths
from seawall.vulndb.osv import parse_record
from seawall.vulndb.reader import RawRecord, read_osv
from seawall.vulndb.store import VulnStore

V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V30_MEDIUM = "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"
V31_NONE = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N"
V2_HIGH = "AV:N/AC:L/Au:N/C:P/I:P/A:P"
V4_MEDIUM = "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"
TOO_LONG = "CVSS:3.1/" + "AV:N/" * 200


@pytest.mark.parametrize(
    ("vector", "v2", "version", "base", "severity"),
    [
        (V31_CRITICAL, False, "3.1", 9.8, Severity.CRITICAL),
        (V30_MEDIUM, False, "3.0", 5.4, Severity.MEDIUM),
        (V31_NONE, False, "3.1", 0.0, Severity.NEGLIGIBLE),
        (V2_HIGH, True, "2.0", 7.5, Severity.HIGH),
        (f"({V2_HIGH})", True, "2.0", 7.5, Severity.HIGH),
        (V4_MEDIUM, False, "4.0", 5.1, Severity.MEDIUM),
    ],
)
def test_vectors_are_scored(
    vector: str, v2: bool, version: str, base: float, severity: Severity
) -> None:
    result = cvss.score(vector, v2)
    assert isinstance(result, CvssScore)
    assert (result.version, result.base_score, result.severity, result.source) == (
        version,
        base,
        severity,
        "",
    )


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:N",  # mandatory metrics missing
        "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N",
        "CVSS:9.9/AV:N",
        "AV:N/AC:L",
        "",
        TOO_LONG,
    ],
)
def test_invalid_vectors_are_refused_with_a_reason(vector: str) -> None:
    result = cvss.score(vector, True)
    assert isinstance(result, str) and result


@given(st.text(max_size=200))
def test_any_text_is_scored_or_refused_never_raises(text: str) -> None:
    for prefix in ("", "CVSS:3.1/", "CVSS:4.0/"):
        result = cvss.score(prefix + text, True)
        assert isinstance(result, str) or result.version in ("2.0", "3.0", "3.1", "4.0")


def _write_records(folder: Path, records: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for data in records:
        (folder / f"{data['id']}.json").write_bytes(orjson.dumps(data))
    return folder


def _record(record_id: str, **fields: object) -> dict[str, object]:
    return {
        "id": record_id,
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                **fields.pop("affected_fields", {}),  # type: ignore[dict-item]
            }
        ],
        **fields,
    }


RECORDS = [
    _record(
        "GHSA-1",
        severity=[
            {"type": "CVSS_V3", "score": f" {V31_CRITICAL} "},
            {"type": "Ubuntu", "score": "low"},
        ],
        affected_fields={"severity": [{"type": "CVSS_V2", "score": V2_HIGH}]},
    ),
    _record(
        "RUSTSEC-1",
        affected_fields={"database_specific": {"cvss": V30_MEDIUM}},
        severity=[{"type": "CVSS_V4", "score": V4_MEDIUM}],
    ),
    _record("BAD-1", severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/garbage"}]),
    _record("LONG-1", severity=[{"type": "CVSS_V3", "score": TOO_LONG}]),
    _record("SAME-1", severity=[{"type": "CVSS_V3", "score": V31_CRITICAL}]),
]


def _table(store: Path) -> dict[tuple[str, int], tuple[object, ...]]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT vector, v2, version, clean, base, severity, error FROM cvss")
        return {(row[0], row[1]): row[2:] for row in rows}


def test_an_import_scores_each_distinct_vector_once_and_the_store_answers_with_it(
    tmp_path: Path,
) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [_write_records(tmp_path / "in", RECORDS)])
    table = _table(store)
    # Blanks stripped, one row per vector and v2 flag; the long one left to readers.
    assert set(table) == {
        (V31_CRITICAL, 0),
        (V2_HIGH, 1),
        (V30_MEDIUM, 0),
        (V4_MEDIUM, 0),
        ("CVSS:3.1/AV:N/garbage", 0),
    }
    assert table[(V31_CRITICAL, 0)] == ("3.1", V31_CRITICAL, 9.8, "critical", None)
    assert table[("CVSS:3.1/AV:N/garbage", 0)][4] == cvss.score("CVSS:3.1/AV:N/garbage", False)
    with VulnStore(store) as opened:
        for vector, v2 in [*table, (TOO_LONG, False)]:
            assert opened.cvss(f" {vector}\n", bool(v2)) == cvss.score(vector, bool(v2))
        assert opened.cvss(TOO_LONG, False) == "longer than 512 characters"


def test_a_vector_the_table_lacks_is_scored_by_the_library(tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [_write_records(tmp_path / "in", RECORDS[:1])])
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM cvss")
    with VulnStore(store) as opened:
        assert opened.cvss(V31_CRITICAL, False) == cvss.score(V31_CRITICAL, False)


def test_every_vector_of_the_real_records_is_stored_as_the_library_scores_it(
    vulndata: Path, small_store: Path
) -> None:
    wanted: set[tuple[str, bool]] = set()
    for folder in ("PyPI", "crates.io"):
        for item in read_osv(vulndata / folder / "all.zip"):
            if isinstance(item, RawRecord):
                wanted.update(cvss.vectors(parse_record(item.data, where=item.where)))
    assert len(wanted) > 50
    table = _table(small_store)
    assert {(vector, bool(v2)) for vector, v2 in table} == wanted
    with VulnStore(small_store) as opened:
        for vector, v2 in wanted:
            assert opened.cvss(vector, v2) == cvss.score(vector, v2)


def test_scanning_never_loads_the_cvss_library(tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [_write_records(tmp_path / "in", RECORDS)])
    script = f"""
import sys
from pathlib import Path
from seawall.match import match_inventory
from seawall.model.package import Ecosystem, Inventory, Package
from seawall.versions import key
from seawall.vulndb.store import VulnStore
demo = Package(name="demo", version="1.0", ecosystem=Ecosystem.PYPI, purl="pkg:pypi/demo@1.0",
               cataloger="test")
with VulnStore(Path({str(store)!r})) as store:
    result = match_inventory(Inventory((demo,)), store, key)
severities = sorted(f.severity.value for f in result.findings)
print(severities, len(result.problems), "cvss" in sys.modules)
"""
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout.split()
    assert output[-1] == "False"
    assert output[-2] == "2"  # the garbage vector and the one too long
    assert "'critical'," in output  # GHSA-1 and SAME-1 (v3.1 critical)


def test_a_schema_2_store_is_refused_then_upgraded_by_the_next_import(tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [_write_records(tmp_path / "in", RECORDS[:2])])
    # Schema 2 was schema 3 without the `cvss` table.
    with sqlite3.connect(store) as db:
        db.execute("DROP TABLE cvss")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match=r"older seawall \(schema 2.*seawall db update"):
        VulnStore(store)
    import_paths(store, [_write_records(tmp_path / "more", RECORDS[4:])])
    with VulnStore(store) as upgraded:
        assert upgraded.schema_version == schema.SCHEMA_VERSION == 3
        assert upgraded.record_count() == 3
    assert set(_table(store)) == {(V31_CRITICAL, 0), (V2_HIGH, 1), (V30_MEDIUM, 0), (V4_MEDIUM, 0)}


def test_a_writer_scores_a_bounded_number_of_vectors_and_readers_score_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile feed of many distinct vectors cannot make an import score without end.
    monkeypatch.setattr(writer, "MAX_SCORED", 2)
    store = tmp_path / "seawall.db"
    import_paths(store, [_write_records(tmp_path / "in", RECORDS[:2])])
    assert len(_table(store)) == 2
    with VulnStore(store) as opened:
        for vector, v2 in [(V31_CRITICAL, False), (V2_HIGH, True), (V30_MEDIUM, False)]:
            assert opened.cvss(vector, v2) == cvss.score(vector, v2)
