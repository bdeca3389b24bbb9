"""Stamps on real data: an export imported again as it is changes nothing; a changed record moves
exactly the packages it names, before and after the change (seawall.vulndb.writer)."""

import sqlite3
from pathlib import Path

import orjson

from seawall.vulndb.importer import import_paths
from seawall.vulndb.names import normalize_name
from seawall.vulndb.store import VulnStore
from tests.vulndb.conftest import write_zip, zip_entries


def _generation(store: Path) -> int:
    with sqlite3.connect(store) as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(value)


def test_a_real_export_imported_again_stamps_nothing_and_a_change_stamps_its_packages(
    vulndata: Path, tmp_path: Path
) -> None:
    export = vulndata / "crates.io" / "all.zip"
    store = tmp_path / "seawall.db"
    import_paths(store, [export])
    with sqlite3.connect(store) as db:
        # Enough records for a trained dictionary: bodies compared as the workers made them.
        assert db.execute("SELECT count(*) FROM dictionaries").fetchone() == (1,)
    import_paths(store, [export])
    assert _generation(store) == 0
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM stamps").fetchone() == (0,)

    entries = zip_entries(export)
    name, data = sorted(entries.items())[0]
    record = orjson.loads(data)
    before = {item["package"]["name"] for item in record["affected"]}
    record["affected"][0]["package"]["name"] = "renamed-crate"
    changed = {**entries, name: orjson.dumps(record)}
    moved = tmp_path / "crates.io" / "all.zip"
    moved.parent.mkdir()
    write_zip(moved, changed)
    import_paths(store, [moved])
    assert _generation(store) == 1
    with sqlite3.connect(store) as db:
        stamped = set(db.execute("SELECT ecosystem, name FROM stamps WHERE stamp = 1"))
    assert stamped == {
        ("crates.io", normalize_name("crates.io", package))
        for package in (*before, "renamed-crate")
    }
    with VulnStore(store) as opened:
        assert opened.stamps_of([("crates.io", "renamed-crate")]) == [1]
