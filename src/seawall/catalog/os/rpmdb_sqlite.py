"""Header blobs from rpm's sqlite database, `rpmdb.sqlite` (RHEL 9, Fedora 33+).

rpm's sqlite backend (lib/backend/sqlite.cc) keeps each header in
`Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`.

The file is opened from bytes with `sqlite3_deserialize`, never from the
image's path. rpm runs the database in WAL mode, and SQLite cannot read a
deserialized database whose header says WAL; since the main file holds
every checkpointed page, the header's read/write version bytes (offsets 18
and 19, "file format" in the SQLite file format spec §1.3) are set back to
the rollback-journal value 1 first. When the image also holds a non-empty
`-wal` file (rpm was interrupted before its checkpoint), the committed
transactions in it matter: both files are copied into a private temporary
directory, read there, and the directory is deleted.

The database is hostile: `Packages` must be a real table (a view could run
any query), and a progress handler bounds the work SQLite may do.
"""

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from seawall.catalog.os.rpmheader import RpmFormatError

SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_VERSION = 2
_LEGACY_VERSION = 1
_PROGRESS_EVERY = 1000
# SQLite virtual-machine steps allowed per byte of database: a plain table
# scan needs far fewer; a crafted schema cannot keep SQLite busy for long.
_STEPS_PER_BYTE = 4


def is_sqlite(data: bytes) -> bool:
    """Whether `data` starts like an SQLite 3 database."""
    return data.startswith(SQLITE_MAGIC)


def _budget(total_bytes: int) -> Callable[[], int]:
    remaining = [max(total_bytes * _STEPS_PER_BYTE // _PROGRESS_EVERY, 10_000)]

    def tick() -> int:
        remaining[0] -= 1
        return 1 if remaining[0] < 0 else 0  # nonzero interrupts the query

    return tick


def _read(connection: sqlite3.Connection, total_bytes: int) -> list[tuple[int, bytes]]:
    connection.set_progress_handler(_budget(total_bytes), _PROGRESS_EVERY)
    # Text in a hostile database need not be UTF-8: never decode it.
    connection.text_factory = bytes
    connection.execute("PRAGMA query_only = ON")
    connection.execute("PRAGMA trusted_schema = OFF")
    kinds = connection.execute("SELECT type FROM sqlite_master WHERE name = 'Packages'").fetchall()
    if kinds != [(b"table",)]:
        raise RpmFormatError("database has no Packages table")
    rows: list[tuple[int, bytes]] = []
    for hnum, blob in connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum"):
        if not isinstance(hnum, int) or not isinstance(blob, bytes):
            raise RpmFormatError(f"Packages row {hnum!r} is not (integer, blob)")
        rows.append((hnum, blob))
    return rows


def read_sqlite_headers(data: bytes, wal: bytes | None = None) -> list[tuple[int, bytes]]:
    """(hnum, header blob) of every row of `Packages`, in hnum order."""
    if len(data) < 100 or not is_sqlite(data):
        raise RpmFormatError("not an SQLite 3 database (bad header)")
    total = len(data) + len(wal or b"")
    try:
        if wal:
            return _read_with_wal(data, wal, total)
        image = bytearray(data)
        if image[18] == _WAL_VERSION and image[19] == _WAL_VERSION:
            image[18] = image[19] = _LEGACY_VERSION
        connection = sqlite3.connect(":memory:")
        try:
            connection.deserialize(bytes(image))
            return _read(connection, total)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise RpmFormatError(f"SQLite cannot read the database: {error}") from None
    except UnicodeDecodeError:
        # SQLite's error message quoted bytes of the damaged schema that are not UTF-8.
        raise RpmFormatError("SQLite cannot read the database: malformed schema") from None


def _read_with_wal(data: bytes, wal: bytes, total: int) -> list[tuple[int, bytes]]:
    with tempfile.TemporaryDirectory(prefix="seawall-rpmdb-") as private:
        database = Path(private) / "rpmdb.sqlite"
        database.write_bytes(data)
        (Path(private) / "rpmdb.sqlite-wal").write_bytes(wal)
        connection = sqlite3.connect(database)
        try:
            return _read(connection, total)
        finally:
            connection.close()
