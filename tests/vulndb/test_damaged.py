"""A store file damaged after it was written: scans and imports stop with one clear error.

The store is the real crates.io export imported by the writer; each case damages
a copy of it the way a bad disk, a copy cut short or an edit by other means
would, then matches real packages against it or imports into it.
"""

import sqlite3
from pathlib import Path

import orjson
import pytest

from seawall.errors import InputError
from seawall.match import match_inventory
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from seawall.vulndb.damage import DamagedStoreError, is_damage
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from tests.match.support import load_zip, package

# Bytes that start a zstd frame, then junk.
ZSTD_JUNK = b"\x28\xb5\x2f\xfd" + bytes(range(7, 200))
# Not UTF-8, with a terminal escape sequence among it: never to be printed.
NOT_UTF8 = b"CVE-\xff\xfe\x1b[31m\x1b]0;title\x07"


@pytest.fixture(scope="module")
def crates_store(vulndata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("crates") / "seawall.db"
    import_paths(store, [vulndata / "crates.io" / "all.zip"])
    return store


@pytest.fixture(scope="module")
def crates() -> Inventory:
    """Packages at versions the real records name, so that most of them match."""
    packages = []
    for advisory in load_zip("crates.io")[:100]:
        entry = advisory.affected[0]
        named = [e.version for r in entry.ranges for e in r.events if e.version != "0"]
        packages.append(package(Ecosystem.CRATES_IO, entry.name, named[0] if named else "0.1.0"))
    return Inventory(tuple(packages))


def _damaged(source: Path, target: Path, statement: str, *parameters: object) -> Path:
    target.write_bytes(source.read_bytes())
    with sqlite3.connect(target) as db:
        assert db.execute(statement, parameters).rowcount > 0
    return target


def _assert_clear(error: InputError, store: Path) -> None:
    message = str(error)
    assert message.startswith(f"{store}: vulnerability database is damaged (")
    assert "seawall db import --fresh" in message
    assert message.isprintable() and "\x1b" not in message and "\ufffd" not in message
    assert len(message) < len(str(store)) + 400


DAMAGES: dict[str, tuple[str, tuple[object, ...], str]] = {
    "body not zstd": ("UPDATE records SET body = ?", (b"\x00junk" * 20,), "ZstdError"),
    "body a zstd frame of junk": ("UPDATE records SET body = ?", (ZSTD_JUNK,), "ZstdError"),
    "body text, not bytes": ("UPDATE records SET body = 'hello'", (), "TypeError"),
    "body text, not UTF-8": (
        "UPDATE records SET body = CAST(? AS TEXT)",
        (NOT_UTF8,),
        "OperationalError: Could not decode to UTF-8 column 'body'",
    ),
    "index data not JSON": ("UPDATE affected SET data = ?", (b"[[1,2",), "JSONDecodeError"),
    "index data of another shape": (
        "UPDATE affected SET data = ?",
        (b'[["x",{},3]]',),
        "TypeError",
    ),
    "index data text, not UTF-8": (
        "UPDATE affected SET data = CAST(? AS TEXT)",
        (NOT_UTF8,),
        "OperationalError",
    ),
    "dictionary replaced": (
        "UPDATE dictionaries SET data = ?",
        (bytes(range(256)) * 64,),
        "ZstdError: decompression error: Dictionary mismatch",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_matching_a_damaged_store_names_the_file_and_the_problem(
    crates_store: Path, crates: Inventory, tmp_path: Path, damage: str
) -> None:
    statement, parameters, problem = DAMAGES[damage]
    store = _damaged(crates_store, tmp_path / "seawall.db", statement, *parameters)
    with VulnStore(store) as opened, pytest.raises(DamagedStoreError) as raised:
        match_inventory(crates, opened, key)
    _assert_clear(raised.value, store)
    assert problem in raised.value.problem


def test_the_undamaged_copy_matches(crates_store: Path, crates: Inventory) -> None:
    # The cases above fail for their damage, not for the inventory or the store.
    with VulnStore(crates_store) as opened:
        assert len(match_inventory(crates, opened, key).findings) > 50


def test_a_damaged_kev_row_is_named_when_read(crates_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    store.write_bytes(crates_store.read_bytes())
    with sqlite3.connect(store) as db:
        db.execute(
            "INSERT INTO kev (cve, vendor, product, name, date_added, due_date, "
            "required_action, known_ransomware_use) VALUES ('CVE-2024-0001', CAST(? AS TEXT), "
            "'p', 'n', '2024-01-01', '2024-02-01', 'a', 'Unknown')",
            (NOT_UTF8,),
        )
    with VulnStore(store) as opened, pytest.raises(DamagedStoreError) as raised:
        opened.kev_of(["CVE-2024-0001"])
    _assert_clear(raised.value, store)


def test_a_file_with_pages_overwritten_is_refused_not_misread(
    crates_store: Path, crates: Inventory, tmp_path: Path
) -> None:
    # Every other page after the first (which holds the schema) overwritten, as a
    # bad disk would: SQLite finds it malformed wherever it reads.
    store = tmp_path / "seawall.db"
    data = bytearray(crates_store.read_bytes())
    page = 8192
    for start in range(page, len(data), 2 * page):
        data[start : start + page] = b"\xff" * page
    store.write_bytes(bytes(data))
    # Opening may find it (the store's own rows are read), or reading a package's rows.
    with pytest.raises(InputError) as raised, VulnStore(store) as opened:
        match_inventory(crates, opened, key)
    message = str(raised.value)
    assert message.startswith(f"{store}: ") and message.isprintable()
    assert "malformed" in message


def test_importing_into_a_damaged_store_leaves_it_as_it_was(
    crates_store: Path, vulndata: Path, tmp_path: Path
) -> None:
    store = _damaged(
        crates_store, tmp_path / "seawall.db", "UPDATE records SET body = ?", ZSTD_JUNK
    )
    before = store.read_bytes()
    with pytest.raises(DamagedStoreError) as raised:
        import_paths(store, [vulndata / "crates.io" / "all.zip"])
    _assert_clear(raised.value, store)
    assert store.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["seawall.db", "seawall.db.lock"]
    # What the message says to do works: a fresh import gives a good store.
    import_paths(store, [vulndata / "crates.io" / "all.zip"], fresh=True)
    first = load_zip("crates.io")[0].id
    with VulnStore(store) as opened:
        assert [summary.id for summary in opened.summaries([first])] == [first]


def test_a_damaged_generation_is_named_when_an_update_stamps(
    crates_store: Path, tmp_path: Path
) -> None:
    store = _damaged(
        crates_store,
        tmp_path / "seawall.db",
        "UPDATE meta SET value = 'x' WHERE key = 'generation'",
    )
    before = store.read_bytes()
    # A record new to the store: its package is stamped with the next generation.
    record = tmp_path / "new" / "NEW-1.json"
    record.parent.mkdir()
    record.write_bytes(
        orjson.dumps(
            {
                "id": "NEW-1",
                "modified": "2026-01-01T00:00:00Z",
                "affected": [
                    {
                        "package": {"ecosystem": "crates.io", "name": "new-crate"},
                        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
                    }
                ],
            }
        )
    )
    with pytest.raises(DamagedStoreError) as raised:
        import_paths(store, [record])
    _assert_clear(raised.value, store)
    assert "ValueError" in raised.value.problem
    assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE sources SET records = 'many'", "TypeError: a count column holds str 'many'"),
        ("UPDATE sources SET imported_at = 'yesterday'", "ValueError"),
        ("UPDATE sources SET name = x'00ff'", "TypeError: a text column holds bytes"),
    ],
)
def test_damaged_source_rows_are_named_when_the_status_is_read(
    crates_store: Path, tmp_path: Path, statement: str, problem: str
) -> None:
    store = _damaged(crates_store, tmp_path / "seawall.db", statement)
    with VulnStore(store) as opened, pytest.raises(DamagedStoreError) as raised:
        opened.info()
    _assert_clear(raised.value, store)
    assert raised.value.problem.startswith(problem)


def test_only_errors_that_say_the_file_is_damaged_count_as_damage(
    crates_store: Path, tmp_path: Path
) -> None:
    def raised(path: Path, statement: str, uri: str = "") -> sqlite3.Error:
        with pytest.raises(sqlite3.Error) as caught:
            connection = sqlite3.connect(f"file:{path}{uri}", uri=True)
            try:
                connection.execute(statement).fetchall()
            finally:
                connection.close()
        return caught.value

    # A write refused (as a full disk or a lock would be): the store is fine.
    read_only = raised(crates_store, "DELETE FROM records", "?mode=ro")
    assert read_only.sqlite_errorname == "SQLITE_READONLY"
    assert not is_damage(read_only)
    not_a_store = tmp_path / "junk.db"
    not_a_store.write_bytes(b"junk" * 4096)
    assert is_damage(raised(not_a_store, "SELECT * FROM sqlite_master"))
    text = _damaged(
        crates_store, tmp_path / "text.db", "UPDATE meta SET value = CAST(? AS TEXT)", NOT_UTF8
    )
    assert is_damage(raised(text, "SELECT value FROM meta"))
