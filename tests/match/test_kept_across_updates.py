"""Kept results across store updates: valid for every package an update left alone, and only those.

Each test builds a real store from OSV records it writes, matches an
inventory (which keeps results beside the store, seawall.vulndb.results),
updates the store through the real import path, and matches again in what
stands for a new process (a new VulnStore and an empty MatchCache). Which
packages the store is asked about shows what was worked out again; the
answer must always equal a match of the updated store with nothing kept.
"""

import gzip
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from seawall.match import Matcher, MatchResult
from seawall.match.cache import MatchCache
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from seawall.vulndb import results
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from tests.match.support import package
from tests.vulndb.conftest import write_zip

INVENTORY = Inventory(
    (
        package(Ecosystem.PYPI, "alpha", "1.0"),
        package(Ecosystem.PYPI, "beta", "1.0"),
        package(Ecosystem.DEBIAN, "libgamma1", "1.0-1", release="12", source_name="gamma"),
    )
)


def _record(
    identifier: str,
    ecosystem: str,
    name: str,
    fixed: str,
    cve: str,
    modified: str = "2024-01-01T00:00:00Z",
) -> dict[str, Any]:
    return {
        "id": identifier,
        "modified": modified,
        "aliases": [cve],
        "summary": f"{name} is vulnerable",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }


ALPHA = _record("PYSEC-2099-1", "PyPI", "alpha", "2.0", "CVE-2099-0001")
BETA = _record("PYSEC-2099-2", "PyPI", "beta", "2.0", "CVE-2099-0002")
GAMMA = _record("DEBIAN-CVE-2099-0003", "Debian:12", "gamma", "1.5-1", "CVE-2099-0003")
GAMMA_11 = _record("DEBIAN-CVE-2099-0004", "Debian:11", "gamma", "1.5-1", "CVE-2099-0004")


def _export(folder: Path, ecosystem: str, records: Sequence[dict[str, Any]]) -> Path:
    """`records` as the OSV export of `ecosystem` (`<ecosystem>/all.zip`: a full import)."""
    return write_zip(
        folder / ecosystem / "all.zip",
        {f"{record['id']}.json": orjson.dumps(record) for record in records},
    )


def _changed(folder: Path, record: dict[str, Any]) -> Path:
    """One changed record as a file: an incremental import, as `db update` makes."""
    path = folder / f"{record['id']}.json"
    path.write_bytes(orjson.dumps(record))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "seawall.db"
    import_paths(
        path,
        [
            _export(tmp_path / "v1", "PyPI", [ALPHA, BETA]),
            _export(tmp_path / "v1", "Debian:12", [GAMMA]),
            _export(tmp_path / "v1", "Debian:11", [GAMMA_11]),
        ],
    )
    return path


def _match(store: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[MatchResult, list[str]]:
    """A match in a new process, and the package names whose index entries it read."""
    with VulnStore(store) as opened:
        asked: list[str] = []
        read = opened.entries_of

        def spy(packages: Sequence[tuple[str, str]]) -> Any:
            asked.extend(name for _, name in packages)
            return read(packages)

        monkeypatch.setattr(opened, "entries_of", spy)
        return Matcher(opened, key, cache=MatchCache()).match(INVENTORY), sorted(asked)


def _never_seen(store: Path) -> MatchResult:
    results.path_for(store).unlink(missing_ok=True)
    with VulnStore(store) as opened:
        return Matcher(opened, key, cache=MatchCache()).match(INVENTORY)


def _found(result: MatchResult) -> list[tuple[str, str]]:
    return sorted((finding.package.name, finding.id) for finding in result.findings)


def _stamps(store: Path) -> list[int]:
    with VulnStore(store) as opened:
        return opened.stamps_of([("PyPI", "alpha"), ("PyPI", "Beta"), ("Debian:12", "gamma")])


BEFORE = [
    ("alpha", "CVE-2099-0001"),
    ("beta", "CVE-2099-0002"),
    ("libgamma1", "CVE-2099-0003"),
]


def test_an_update_works_out_again_only_the_packages_whose_records_changed(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, asked = _match(store, monkeypatch)
    assert _found(first) == BEFORE
    assert asked == ["alpha", "beta", "gamma"]
    assert _match(store, monkeypatch)[1] == []  # all kept
    # A day's update: alpha's record now says 1.0 is fixed.
    fixed = {
        **_record("PYSEC-2099-1", "PyPI", "alpha", "1.0", "CVE-2099-0001"),
        "modified": "2024-02-01T00:00:00Z",
    }
    import_paths(store, [_changed(tmp_path, fixed)], source="PyPI")
    assert _stamps(store) == [1, 0, 0]
    after, asked = _match(store, monkeypatch)
    assert asked == ["alpha"]
    assert _found(after) == BEFORE[1:]
    assert after == _never_seen(store)


def test_a_change_in_another_release_of_a_distribution_leaves_this_release_alone(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _match(store, monkeypatch)
    changed = {**GAMMA_11, "modified": "2024-03-01T00:00:00Z", "summary": "changed"}
    import_paths(store, [_export(tmp_path / "v2", "Debian:11", [changed])])
    with VulnStore(store) as opened:
        assert opened.stamps_of([("Debian:11", "gamma"), ("Debian:12", "gamma")]) == [1, 0]
    assert _match(store, monkeypatch) == (first, [])


def test_red_hat_streams_share_one_stamp_as_a_match_reads_them_all(
    store: Path, tmp_path: Path
) -> None:
    stream = "Red Hat:enterprise_linux:9::appstream"
    record = _record("RHSA-2099:0001", stream, "delta", "1.1-1.el9", "CVE-2099-0005")
    import_paths(store, [_changed(tmp_path, record)], source="Red Hat")
    with VulnStore(store) as opened:
        assert opened.stamps_of([("Red Hat:enterprise_linux:9", "delta")]) == [1]
        assert opened.stamps_of([("Red Hat:enterprise_linux:8", "delta")]) == [1]
        assert opened.stamps_of([("Debian:12", "delta")]) == [0]


def test_a_full_export_imported_again_as_it_is_changes_nothing(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _match(store, monkeypatch)
    import_paths(store, [_export(tmp_path / "v2", "PyPI", [ALPHA, BETA])])
    assert _stamps(store) == [0, 0, 0]
    again, asked = _match(store, monkeypatch)
    assert (again, asked) == (first, [])
    # A record gone from the export: its package is worked out again.
    import_paths(store, [_export(tmp_path / "v3", "PyPI", [ALPHA])])
    assert _stamps(store) == [0, 1, 0]
    after, asked = _match(store, monkeypatch)
    assert asked == ["beta"]
    assert _found(after) == [BEFORE[0], BEFORE[2]]
    assert after == _never_seen(store)


def test_a_record_changed_without_a_new_modified_time_is_still_a_change(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _match(store, monkeypatch)
    retold = {**BETA, "summary": "beta is vulnerable, told again"}
    import_paths(store, [_export(tmp_path / "v2", "PyPI", [ALPHA, retold])])
    assert _stamps(store) == [0, 1, 0]
    after, asked = _match(store, monkeypatch)
    assert asked == ["beta"]
    assert [f.summary for f in after.findings if f.package.name == "beta"] == [retold["summary"]]


def test_kev_and_epss_updates_reach_kept_results_without_working_them_out_again(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _match(store, monkeypatch)
    assert all(f.kev is None and f.epss is None for f in first.findings)
    kev = tmp_path / "known_exploited_vulnerabilities.json"
    entry = {
        "cveID": "CVE-2099-0002",
        "vendorProject": "Example",
        "product": "beta",
        "vulnerabilityName": "Beta flaw",
        "dateAdded": "2024-05-01",
        "shortDescription": "A flaw.",
        "requiredAction": "Apply updates.",
        "dueDate": "2024-05-22",
        "knownRansomwareCampaignUse": "Unknown",
    }
    kev.write_text(
        json.dumps({"catalogVersion": "2024.05.01", "count": 1, "vulnerabilities": [entry]})
    )
    epss = tmp_path / "epss_scores-2024-05-01.csv.gz"
    with gzip.open(epss, "wt") as stream:
        stream.write("#model_version:v2025.03.14,score_date:2024-05-01T00:00:00Z\n")
        stream.write("cve,epss,percentile\nCVE-2099-0001,0.5,0.9\n")
    import_paths(store, [kev, epss])
    assert _stamps(store) == [0, 0, 0]
    after, asked = _match(store, monkeypatch)
    assert asked == []
    by_package = {f.package.name: f for f in after.findings}
    assert by_package["beta"].kev is not None and by_package["beta"].kev.cve == "CVE-2099-0002"
    alpha_epss = by_package["alpha"].epss
    assert alpha_epss is not None and (alpha_epss.cve, alpha_epss.score) == ("CVE-2099-0001", 0.5)
    assert after == _never_seen(store)


def test_a_fresh_import_begins_a_new_lineage_with_nothing_kept(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _match(store, monkeypatch)
    with VulnStore(store) as opened:
        lineage = opened.lineage
    import_paths(store, [_export(tmp_path / "v2", "PyPI", [ALPHA, BETA])], fresh=True)
    assert not results.path_for(store).exists()
    with VulnStore(store) as opened:
        assert opened.lineage not in (None, lineage)
    assert _match(store, monkeypatch)[1] == ["alpha", "beta", "gamma"]


def test_a_store_without_a_lineage_keeps_results_for_one_snapshot_until_a_writer_adds_one(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a store written by the seawall before stamps: no lineage, no stamps.
    with VulnStore(store):
        pass
    with sqlite3.connect(store) as db:
        db.execute("DROP TABLE stamps")
        db.execute("DELETE FROM meta WHERE key IN ('lineage', 'generation')")
    with VulnStore(store) as opened:
        assert opened.lineage is None
        assert opened.stamps_of([("PyPI", "alpha")]) == [0]
    first, _ = _match(store, monkeypatch)
    assert _match(store, monkeypatch)[1] == []
    changed = {**BETA, "modified": "2024-02-01T00:00:00Z"}
    import_paths(store, [_changed(tmp_path, changed)], source="PyPI")
    # The writer gave it a lineage: what was kept for the old snapshot is gone.
    assert not results.path_for(store).exists()
    assert _stamps(store) == [0, 0, 0]
    after, asked = _match(store, monkeypatch)
    assert asked == ["alpha", "beta", "gamma"]
    assert _found(after) == _found(first) == BEFORE
    assert after == _never_seen(store)
