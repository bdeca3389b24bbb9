"""Results kept beside a store: under its token, bounded, gone with a new lineage, never fatal."""

import sqlite3
from pathlib import Path

import orjson
import pytest

from seawall.vulndb import results
from seawall.vulndb.importer import import_paths
from seawall.vulndb.results import ResultsCache
from seawall.vulndb.store import VulnStore
from tests.vulndb.conftest import write_zip


def _store(tmp_path: Path, fixed: str = "2.0", modified: str = "2024-01-01T00:00:00Z") -> Path:
    record = {
        "id": "PYSEC-1",
        "modified": modified,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }
    store = tmp_path / "seawall.db"
    zipped = write_zip(tmp_path / f"feed-{fixed}.zip", {"PYSEC-1.json": orjson.dumps(record)})
    import_paths(store, [zipped])
    return store


def _cache(store: Path) -> ResultsCache:
    with VulnStore(store) as opened:
        cache = opened.results_cache()
    assert cache is not None
    return cache


def test_results_are_kept_for_the_next_process_of_the_same_snapshot(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with VulnStore(store) as first:
        kept = first.results_cache()
        assert kept is not None
        assert kept.found(["a", "b"]) == {}
        kept.keep({"a": b"one", "b": b"two"})
    assert results.path_for(store).is_file()
    with VulnStore(store) as later:
        again = later.results_cache()
        assert again is not None
        assert again.found(["b", "a", "c"]) == {"a": b"one", "b": b"two"}
        again.keep({"a": b"three"})
        assert again.found(["a"]) == {"a": b"three"}


def test_an_update_keeps_the_results_and_a_new_lineage_deletes_them(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _cache(store).keep({"a": b"one"})
    # Which results an update left valid, the stamps in their keys say (seawall.match.persist).
    _store(tmp_path, fixed="3.0", modified="2024-02-01T00:00:00Z")
    assert _cache(store).found(["a"]) == {"a": b"one"}
    zipped = write_zip(tmp_path / "again.zip", {"PYSEC-1.json": b'{"id": "PYSEC-1"}'})
    import_paths(store, [zipped], fresh=True)
    assert not results.path_for(store).exists()
    assert _cache(store).found(["a"]) == {}


def test_results_under_another_token_are_never_found_and_are_replaced(tmp_path: Path) -> None:
    store = _store(tmp_path)
    ResultsCache(store, "lineage a").keep({"a": b"now"})
    other = ResultsCache(store, "lineage b")
    assert other.found(["a"]) == {}
    # The first write under another token empties the file.
    other.keep({"b": b"other"})
    assert other.found(["a", "b"]) == {"b": b"other"}
    assert ResultsCache(store, "lineage a").found(["a", "b"]) == {}


def test_results_bound_to_a_replaced_store_file_are_not_kept(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with VulnStore(store) as opened:
        snapshot = opened.snapshot
    assert type(snapshot) is tuple
    bound = ResultsCache(store, repr(snapshot), snapshot[:4])
    free = ResultsCache(store, repr(snapshot))
    _store(tmp_path, fixed="3.0", modified="2024-02-01T00:00:00Z")
    bound.keep({"a": b"of the old data"})
    assert free.found(["a"]) == {}
    free.keep({"b": b"kept"})
    assert free.found(["a", "b"]) == {"b": b"kept"}


def test_results_are_bounded_the_oldest_going_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    monkeypatch.setattr(results, "MAX_RESULTS", 3)
    monkeypatch.setattr(results, "MAX_BYTES", 7)
    monkeypatch.setattr(results, "MAX_RESULT_BYTES", 6)
    cache = _cache(store)
    cache.keep({"a": b"1", "b": b"2", "c": b"3"})
    cache.keep({"d": b"4"})
    assert sorted(cache.found(["a", "b", "c", "d"])) == ["b", "c", "d"]
    # Four results are one too many, and then nine bytes two too many; f is too
    # large to keep at all.
    cache.keep({"e": b"123456", "f": b"1234567"})
    assert sorted(cache.found(["b", "c", "d", "e", "f"])) == ["d", "e"]


def test_a_results_file_that_cannot_be_used_never_fails_a_scan(tmp_path: Path) -> None:
    store = _store(tmp_path)
    path = results.path_for(store)
    # Not an SQLite file: left as it is.
    path.write_bytes(b"garbage " * 100)
    cache = _cache(store)
    cache.keep({"a": b"1"})
    assert cache.found(["a"]) == {}
    assert path.read_bytes() == b"garbage " * 100
    # An SQLite file of something else: left as it is too.
    path.unlink()
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE mine (x)")
    foreign = path.read_bytes()
    cache = _cache(store)
    cache.keep({"a": b"1"})
    assert cache.found(["a"]) == {}
    assert path.read_bytes() == foreign


def test_a_results_file_that_cannot_be_created_never_fails_a_scan(tmp_path: Path) -> None:
    # As in a read-only directory (which root could still write to): SQLite
    # cannot open the file.
    store = _store(tmp_path)
    results.path_for(store).mkdir()
    cache = _cache(store)
    cache.keep({"a": b"1"})
    assert cache.found(["a"]) == {}
    assert not any(results.path_for(store).iterdir())


def test_a_read_only_results_file_is_read_but_not_written(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _cache(store).keep({"a": b"1"})
    path = results.path_for(store)
    path.chmod(0o444)
    try:
        cache = _cache(store)
        assert cache.found(["a"]) == {"a": b"1"}
        cache.keep({"b": b"2"})  # refused by SQLite (unless run as root): no error either way
    finally:
        path.chmod(0o644)


def test_many_keys_are_found_at_once_with_missing_and_repeated_ones(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = _cache(store)
    # More keys than SQLite's 999 variables; keys with quotes, colons and non-ASCII.
    kept = {
        f'prefix:["PyPI", "pkg-{number}", "1.0-\u00e9"]': b"%d" % number for number in range(1500)
    }
    cache.keep(kept)
    asked = [*reversed(kept), "missing", *list(kept)[:3]]
    assert cache.found(asked) == kept
    assert cache.found(["missing"]) == {}
    assert cache.found([]) == {}
