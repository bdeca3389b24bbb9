"""The store's fast paths give exactly what the plain ones do.

- Decoded records are kept per process, keyed by the store file's snapshot:
  two stores of one file share them, a replaced file never sees the old ones.
- Workers compress with the store's dictionary: a store built with a worker
  pool holds the same records, byte for byte, as one built in-process.
- Values that cross to worker processes survive pickling unchanged.
"""

import pickle
import sqlite3
from pathlib import Path

import orjson
import pytest

from seawall.vulndb import codec, prepare, writer
from seawall.vulndb.importer import import_paths
from seawall.vulndb.osv import parse_record
from seawall.vulndb.prepare import Malformed, Prepared, prepare_chunk
from seawall.vulndb.reader import RawRecord, Rejected, ZipMember, osv_items, read_osv
from seawall.vulndb.store import VulnStore
from seawall.vulndb.writer import StoreWriter


def _record(record_id: str, fixed: str, modified: str) -> bytes:
    return orjson.dumps(
        {
            "id": record_id,
            "modified": modified,
            "aliases": [f"CVE-2024-{record_id[-1]}"],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                }
            ],
        }
    )


def _import(tmp_path: Path, fixed: str, modified: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "PYSEC-1.json").write_bytes(_record("PYSEC-1", fixed, modified))
    store = tmp_path / "seawall.db"
    import_paths(store, [folder])
    return store


def test_decoded_records_are_shared_by_stores_of_one_file_and_only_theirs(
    tmp_path: Path,
) -> None:
    store = _import(tmp_path, "2.0", "2024-01-01T00:00:00Z")
    with VulnStore(store) as one, VulnStore(store) as two:
        (first,) = one.advisories("PyPI", "demo-pkg")
        assert two.advisories("PyPI", "DEMO.pkg") == [first]
        assert two.advisories("PyPI", "demo_pkg")[0] is first
        assert one.advisory("PYSEC-1") is first
    _import(tmp_path, "3.0", "2024-02-01T00:00:00Z")
    with VulnStore(store) as updated:
        (newer,) = updated.advisories("PyPI", "demo-pkg")
        assert newer.modified == "2024-02-01T00:00:00Z"
        assert newer.affected[0].ranges[0].events[1].version == "3.0"


def test_kev_and_epss_answers_without_a_table_row(small_store: Path) -> None:
    with VulnStore(small_store) as store:
        assert store.kev("CVE-2025-48384") is not None
        assert store.kev("CVE-2025-48384") == store.kev("CVE-2025-48384")
        assert store.kev("cve-2025-48384") is None
        assert store.epss("CVE-2025-48384") is None


def test_a_worker_started_with_the_dictionary_compresses_what_it_prepares() -> None:
    raw = [
        RawRecord(f"x:{i}", _record(f"PYSEC-{i}", "2.0", "2024-01-01T00:00:00Z")) for i in range(80)
    ]
    plain = prepare_chunk(raw)
    dictionary = codec.train_dictionary([p.body for p in plain if isinstance(p, Prepared)])
    assert dictionary is not None
    prepare._start_worker((7, dictionary))
    try:
        packed = prepare_chunk([*raw[:3], Rejected("x:bad", "not a .json entry")])
    finally:
        prepare._start_worker(None)
    assert isinstance(packed[3], Malformed) and packed[3].reason == "not a .json entry"
    active = codec.Codec(dictionary)
    for before, after in zip(plain[:3], packed[:3], strict=True):
        assert isinstance(before, Prepared) and isinstance(after, Prepared)
        assert before.dict_id is None and after.dict_id == 7
        assert active.decompress(after.body) == before.body
        assert after.body == active.compress(before.body)
    assert prepare_chunk(raw[:1]) == plain[:1]  # back to plain JSON once reset


def test_values_crossing_to_workers_pickle_unchanged() -> None:
    raw = RawRecord("PyPI/all.zip:A.json", _record("PYSEC-1", "2.0", "2024-01-01T00:00:00Z"))
    (prepared,) = prepare_chunk([raw])
    for value in (
        raw,
        Rejected("PyPI/all.zip:b", "entry name has control characters"),
        prepared,
        Malformed("PyPI/all.zip:c", None, "not JSON"),
        ZipMember("/data/PyPI/all.zip", "PyPI/all.zip:A.json", 4096, 8, 310, 1200, 0xDEADBEEF),
    ):
        assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own bytes


def _rows(store: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT id, dict_id, body FROM records ORDER BY id")
        return list(rows)


def test_a_store_built_by_workers_equals_one_built_in_process(
    vulndata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, batches and training sample so that ~1,400 real records
    # train the dictionary in-process, then go through a pool that compresses.
    monkeypatch.setattr(prepare, "CHUNK", 64)
    monkeypatch.setattr(prepare, "INLINE_CHUNKS", 6)
    monkeypatch.setattr(writer, "BATCH", 100)
    monkeypatch.setattr(codec, "TRAINING_SAMPLES", 300)
    inputs = [vulndata / "Debian:10" / "all.zip", vulndata / "Debian:11" / "all.zip"]
    built = {}
    for workers in (0, 2):
        store = tmp_path / f"w{workers}" / "seawall.db"
        with StoreWriter(store, fresh=True, workers=workers) as opened:
            for path in inputs:
                # Zip entries go on unread: with workers, they read them.
                opened.import_osv(path.parent.name, osv_items(path), full=True)
            assert (opened._preparer._pool is not None) == (workers > 0)
        built[workers] = store
    assert _rows(built[0]) == _rows(built[2])
    ids = {
        item.where.rsplit(":", 1)[1].removesuffix(".json")
        for path in inputs
        for item in read_osv(path)
    }
    with VulnStore(built[2]) as store:
        assert store.record_count() == len(ids) > 1000  # DSAs shared by both releases once
        sample = next(iter(read_osv(inputs[1])))
        assert isinstance(sample, RawRecord)
        expected = parse_record(sample.data, where=sample.where)
        assert store.advisory(expected.id) == expected
