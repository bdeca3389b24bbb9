"""Match results kept beside a store file, for the next process matching against the same data.

A matcher works out the findings of each (ecosystem, name, version) it meets
from the store's records; a new process has to do all of that again, for
every scan. `ResultsCache` keeps what matchers worked out in a small SQLite
file next to the store (`seawall.db.results`), as opaque bytes by key (the
matcher decides both: seawall.match.persist), so a later scan of the same or
a similar inventory reads them instead.

Which results a file may hold is the store's to say, by a token the file
records (results kept under another token are never returned, and the first
write under a new token empties the file):

- a store with a lineage (seawall.vulndb.schema) gives its lineage: results
  stay valid across its updates, because the matcher keys each by the stamp
  of the package it is for, which every write that changes one of the
  package's records moves on (seawall.match.persist); a new store, a fresh
  import or an installed bundle (`forget`) starts with none;
- a store without one gives its snapshot (device, inode, size, modification
  time, `updated` stamp) and the file's identity: results hold for that one
  version of the data, and none are kept once the file was replaced.

It is a cache and never more: a file that cannot be created or read (a
read-only directory, another process writing, a damaged file) means no
results are kept or found, never a failed scan. It is bounded
(`MAX_RESULTS` entries, `MAX_BYTES` in all, `MAX_RESULT_BYTES` each; the
oldest entries go first) and holds only what the matcher wrote, which the
matcher checks again when it reads it.
"""

import json
import logging
import sqlite3
import threading
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".results"
"""The file beside the store: `seawall.db` keeps its results in `seawall.db.results`."""
MAX_RESULTS = 100_000
MAX_BYTES = 128 * 1024 * 1024
MAX_RESULT_BYTES = 4 * 1024 * 1024
"""A larger result (thousands of findings for one package) is not kept."""
APPLICATION_ID = 0x5357_5243
"""`PRAGMA application_id` ("SWRC"): a file by this name that is not one is never used."""
_TIMEOUT = 0.05
"""Seconds to wait for another process's write: a scan never waits longer for a cache."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results (
    key TEXT NOT NULL UNIQUE,
    value BLOB NOT NULL
);
"""

_FOUND = "SELECT r.key, r.value FROM json_each(?) AS j CROSS JOIN results AS r ON r.key = j.value"


def path_for(store: Path) -> Path:
    """Where the results of `store` are kept."""
    return store.with_name(store.name + SUFFIX)


def forget(store: Path) -> None:
    """Delete the results kept for `store` (it begins a new lineage, or has none)."""
    try:
        path_for(store).unlink(missing_ok=True)
    except OSError as error:
        # A results file that cannot be deleted is stale, and readers know it by
        # its token; the next write of results for the new data empties it.
        log.warning("cannot delete %s: %s", path_for(store), error.strerror)


class ResultsCache:
    """The results kept for one store under one token. Opened on first use."""

    def __init__(
        self, store: Path, token: str, identity: tuple[Hashable, ...] | None = None
    ) -> None:
        """`identity`: the store file's (device, inode, size, modification time) when the
        results hold for that file only; nothing is kept once it is another."""
        self.store = store
        self.path = path_for(store)
        self.token = token
        self._identity = identity
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def found(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The kept results of those of `keys` that have one."""
        with self._lock:
            return self._found(keys)

    def keep(self, values: Mapping[str, bytes]) -> None:
        """Keep these results (in place of any kept under the same keys), within the bounds.

        With an identity, nothing is kept once the store's path names another file
        (an update replaced it): these results are of the data it had.
        """
        with self._lock:
            if self._identity is None or _identity(self.store) == self._identity:
                self._keep(values)

    def _found(self, keys: Sequence[str]) -> dict[str, bytes]:
        db = self._open() if keys else None
        if db is None:
            return {}
        found: dict[str, bytes] = {}
        try:
            if self._token(db) != self.token:
                return {}
            # Every key in one statement, as one JSON array (no limit on SQL variables).
            for key, value in db.execute(_FOUND, (json.dumps(list(keys)),)):
                if type(value) is bytes:
                    found[key] = value
        except sqlite3.Error as error:
            self._failed("read", error)
            return {}
        return found

    def _keep(self, values: Mapping[str, bytes]) -> None:
        kept = {key: value for key, value in values.items() if len(value) <= MAX_RESULT_BYTES}
        db = self._open() if kept else None
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if self._token(db) != self.token:
                    db.execute("DELETE FROM results")
                    db.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('token', ?)",
                        (self.token,),
                    )
                db.executemany(
                    "INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", kept.items()
                )
                _trim(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self._failed("write", error)

    def _failed(self, doing: str, error: sqlite3.Error) -> None:
        # Busy (another process writing): skip this time. Anything else: give up on it.
        log.debug("results cache %s: cannot %s: %s", self.path, doing, error)
        if "locked" not in str(error):
            self._broken = True
            self._close()

    def _open(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            db = sqlite3.connect(
                self.path, timeout=_TIMEOUT, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            log.debug("results cache %s: cannot open: %s", self.path, error)
            self._broken = True
            return None
        try:
            # A cache, rebuilt when lost: never worth waiting for the disk (a new
            # file's creation included).
            db.execute("PRAGMA synchronous = OFF")
            (application_id,) = db.execute("PRAGMA application_id").fetchone()
            if application_id != APPLICATION_ID:
                (tables,) = db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                if application_id != 0 or tables:
                    raise sqlite3.DatabaseError("not a seawall results file")
                # A new file (or one another process is creating: the same statements),
                # in one transaction.
                db.executescript(
                    f"BEGIN IMMEDIATE; PRAGMA application_id = {APPLICATION_ID};"
                    + _SCHEMA
                    + "COMMIT;"
                )
        except sqlite3.Error as error:
            log.debug("results cache %s: not usable: %s", self.path, error)
            db.close()
            # Another process creating it at the same moment: try again next time.
            self._broken = "locked" not in str(error)
            return None
        self._db = db
        return db

    @staticmethod
    def _token(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = 'token'").fetchone()
        return None if row is None else str(row[0])


def _identity(path: Path) -> tuple[int, ...] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _trim(db: sqlite3.Connection) -> None:
    """Drop the oldest results until the file is within MAX_RESULTS and MAX_BYTES."""
    count, size = db.execute("SELECT count(*), total(length(value)) FROM results").fetchone()
    if count <= MAX_RESULTS and size <= MAX_BYTES:
        return
    dropped = 0
    for rowid, length in db.execute("SELECT rowid, length(value) FROM results ORDER BY rowid"):
        if count - dropped <= MAX_RESULTS and size <= MAX_BYTES:
            break
        dropped += 1
        size -= length
        last = rowid
    if dropped:
        db.execute("DELETE FROM results WHERE rowid <= ?", (last,))
