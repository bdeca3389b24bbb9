"""The store's batched reads answer exactly what one read per name or id answers.

Matching asks for the index entries of every package of an inventory at once
(`entries_of`), then for the summaries of every record that matched
(`summaries`) and the EPSS scores of their CVEs (`epss_of`); a later process
asks for every kept result at once (`ResultsCache.found`). Each is one SQL
statement over a JSON array, so more names than SQLite's 999 variables, names
asked twice, names the store does not hold, a name in several ecosystems and
Red Hat streams found by their release must all come back as the one-at-a-time
answer (the in-memory store of tests/match/support.py, worked out from whole
records) gives them.
"""

from pathlib import Path
from typing import Any

import orjson
import pytest

from seawall.model.advisory import Advisory, AdvisorySummary, EpssScore
from seawall.vulndb.importer import import_paths
from seawall.vulndb.osv import parse_record
from seawall.vulndb.store import VulnStore
from seawall.vulndb.writer import StoreWriter
from tests.match.support import MemoryStore
from tests.vulndb.conftest import write_zip

PACKAGES = 1_200
"""More than SQLite's default limit of 999 variables in one statement."""


def _record(identifier: str, affected: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": identifier, "modified": "2024-01-01T00:00:00Z", "affected": affected, **extra}


def _entry(ecosystem: str, name: str, fixed: str, versions: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "package": {"ecosystem": ecosystem, "name": name},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
        **({"versions": list(versions)} if versions else {}),
    }


def _raw_records() -> list[dict[str, Any]]:
    raw = [
        # One record per package, several for some, one naming two packages.
        _record(
            f"PYSEC-{number}",
            [_entry("PyPI", f"Pkg_{number}", f"{number % 7 + 1}.0")],
            aliases=[f"CVE-2024-{number:05d}"],
        )
        for number in range(PACKAGES)
    ]
    raw += [
        _record(f"GHSA-{number}", [_entry("PyPI", f"pkg-{number}", "9.0", ("1.0", "1.1"))])
        for number in range(0, PACKAGES, 50)
    ]
    raw.append(
        _record("PYSEC-PAIR", [_entry("PyPI", "pkg-1", "3.0"), _entry("PyPI", "pkg-2", "3.0")])
    )
    # One name in several ecosystems and releases: each is asked for apart.
    raw += [
        _record(f"{prefix}-DEMO", [_entry(ecosystem, "demo", "2.0")])
        for prefix, ecosystem in (
            ("PY", "PyPI"),
            ("NPM", "npm"),
            ("DSA12", "Debian:12"),
            ("DSA11", "Debian:11"),
        )
    ]
    # Red Hat streams of one release, the record naming them out of position order.
    raw.append(
        _record(
            "RHSA-1",
            [
                _entry("Red Hat:enterprise_linux:9::baseos", "openssl", "1:3.0.7-1.el9"),
                _entry("Red Hat:enterprise_linux:9::appstream", "openssl", "1:3.0.7-2.el9"),
                _entry("Red Hat:enterprise_linux:8::appstream", "openssl", "1:1.1.1k-1.el8"),
            ],
        )
    )
    # Withdrawn: never an entry, still a summary.
    raw.append(
        _record("PYSEC-GONE", [_entry("PyPI", "pkg-3", "5.0")], withdrawn="2024-02-01T00:00:00Z")
    )
    return raw


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MemoryStore, list[Advisory]]:
    folder = tmp_path_factory.mktemp("batched")
    raw = _raw_records()
    zipped = write_zip(
        folder / "feed.zip", {f"{item['id']}.json": orjson.dumps(item) for item in raw}
    )
    store = folder / "seawall.db"
    import_paths(store, [zipped])
    scores = [
        EpssScore(f"CVE-2024-{number:05d}", number / 10_000, number / 5_000)
        for number in range(0, PACKAGES, 3)
    ]
    with StoreWriter(store) as writer:
        writer.replace_epss(scores, data_as_of="2024-03-01")
        writer.commit()
    records = [parse_record(item, where=str(item["id"])) for item in raw]
    return store, MemoryStore(records, epss=scores), records


def test_entries_of_many_packages_are_each_packages_entries(
    stores: tuple[Path, MemoryStore, list[Advisory]],
) -> None:
    store, plain, _ = stores
    packages = [("PyPI", f"pkg-{number}") for number in range(PACKAGES)]
    packages += [
        ("PyPI", "PKG.1"),  # asked twice, spelt differently: normalised alike
        ("PyPI", "no-such-package"),
        ("Go", "pkg-1"),  # a name the store holds, in an ecosystem it does not
        ("PyPI", "demo"),
        ("npm", "demo"),
        ("Debian:12", "demo"),
        ("Debian:11", "demo"),
        ("Debian:13", "demo"),
        ("Red Hat:enterprise_linux:9", "openssl"),
        ("Red Hat:enterprise_linux:8", "openssl"),
        ("PyPI", "pkg-3"),
    ]
    with VulnStore(store) as opened:
        found = opened.entries_of(packages)
        one_by_one = [opened.entries(ecosystem, name) for ecosystem, name in packages]
        assert opened.entries_of([]) == []
    assert found == one_by_one
    assert found == [list(plain.entries(ecosystem, name)) for ecosystem, name in packages]
    by_package = dict(zip(packages, found, strict=True))
    assert [e.record for e in by_package["PyPI", "pkg-1"]] == ["PYSEC-1", "PYSEC-PAIR"]
    assert by_package["PyPI", "PKG.1"] == by_package["PyPI", "pkg-1"]
    assert [e.record for e in by_package["PyPI", "pkg-0"]] == ["GHSA-0", "PYSEC-0"]
    assert by_package["PyPI", "pkg-0"][0].versions == ("1.0", "1.1")
    assert by_package["PyPI", "no-such-package"] == by_package["Go", "pkg-1"] == []
    assert [e.record for e in by_package["Debian:12", "demo"]] == ["DSA12-DEMO"]
    assert by_package["Debian:13", "demo"] == []
    # Both streams of release 9, in the record's position order; not release 8's.
    streams = by_package["Red Hat:enterprise_linux:9", "openssl"]
    assert [(e.position, e.ecosystem) for e in streams] == [
        (0, "Red Hat:enterprise_linux:9::baseos"),
        (1, "Red Hat:enterprise_linux:9::appstream"),
    ]
    assert [e.record for e in by_package["PyPI", "pkg-3"]] == ["PYSEC-3"]  # not the withdrawn one


def test_summaries_of_many_ids_keep_their_order_and_leave_out_unknown_ids(
    stores: tuple[Path, MemoryStore, list[Advisory]],
) -> None:
    store, _, records = stores
    by_id = {record.id: record for record in records}
    ids = [f"PYSEC-{number}" for number in reversed(range(PACKAGES))]
    ids[10:10] = ["NOT-STORED", "PYSEC-5", "PYSEC-GONE", "RHSA-1"]
    with VulnStore(store) as opened:
        found = opened.summaries(ids)
        # A second store of the same file is served from the decoded summaries.
        with VulnStore(store) as again:
            assert again.summaries(ids) == found
    expected = [AdvisorySummary.of(by_id[i]) for i in ids if i in by_id]
    assert found == expected
    assert [summary.id for summary in found][9:14] == [
        "PYSEC-1190",
        "PYSEC-5",
        "PYSEC-GONE",
        "RHSA-1",
        "PYSEC-1189",
    ]


def test_epss_of_many_cves_is_each_cves_score(
    stores: tuple[Path, MemoryStore, list[Advisory]],
) -> None:
    store, plain, _ = stores
    cves = [f"CVE-2024-{number:05d}" for number in range(PACKAGES)] + ["CVE-1999-0001"]
    with VulnStore(store) as opened:
        found = opened.epss_of(cves + cves[:5])
        assert found == {cve: score for cve in cves if (score := opened.epss(cve)) is not None}
        assert opened.epss_of([]) == {}
    assert len(found) == PACKAGES // 3
    assert found["CVE-2024-00003"] == EpssScore("CVE-2024-00003", 0.0003, 0.0006, "2024-03-01")
    assert {cve: (s.score, s.percentile) for cve, s in found.items()} == {
        cve: (s.score, s.percentile) for cve, s in plain.epss_of(cves).items()
    }


def test_a_store_without_epss_scores_answers_none_for_many_cves(tmp_path: Path) -> None:
    zipped = write_zip(
        tmp_path / "feed.zip",
        {"PYSEC-1.json": orjson.dumps(_record("PYSEC-1", [_entry("PyPI", "a", "1.0")]))},
    )
    import_paths(tmp_path / "seawall.db", [zipped])
    with VulnStore(tmp_path / "seawall.db") as opened:
        assert opened.epss_of(["CVE-2024-00003"]) == {}
        assert opened.epss("CVE-2024-00003") is None
