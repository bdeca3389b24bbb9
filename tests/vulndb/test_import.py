"""Importing real OSV exports: counts, exact round trips, lookups, merges and malformed records."""

import gzip
import random
from pathlib import Path

import orjson
import pytest

from seawall.errors import InputError
from seawall.vulndb.importer import import_paths
from seawall.vulndb.osv import parse_record
from seawall.vulndb.store import VulnStore
from tests.vulndb.conftest import write_zip, zip_entries

# From shared/vulndata/MANIFEST.md: records per export (withdrawn ones included).
MANIFEST_COUNTS = {
    "PyPI": 2661,
    "Go": 4291,
    "crates.io": 1206,
    "Debian:12": 6547,
    "Debian:11": 410,
    "Debian:10": 945,
    "Debian:9": 1568,
    "Debian:8": 1824,
    "Debian:7": 1796,
    "Debian:6.0": 1139,
    "Debian:5.0": 567,
    "Debian:4.0": 638,
    "Debian:3.1": 650,
    "Debian:3.0": 729,
}
MANIFEST_WITHDRAWN = {"PyPI": 10, "Go": 17, "crates.io": 13}


@pytest.mark.slow
def test_every_export_imports_with_the_manifest_counts(vulndata: Path, tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    zips = sorted(vulndata.glob("*/all.zip"))
    assert {z.parent.name for z in zips} == set(MANIFEST_COUNTS)
    reports = import_paths(
        store, [*zips, vulndata / "kev" / "known_exploited_vulnerabilities.json"]
    )
    by_source = {r.source: r for r in reports}
    for name, count in MANIFEST_COUNTS.items():
        assert by_source[name].records == count, name
        assert by_source[name].malformed_count == 0, name
        assert by_source[name].withdrawn == MANIFEST_WITHDRAWN.get(name, 0), name
    assert by_source["kev"].records == 1404
    with VulnStore(store) as opened:
        info = {s.name: s.records for s in opened.info().sources}
        assert info == {**MANIFEST_COUNTS, "kev": 1404}
        # Every record of every export comes back exactly as parsed.
        rng = random.Random(7)
        for z in zips:
            entries = zip_entries(z)
            for name in rng.sample(sorted(entries), 25):
                expected = parse_record(entries[name], where=name)
                assert opened.advisory(expected.id) == expected
        assert {a.id for a in opened.advisories("Go", "golang.org/x/net")} >= {"GO-2022-0236"}


def test_small_exports_match_the_manifest(small_store: Path) -> None:
    with VulnStore(small_store) as store:
        counts = {s.name: s.records for s in store.info().sources}
    assert counts == {
        "PyPI": 2661,
        "crates.io": 1206,
        "Debian:10": 945,
        "Debian:11": 410,
        "kev": 1404,
    }


def test_every_pypi_record_round_trips_exactly(vulndata: Path, small_store: Path) -> None:
    entries = zip_entries(vulndata / "PyPI" / "all.zip")
    withdrawn = 0
    with VulnStore(small_store) as store:
        for name, data in entries.items():
            expected = parse_record(data, where=name)
            assert store.advisory(expected.id) == expected
            withdrawn += expected.withdrawn is not None
    assert withdrawn == 10  # withdrawn records are stored; the matcher skips them


def test_lookups_use_each_ecosystems_name_rules(small_store: Path) -> None:
    with VulnStore(small_store) as store:
        django = {a.id for a in store.advisories("PyPI", "django")}
        assert "PYSEC-2011-1" in django or len(django) > 50
        # PEP 503: case, `_`, `.` and `-` runs are one name.
        assert {a.id for a in store.advisories("PyPI", "Django")} == django
        pillow = {a.id for a in store.advisories("PyPI", "pillow")}
        assert pillow and {a.id for a in store.advisories("PyPI", "PILLOW")} == pillow
        # Every returned record really names the package.
        for advisory in store.advisories("PyPI", "DJANGO"):
            assert any(
                a.ecosystem == "PyPI" and a.name.lower() == "django" for a in advisory.affected
            )
        # crates.io: case and -/_ fold together.
        smallvec = {a.id for a in store.advisories("crates.io", "smallvec")}
        assert smallvec and {a.id for a in store.advisories("crates.io", "SmallVec")} == smallvec
        # Distribution source names are exact, and the release is part of the ecosystem.
        assert store.advisories("Debian:11", "openssl")
        assert store.advisories("Debian:11", "OpenSSL") == []
        assert store.advisories("Debian:12", "openssl") == []
        assert store.advisories("PyPI", "no-such-package-anywhere") == []


def test_a_record_in_two_exports_is_stored_once_and_found_in_both(small_store: Path) -> None:
    with VulnStore(small_store) as store:
        advisory = store.advisory("DSA-4962-2")
        assert advisory is not None
        assert {a.ecosystem for a in advisory.affected} == {"Debian:10", "Debian:11"}
        assert "DSA-4962-2" in {a.id for a in store.advisories("Debian:10", "ledgersmb")}
        assert "DSA-4962-2" in {a.id for a in store.advisories("Debian:11", "ledgersmb")}
        assert store.record_count() == 2661 + 1206 + len(
            {*_ids(store, "Debian:10"), *_ids(store, "Debian:11")}
        )


def _ids(store: VulnStore, source: str) -> set[str]:
    rows = store._db.execute("SELECT id FROM record_sources WHERE source = ?", (source,))
    return {row[0] for row in rows}


def test_kev_entries_and_aliases(small_store: Path) -> None:
    with VulnStore(small_store) as store:
        entry = store.kev("CVE-2025-48384")
        assert entry is not None
        assert (entry.vendor, entry.product, entry.date_added) == ("Git", "Git", "2025-08-25")
        assert store.kev("CVE-1999-99999") is None
        assert store.epss("CVE-2025-48384") is None
        assert store.ids_for_alias("CVE-2007-1405") == ["PYSEC-2007-2"]


def test_malformed_records_are_counted_with_reasons_and_never_fatal(
    vulndata: Path, tmp_path: Path
) -> None:
    entries = dict(list(zip_entries(vulndata / "crates.io" / "all.zip").items())[:100])
    entries["BAD-1.json"] = b"{not json"
    entries["BAD-2.json"] = orjson.dumps(
        {
            "id": "BAD-2",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "crates.io", "name": "x"},
                    "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}],
                }
            ],
        }
    )
    entries["README.txt"] = b"not a record"
    archive = write_zip(tmp_path / "crates.io" / "all.zip", entries)
    store = tmp_path / "seawall.db"
    (report,) = import_paths(store, [archive])
    assert report.records == 100
    assert report.malformed_count == 3
    reasons = {m.where.rsplit(":", 1)[-1]: (m.record_id, m.reason) for m in report.malformed}
    assert reasons["BAD-1.json"][1].startswith("not JSON")
    assert reasons["BAD-2.json"] == ("BAD-2", "affected[0].ranges[0] has no `introduced` event")
    assert reasons["README.txt"][1] == "not a .json entry"


def test_full_reimport_drops_what_the_export_no_longer_has_and_keeps_newer_records(
    vulndata: Path, tmp_path: Path
) -> None:
    entries = zip_entries(vulndata / "crates.io" / "all.zip")
    names = sorted(entries)
    store = tmp_path / "seawall.db"
    import_paths(store, [write_zip(tmp_path / "v1" / "crates.io" / "all.zip", entries)])
    dropped = names[0]
    changed_name = names[1]
    changed = orjson.loads(entries[changed_name])
    changed["modified"] = "2099-01-01T00:00:00Z"
    changed["summary"] = "changed summary"
    changed["affected"][0]["package"]["name"] = "renamed-crate"
    later = {n: d for n, d in entries.items() if n != dropped}
    later[changed_name] = orjson.dumps(changed)
    (report,) = import_paths(store, [write_zip(tmp_path / "v2" / "crates.io" / "all.zip", later)])
    assert report.records == len(entries) - 1
    assert report.removed == 1
    with VulnStore(store) as opened:
        assert opened.advisory(dropped.removesuffix(".json")) is None
        updated = opened.advisory(changed["id"])
        assert updated is not None and updated.summary == "changed summary"
        # The index follows the new version: the old package name no longer finds it.
        assert changed["id"] in {a.id for a in opened.advisories("crates.io", "renamed-crate")}
        old_name = orjson.loads(entries[changed_name])["affected"][0]["package"]["name"]
        assert changed["id"] not in {a.id for a in opened.advisories("crates.io", old_name)}
    # An older copy of a record (from a local directory) does not replace the newer one.
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / changed_name).write_bytes(entries[changed_name])
    import_paths(store, [folder])
    with VulnStore(store) as opened:
        assert opened.advisory(changed["id"]).summary == "changed summary"  # type: ignore[union-attr]
        assert {s.name for s in opened.info().sources} == {"crates.io", "local"}


def test_single_files_directories_and_epss(tmp_path: Path, vulndata: Path) -> None:
    entries = zip_entries(vulndata / "PyPI" / "all.zip")
    one = tmp_path / "PYSEC-2007-2.json"
    one.write_bytes(entries["PYSEC-2007-2.json"])
    epss = tmp_path / "epss_scores-2025-08-25.csv.gz"
    with gzip.open(epss, "wt") as stream:
        stream.write("#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\n")
        stream.write("cve,epss,percentile\n")
        stream.write("CVE-2007-1405,0.01234,0.56789\nCVE-2025-48384,0.9,0.99\nnot-a-cve,1,1\n")
        stream.write("CVE-2024-0001,1.5,0.2\n")
    store = tmp_path / "seawall.db"
    reports = import_paths(store, [one, epss])
    assert [(r.source, r.records, r.malformed_count) for r in reports] == [
        ("local", 1, 0),
        ("epss", 2, 2),
    ]
    with VulnStore(store) as opened:
        score = opened.epss("CVE-2007-1405")
        assert score is not None
        assert (score.score, score.percentile, score.date) == (
            0.01234,
            0.56789,
            "2025-08-25T12:55:00Z",
        )
        assert [a.id for a in opened.advisories("PyPI", "Trac")] == ["PYSEC-2007-2"]


def test_unusable_inputs_are_input_errors_and_change_nothing(
    tmp_path: Path, vulndata: Path
) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [vulndata / "Debian:11" / "all.zip"])
    before = store.read_bytes()
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(InputError, match="not an OSV zip"):
        import_paths(store, [vulndata / "PyPI" / "all.zip", stray])
    with pytest.raises(InputError, match="cannot read"):
        import_paths(store, [tmp_path / "missing.zip"])
    bad_epss = tmp_path / "x.csv"
    bad_epss.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not an EPSS CSV"):
        import_paths(store, [bad_epss])
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_opening_a_missing_or_foreign_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no vulnerability database"):
        VulnStore(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()
    foreign = tmp_path / "other.db"
    import sqlite3

    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError, match="not a seawall vulnerability database"):
        VulnStore(foreign)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 5000)
    with pytest.raises(InputError, match="not a"):
        VulnStore(junk)


def _record(record_id: str, ecosystem: str, name: str) -> bytes:
    return orjson.dumps(
        {
            "id": record_id,
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        }
    )


def test_red_hat_releases_match_their_streams_and_npm_names_are_exact(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for record_id, ecosystem, name in [
        ("RHSA-1", "Red Hat:enterprise_linux:9::appstream", "openssl"),
        ("RHSA-2", "Red Hat:enterprise_linux:9", "openssl"),
        ("RHSA-3", "Red Hat:enterprise_linux:90::baseos", "openssl"),
        ("RHSA-4", "Red Hat:enterprise_linux:8::baseos", "openssl"),
        ("GHSA-1", "npm", "JSONStream"),
        ("GHSA-2", "npm", "jsonstream"),
    ]:
        (folder / f"{record_id}.json").write_bytes(_record(record_id, ecosystem, name))
    store = tmp_path / "seawall.db"
    import_paths(store, [folder])
    with VulnStore(store) as opened:
        assert [a.id for a in opened.advisories("Red Hat:enterprise_linux:9", "openssl")] == [
            "RHSA-1",
            "RHSA-2",
        ]
        assert [
            a.id for a in opened.advisories("Red Hat:enterprise_linux:9::appstream", "openssl")
        ] == ["RHSA-1"]
        assert [a.id for a in opened.advisories("npm", "JSONStream")] == ["GHSA-1"]
        assert [a.id for a in opened.advisories("npm", "jsonstream")] == ["GHSA-2"]
