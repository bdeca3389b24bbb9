"""The package index and the schema 2 layout: exact round trips, the entries matching
reads, refusal and upgrade of a schema 1 store, and a damaged store.

Schema 2 keeps each entry's ranges and versions only in the `affected` rows
(seawall.vulndb.index); a record is put back together from its body and those
rows. A store written by schema 1 (whole records in `records.body`) is built
here in that layout, as an older seawall wrote it.
"""

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard

from seawall.errors import InputError
from seawall.model.advisory import (
    Advisory,
    AdvisorySummary,
    AffectedEntry,
    AffectedPackage,
    AffectedRange,
    EventKind,
    RangeEvent,
    RangeType,
)
from seawall.vulndb import codec, index, schema
from seawall.vulndb.importer import import_paths
from seawall.vulndb.names import normalize_name
from seawall.vulndb.osv import parse_record
from seawall.vulndb.store import VulnStore
from tests.vulndb.conftest import write_zip, zip_entries


def _records(vulndata: Path, folder: str) -> list[Advisory]:
    return [
        parse_record(data, where=f"{folder}:{name}")
        for name, data in sorted(zip_entries(vulndata / folder / "all.zip").items())
    ]


def _assembled(advisory: Advisory) -> Advisory:
    rows = {(eco, name): data for eco, name, data in codec.index_rows(advisory)}
    return codec.assemble(codec.to_body(advisory), lambda eco, name: index.decode(rows[eco, name]))


def test_every_real_record_comes_back_from_its_body_and_index_rows(vulndata: Path) -> None:
    packer = index.IndexCodec()
    seen_long = seen_git = seen_renamed = 0
    for folder in ("PyPI", "Go", "crates.io", "Debian:12", "Debian:11"):
        for advisory in _records(vulndata, folder):
            assert _assembled(advisory) == advisory
            body = orjson.loads(codec.to_body(advisory))
            # The body holds no ranges or versions: they are stored once, in the index.
            assert all(set(item) & {"ranges", "versions"} == set() for item in body["affected"])
            for eco, name, data in codec.index_rows(advisory):
                packed = packer.pack(data)
                assert packer.unpack(packed) == data
                seen_long += packed != data
                for _, written, ranges, _ in index.decode(data):
                    seen_git += any(r.repo for r in ranges)
                    seen_renamed += written is not None
                    assert written is None or normalize_name(eco, written) == name
    # The real data exercises compressed rows, GIT ranges with repos and names
    # written unlike their normalised form (PyPI `Django`).
    assert seen_long > 100 and seen_git > 100 and seen_renamed > 100


def test_ranges_keep_repo_and_database_specific_and_entries_keep_their_positions() -> None:
    advisory = parse_record(
        {
            "id": "X-1",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                    "ranges": [
                        {
                            "type": "GIT",
                            "repo": "https://example.org/r",
                            "events": [{"introduced": "0"}, {"limit": "abc"}],
                            "database_specific": {"note": "kept"},
                        },
                        {"type": "SEMVER", "events": [{"introduced": "1.0.0"}]},
                    ],
                },
                {"package": {"ecosystem": "npm", "name": "other"}, "versions": ["1.0.0"]},
                {
                    "package": {"ecosystem": "PyPI", "name": "demo-pkg"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"last_affected": "2"}],
                            "database_specific": {"n": 1},
                        }
                    ],
                    "versions": ["0.1", "2"],
                },
            ],
        },
        where="fixture",
    )
    assert _assembled(advisory) == advisory
    rows = {(eco, name): index.decode(data) for eco, name, data in codec.index_rows(advisory)}
    assert sorted(rows) == [("PyPI", "demo-pkg"), ("npm", "other")]
    pypi = rows["PyPI", "demo-pkg"]
    assert [(position, written) for position, written, _, _ in pypi] == [(0, "Demo_Pkg"), (2, None)]
    assert pypi[0][2] == advisory.affected[0].ranges
    assert pypi[1][3] == ("0.1", "2")


def _plain_entries(advisories: list[Advisory]) -> dict[tuple[str, str], list[AffectedEntry]]:
    """Entries by (ecosystem, normalised name), worked out from whole records."""
    found: dict[tuple[str, str], list[AffectedEntry]] = {}
    for a in sorted(advisories, key=lambda advisory: advisory.id):
        if a.withdrawn:
            continue
        for i, e in enumerate(a.affected):
            key = (e.ecosystem, normalize_name(e.ecosystem, e.name))
            found.setdefault(key, []).append(
                AffectedEntry(a.id, i, e.ecosystem, e.name, e.ranges, e.versions)
            )
    return found


def test_entries_are_what_the_whole_records_say(vulndata: Path, small_store: Path) -> None:
    # Everything the small store holds (a DSA in both Debian exports is one record).
    by_id = {
        a.id: a
        for folder in ("PyPI", "crates.io", "Debian:10", "Debian:11")
        for a in _records(vulndata, folder)
    }
    advisories = list(by_id.values())
    names = sorted({(e.ecosystem, e.name) for a in advisories for e in a.affected})
    assert len(names) > 1500
    withdrawn = {a.id for a in advisories if a.withdrawn}
    assert withdrawn
    plain = _plain_entries(advisories)
    with VulnStore(small_store) as store:
        for ecosystem, name in names:
            found = store.entries(ecosystem, name)
            expected = plain.get((ecosystem, normalize_name(ecosystem, name)), [])
            assert found == expected, (ecosystem, name)
            assert not {entry.record for entry in found} & withdrawn
        # Withdrawn records stay in the store and in `advisories`; only matching skips them.
        some = next(a for a in advisories if a.withdrawn)
        assert store.advisory(some.id) == some
        assert some in store.advisories("PyPI", some.affected[0].name)
        assert store.records(["no-such-id", some.id, "PYSEC-2007-2"]) == [
            some,
            store.advisory("PYSEC-2007-2"),
        ]


def test_summaries_are_the_whole_records_less_what_decides_a_match(
    vulndata: Path, small_store: Path
) -> None:
    ids = sorted(
        {
            a.id
            for folder in ("PyPI", "crates.io", "Debian:10", "Debian:11")
            for a in _records(vulndata, folder)
        }
    )
    with VulnStore(small_store) as store:
        wanted = ["no-such-id", *ids]
        summaries = store.summaries(wanted)
        assert summaries == [AdvisorySummary.of(a) for a in store.records(wanted)]
        assert len(summaries) == len(ids) > 5_000
        # Kept per process: asked again, the same objects come back.
        assert store.summaries(ids[:50]) == summaries[:50]
        assert all(a is b for a, b in zip(store.summaries(ids[:50]), summaries, strict=False))


def test_rows_that_write_a_range_alike_share_one_range_object() -> None:
    # Matchers find what they prepared for a range by its identity (seawall.match.cache).
    packer = index.IndexCodec()
    ranges = [
        AffectedRange(
            RangeType.ECOSYSTEM,
            (RangeEvent(EventKind.INTRODUCED, "0"), RangeEvent(EventKind.FIXED, "2.0")),
        )
    ]
    entry = AffectedPackage("PyPI", "demo", ranges=tuple(ranges))
    data = index.encode([(0, entry)], "demo")
    (first,) = packer.decode(data)
    (second,) = packer.decode(packer.pack(data))
    assert first[2] == second[2] == tuple(ranges)
    assert first[2][0] is second[2][0]
    assert index.IndexCodec().decode(data)[0][2][0] is not first[2][0]


# -- schema 1 ----------------------------------------------------------------

_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE dictionaries (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE records (id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn TEXT,
    dict_id INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, id)) WITHOUT ROWID;
CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alias, id))
    WITHOUT ROWID;
CREATE TABLE record_sources (source TEXT NOT NULL, id TEXT NOT NULL,
    generation INTEGER NOT NULL, PRIMARY KEY (source, id)) WITHOUT ROWID;
CREATE TABLE kev (cve TEXT PRIMARY KEY, vendor TEXT, product TEXT, name TEXT, date_added TEXT,
    due_date TEXT, required_action TEXT, known_ransomware_use TEXT) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL)
    WITHOUT ROWID;
CREATE TABLE sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, records INTEGER NOT NULL,
    imported_at TEXT NOT NULL, data_as_of TEXT, origin TEXT, etag TEXT, last_modified TEXT,
    cursor TEXT, generation INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
"""


def _whole(advisory: Advisory) -> dict[str, Any]:
    """A record as schema 1 stored it: the OSV shape, ranges and versions included."""

    def entry(item: AffectedPackage) -> dict[str, Any]:
        out: dict[str, Any] = {"package": {"ecosystem": item.ecosystem, "name": item.name}}
        if item.ranges:
            out["ranges"] = [one_range(r) for r in item.ranges]
        if item.versions:
            out["versions"] = list(item.versions)
        if item.database_specific:
            out["database_specific"] = dict(item.database_specific)
        return out

    def one_range(item: AffectedRange) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": item.type.value,
            "events": [{e.kind.value: e.version} for e in item.events],
        }
        if item.repo:
            out["repo"] = item.repo
        return out

    whole: dict[str, Any] = {"id": advisory.id, "modified": advisory.modified}
    if advisory.withdrawn:
        whole["withdrawn"] = advisory.withdrawn
    if advisory.aliases:
        whole["aliases"] = list(advisory.aliases)
    if advisory.summary is not None:
        whole["summary"] = advisory.summary
    whole["affected"] = [entry(item) for item in advisory.affected]
    return whole


def _schema_1_store(path: Path, advisories: list[Advisory]) -> None:
    compressor = zstandard.ZstdCompressor()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        db.executescript(_SCHEMA_1)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("schema_version", "1"), ("created", "2026-01-01T00:00:00Z")],
        )
        for advisory in advisories:
            body = compressor.compress(orjson.dumps(_whole(advisory)))
            db.execute(
                "INSERT INTO records VALUES (?, ?, ?, 0, ?)",
                (advisory.id, advisory.modified, advisory.withdrawn, body),
            )
            db.executemany(
                "INSERT OR IGNORE INTO affected VALUES (?, ?, ?)",
                [
                    (e.ecosystem, normalize_name(e.ecosystem, e.name), advisory.id)
                    for e in advisory.affected
                ],
            )
            db.execute("INSERT INTO record_sources VALUES ('PyPI', ?, 1)", (advisory.id,))
        db.execute(
            "INSERT INTO sources VALUES ('PyPI', 'osv-export', ?, '2026-01-01T00:00:00Z', "
            "NULL, NULL, NULL, NULL, NULL, 1)",
            (len(advisories),),
        )


def test_a_schema_1_store_is_refused_then_upgraded_by_the_next_import(
    vulndata: Path, tmp_path: Path
) -> None:
    # Whole records, as schema 1 kept them (no purl, severity or references here:
    # what matters is that every one survives the upgrade unchanged).
    originals = [
        Advisory(
            a.id,
            a.modified,
            withdrawn=a.withdrawn,
            aliases=a.aliases,
            summary=a.summary,
            affected=tuple(
                AffectedPackage(
                    e.ecosystem,
                    e.name,
                    ranges=tuple(AffectedRange(r.type, r.events, r.repo) for r in e.ranges),
                    versions=e.versions,
                    database_specific=e.database_specific,
                )
                for e in a.affected
            ),
        )
        for a in _records(vulndata, "PyPI")[:300]
    ]
    store = tmp_path / "seawall.db"
    _schema_1_store(store, originals)
    with pytest.raises(InputError, match=r"older seawall \(schema 1.*seawall db update"):
        VulnStore(store)
    # Any write upgrades the copy it builds: here an import of one more record.
    extra = {
        "id": "EXTRA-1",
        "modified": "2026-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "extra"}, "versions": ["1"]}],
    }
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "EXTRA-1.json").write_bytes(orjson.dumps(extra))
    import_paths(store, [folder])
    with VulnStore(store) as upgraded:
        assert upgraded.schema_version == schema.SCHEMA_VERSION
        for advisory in originals:
            assert upgraded.advisory(advisory.id) == advisory
        assert upgraded.record_count() == len(originals) + 1
        assert {s.name for s in upgraded.info().sources} == {"PyPI", "more"}
        plain = _plain_entries(originals)
        for advisory in originals:
            for entry in advisory.affected:
                key = (entry.ecosystem, normalize_name(entry.ecosystem, entry.name))
                assert upgraded.entries(entry.ecosystem, entry.name) == plain.get(key, [])


def test_a_newer_or_unknown_schema_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    _schema_1_store(store, [])
    with sqlite3.connect(store) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="schema version 99, this seawall reads"):
        VulnStore(store)
    with pytest.raises(InputError, match="schema version 99"):
        import_paths(store, [])


def test_a_record_without_its_index_row_is_reported_as_a_damaged_store(
    tmp_path: Path,
) -> None:
    record = {
        "id": "PYSEC-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}],
    }
    store = tmp_path / "seawall.db"
    import_paths(store, [write_zip(tmp_path / "x.zip", {"PYSEC-1.json": orjson.dumps(record)})])
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM affected")
    with VulnStore(store) as opened, pytest.raises(InputError, match=r"damaged.*PYSEC-1"):
        opened.advisory("PYSEC-1")
