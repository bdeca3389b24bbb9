"""Building a new store file and putting it in place atomically.

A `StoreWriter` copies the current store (if any) into a new file next to it,
applies imports to the copy, and on `commit()` renames the copy over the store
(DESIGN.md §3: a failed or killed update never leaves a broken store). Until
that rename the old file is untouched, so the build may run SQLite with no
journal and no syncs; the finished file is synced before the rename. One
writer at a time holds `<store>.lock`.

A store written by an older seawall (`schema.UPGRADABLE`) is upgraded in the
copy, so `db update` and `db import` bring it to the current schema; readers
refuse it until then (seawall.vulndb.store.check_store).

Every commit that changes records moves the store's generation on and stamps
every package a changed record names, before or after the change, with it
(seawall.vulndb.schema, `stamps`): results kept for other packages stay
valid (seawall.vulndb.results). A record imported again as it is stored
(same `modified`, body and index rows, as a full export mostly is) is not
written again and changes nothing.
"""

import fcntl
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from seawall.errors import InputError
from seawall.model.advisory import EpssScore, KevEntry
from seawall.vulndb import codec, cvss, results, schema
from seawall.vulndb.damage import damage_named
from seawall.vulndb.index import IndexCodec
from seawall.vulndb.names import stamped_ecosystem
from seawall.vulndb.prepare import Malformed, Prepared, Preparer
from seawall.vulndb.reader import Item
from seawall.vulndb.store import check_store, connect_read_only, stored_schema_version
from seawall.vulndb.timestamps import instant, now_rfc3339, sort_key

log = logging.getLogger(__name__)

OSV_EXPORT_KIND = "osv-export"
"""Kind of a source that is a whole OSV ecosystem export (the ones `db update` refreshes)."""
OSV_LOCAL_KIND = "osv"
"""Kind of a source of records imported from local files."""
BATCH = 2000
MAX_SCORED = 50_000
"""Distinct CVSS vectors one writer scores (0.05 to 0.7 ms each). Real data repeats a
few thousand base vectors (the real data here: 164 in 25,000 records), so only a
hostile feed comes near. Vectors past it are left to readers, which score a vector
the table lacks (seawall.vulndb.store)."""
MAX_REPORTED_PROBLEMS = 1000
"""Malformed records listed by reason in a report; all of them are counted."""


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one import did to one source."""

    source: str
    records: int
    """Records the source holds after the import."""
    imported: int
    """Well-formed records read in this import."""
    withdrawn: int
    removed: int
    """Records dropped because a full import no longer had them."""
    malformed_count: int
    malformed: tuple[Malformed, ...] = ()
    """The first MAX_REPORTED_PROBLEMS of them."""
    data_as_of: str | None = None


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between updates."""

    name: str
    kind: str
    records: int
    imported_at: str
    data_as_of: str | None
    origin: str | None
    etag: str | None
    last_modified: str | None
    cursor: str | None


@dataclass(slots=True)
class _Pending:
    source: str
    generation: int
    record: Prepared


@dataclass(frozen=True, slots=True)
class _Stored:
    """What replacing or dropping a stored record needs to know of it."""

    modified: str
    keys: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]
    body: bytes
    """The body decompressed: canonical JSON (seawall.vulndb.codec)."""


@dataclass(slots=True)
class _Tally:
    imported: int = 0
    withdrawn: int = 0
    malformed_count: int = 0
    malformed: list[Malformed] = field(default_factory=list)
    newest: str | None = None
    newest_key: str = ""


class StoreWriter:
    """A new version of the store at `target`, built beside it and swapped in on commit."""

    def __init__(self, target: Path, *, fresh: bool = False, workers: int | None = None) -> None:
        """`workers`: processes that validate records (None: `prepare.default_workers()`)."""
        self.target = target
        self._preparer = Preparer(workers)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(target)
        self._path = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
        self._committed = False
        self._changed: set[tuple[str, str]] = set()
        """(stamped ecosystem, normalised name) of every package a changed record names."""
        try:
            self._db, self._new_lineage = self._open_copy(fresh)
        except BaseException:
            self._release()
            raise
        self._pending: list[_Pending] = []
        self._scored: set[tuple[str, bool]] | None = None
        """Vectors the `cvss` table holds (read when first needed)."""
        self._scored_here = 0
        self._codec: codec.Codec | None = None
        self._dict_id = 0
        self._codecs: dict[int, codec.Codec] = {}
        """Every dictionary's codec, for reading stored bodies."""
        self._load_dictionary()

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> "StoreWriter":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None and not self._committed:
            self.commit()
        elif not self._committed:
            self.abort()

    def commit(self) -> None:
        """Finish the new file and rename it over the store."""
        self._flush(final=True)
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('updated', ?)", (now_rfc3339(),)
        )
        self._stamp()
        self._db.commit()
        self._db.execute("PRAGMA optimize")
        self._db.close()
        with open(self._path, "rb") as stream:
            os.fsync(stream.fileno())
        self._path.replace(self.target)
        _sync_directory(self.target.parent)
        if self._new_lineage:
            results.forget(self.target)
        self._committed = True
        self._release()

    def _stamp(self) -> None:
        """Stamp every package a changed record names with the next generation (none in a
        new lineage: `_changes` notes nothing, all its packages being unchanged since)."""
        if not self._changed:
            return
        with damage_named(self.target):
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row[0]) + 1
        self._db.executemany(
            "INSERT INTO stamps (ecosystem, name, stamp) VALUES (?, ?, ?) "
            "ON CONFLICT (ecosystem, name) DO UPDATE SET stamp = excluded.stamp",
            [(ecosystem, name, generation) for ecosystem, name in sorted(self._changed)],
        )
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))

    def abort(self) -> None:
        """Drop the new file; the store stays as it was."""
        try:
            self._db.close()
        finally:
            self._path.unlink(missing_ok=True)
            self._release()

    def _release(self) -> None:
        self._preparer.close()
        self._lock.close()

    def _open_copy(self, fresh: bool) -> tuple[sqlite3.Connection, bool]:
        """The new file's connection, and whether it begins a new lineage."""
        db = sqlite3.connect(self._path, isolation_level=None)
        new_lineage = True
        try:
            # Safe without a journal: this file is renamed into place only once complete.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -65536")
            db.execute("PRAGMA temp_store = MEMORY")
            if self.target.exists() and not fresh:
                with damage_named(self.target):
                    new_lineage = self._copy_current(db)
            else:
                db.execute("PRAGMA page_size = 8192")
                schema.create(db, now_rfc3339())
            db.execute("BEGIN")
        except BaseException:
            db.close()
            self._path.unlink(missing_ok=True)
            raise
        return db, new_lineage

    def _copy_current(self, db: sqlite3.Connection) -> bool:
        """Copy the store into `db`, upgraded to this schema; True when it has no lineage yet."""
        with closing(connect_read_only(self.target)) as current:
            version = stored_schema_version(current, self.target)
            if version not in schema.UPGRADABLE:
                check_store(current, self.target)
            current.backup(db)
        if version in schema.UPGRADABLE:
            db.execute("BEGIN")
            _upgrade(db, version)
            db.execute("COMMIT")
            if version == 1:
                # The old tables' pages would stay in the file, empty.
                db.execute("VACUUM")
        new_lineage = _lineage(db) is None
        schema.add_stamps(db)
        return new_lineage

    def _load_dictionary(self) -> None:
        with damage_named(self.target):
            row = self._db.execute(
                "SELECT id, data FROM dictionaries ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row is not None:
            self._dict_id = row[0]
            self._codec = codec.Codec(row[1])
            self._preparer.use_dictionary(row[0], row[1])

    # -- OSV records ------------------------------------------------------

    def import_osv(
        self,
        source: str,
        items: Iterable[Item],
        *,
        full: bool,
        origin: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        cursor: str | None = None,
    ) -> SourceReport:
        """Add records to `source`; with `full`, the source becomes exactly these records."""
        previous = self.source(source)
        generation = self._next_generation(source)
        tally = _Tally()
        for record in self._preparer.prepared(items):
            if isinstance(record, Malformed):
                _note(tally, record)
                continue
            tally.imported += 1
            if record.withdrawn:
                tally.withdrawn += 1
            if record.newest_key > tally.newest_key:
                # A source's "data as of" is the newest date it holds. `published`
                # counts too: some databases (Go's) write a placeholder `modified`.
                tally.newest_key, tally.newest = record.newest_key, record.newest
            self._pending.append(_Pending(source, generation, record))
            if len(self._pending) >= BATCH and (
                self._codec is not None or len(self._pending) >= codec.TRAINING_SAMPLES
            ):
                self._flush(final=False)
        self._flush(final=True)
        removed = self._drop_unseen(source, generation) if full else 0
        records = self._count(source)
        data_as_of = tally.newest
        if (
            not full
            and previous
            and previous.data_as_of
            and (data_as_of is None or instant(previous.data_as_of) > instant(data_as_of))
        ):
            data_as_of = previous.data_as_of
        kind = OSV_EXPORT_KIND if full else (previous.kind if previous else OSV_LOCAL_KIND)
        self._save_source(
            source,
            kind,
            records=records,
            data_as_of=data_as_of,
            origin=origin,
            etag=etag,
            last_modified=last_modified,
            cursor=cursor,
            generation=generation,
        )
        return SourceReport(
            source=source,
            records=records,
            imported=tally.imported,
            withdrawn=tally.withdrawn,
            removed=removed,
            malformed_count=tally.malformed_count,
            malformed=tuple(tally.malformed),
            data_as_of=data_as_of,
        )

    def _flush(self, *, final: bool) -> None:
        if not self._pending:
            return
        if self._codec is None:
            samples: list[bytes | bytearray | memoryview] = [p.record.body for p in self._pending]
            trained = codec.train_dictionary(samples)
            if trained is not None:
                cursor = self._db.execute("INSERT INTO dictionaries (data) VALUES (?)", (trained,))
                self._dict_id = cursor.lastrowid or 0
                self._codec = codec.Codec(trained)
                self._preparer.use_dictionary(self._dict_id, trained)
            elif not final:
                return
        pending, self._pending = self._pending, []
        active = self._codec or codec.Codec(None)
        dict_id = self._dict_id if self._codec is not None else 0
        for start in range(0, len(pending), BATCH):
            self._write_batch(pending[start : start + BATCH], active, dict_id)

    def _write_batch(self, batch: list[_Pending], active: codec.Codec, dict_id: int) -> None:
        # Within a batch the newest version of an id wins (ties: the later one).
        newest: dict[str, Prepared] = {}
        for item in batch:
            record = item.record
            seen = newest.get(record.id)
            if seen is None or record.modified_key >= seen.modified_key:
                newest[record.id] = record
        existing = self._existing(list(newest))
        record_rows = []
        affected_rows: list[tuple[str, str, str, int, bytes]] = []
        alias_rows: list[tuple[str, str]] = []
        vectors: set[tuple[str, bool]] = set()
        for record_id, record in newest.items():
            old = existing.get(record_id)
            if old is not None:
                if sort_key(old.modified) > record.modified_key:
                    continue  # the store already has a newer version of this record
                if self._unchanged(record, old):
                    continue
                self._unindex(record_id, old)
            self._changes(old, record)
            # Workers compress with the store's dictionary once they have it (the
            # writer never changes its dictionary); the rest is compressed here.
            body = (
                record.body
                if record.dict_id is not None and record.dict_id == dict_id
                else active.compress(record.body)
            )
            record_rows.append((record_id, dict_id, body))
            withdrawn = int(record.withdrawn is not None)
            affected_rows.extend(
                (eco, name, record_id, withdrawn, data) for eco, name, data in record.index
            )
            alias_rows.extend((alias, record_id) for alias in record.aliases)
            vectors.update(record.vectors)
        db = self._db
        if vectors:
            self._score(vectors)
        db.executemany(
            "INSERT OR REPLACE INTO records (id, dict_id, body) VALUES (?, ?, ?)", record_rows
        )
        db.executemany(
            "INSERT OR REPLACE INTO affected (ecosystem, name, id, withdrawn, data) "
            "VALUES (?, ?, ?, ?, ?)",
            affected_rows,
        )
        db.executemany("INSERT OR IGNORE INTO aliases (alias, id) VALUES (?, ?)", alias_rows)
        db.executemany(
            "INSERT INTO record_sources (source, id, generation) VALUES (?, ?, ?) "
            "ON CONFLICT (source, id) DO UPDATE SET generation = excluded.generation",
            [(item.source, item.record.id, item.generation) for item in batch],
        )

    def _score(self, vectors: set[tuple[str, bool]]) -> None:
        """Add the vectors the `cvss` table lacks, scored (at most MAX_SCORED per writer)."""
        if self._scored is None:
            with damage_named(self.target):
                rows = self._db.execute("SELECT vector, v2 FROM cvss").fetchall()
            self._scored = {(vector, bool(v2)) for vector, v2 in rows}
        new = sorted(vectors - self._scored)[: max(0, MAX_SCORED - self._scored_here)]
        if new:
            _insert_scores(self._db, new)
            self._scored.update(new)
            self._scored_here += len(new)

    def _unchanged(self, record: Prepared, old: _Stored) -> bool:
        """True when `record` is what the store holds already: same `modified`, body and
        index rows (zstd and the index packing are deterministic)."""
        if old.modified != record.modified:
            return False
        body = record.body
        if record.dict_id is not None:
            body = _codec(self._db, record.dict_id, self._codecs).decompress(body)
        if body != old.body:
            return False
        withdrawn = int(record.withdrawn is not None)
        wanted = {(eco, name): (withdrawn, data) for eco, name, data in record.index}
        if set(wanted) != set(old.keys):
            return False
        for (eco, name), expected in wanted.items():
            with damage_named(self.target):
                row = self._db.execute(
                    "SELECT withdrawn, data FROM affected WHERE ecosystem = ? AND name = ? "
                    "AND id = ?",
                    (eco, name, record.id),
                ).fetchone()
            if row is None or tuple(row) != expected:
                return False
        return True

    def _changes(self, old: _Stored | None, new: Prepared | None) -> None:
        """Note the packages a record named before and after it changed (`_stamp`)."""
        if self._new_lineage:
            return
        if old is not None:
            self._changed.update((stamped_ecosystem(eco), name) for eco, name in old.keys)
        if new is not None:
            self._changed.update((stamped_ecosystem(eco), name) for eco, name, _ in new.index)

    def _existing(self, ids: list[str]) -> dict[str, _Stored]:
        with damage_named(self.target):
            found: dict[str, _Stored] = {}
            codecs = self._codecs
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for record_id, dict_id, body in self._db.execute(
                    f"SELECT id, dict_id, body FROM records WHERE id IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    plain = _codec(self._db, dict_id, codecs).decompress(body)
                    found[record_id] = _Stored(*codec.body_facts(plain), plain)
            return found

    def _unindex(self, record_id: str, old: _Stored) -> None:
        self._db.executemany(
            "DELETE FROM affected WHERE ecosystem = ? AND name = ? AND id = ?",
            [(eco, name, record_id) for eco, name in old.keys],
        )
        self._db.executemany(
            "DELETE FROM aliases WHERE alias = ? AND id = ?",
            [(alias, record_id) for alias in old.aliases],
        )

    def _drop_unseen(self, source: str, generation: int) -> int:
        gone = [
            row[0]
            for row in self._db.execute(
                "DELETE FROM record_sources WHERE source = ? AND generation < ? RETURNING id",
                (source, generation),
            )
        ]
        orphans = [
            record_id
            for record_id in gone
            if self._db.execute(
                "SELECT 1 FROM record_sources WHERE id = ? LIMIT 1", (record_id,)
            ).fetchone()
            is None
        ]
        for start in range(0, len(orphans), BATCH):
            # In batches: each stored record is held decompressed meanwhile.
            for record_id, old in self._existing(orphans[start : start + BATCH]).items():
                self._unindex(record_id, old)
                self._changes(old, None)
                self._db.execute("DELETE FROM records WHERE id = ?", (record_id,))
        return len(gone)

    def _count(self, source: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM record_sources WHERE source = ?", (source,)
        ).fetchone()
        return int(row[0])

    # -- KEV and EPSS -----------------------------------------------------

    def replace_kev(
        self,
        entries: Iterable[KevEntry],
        *,
        data_as_of: str | None,
        origin: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Make the KEV table exactly `entries`; returns how many."""
        self._db.execute("DELETE FROM kev")
        self._db.executemany(
            "INSERT OR REPLACE INTO kev (cve, vendor, product, name, date_added, due_date, "
            "required_action, known_ransomware_use) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    e.cve,
                    e.vendor,
                    e.product,
                    e.name,
                    e.date_added,
                    e.due_date,
                    e.required_action,
                    e.known_ransomware_use,
                )
                for e in entries
            ),
        )
        count = int(self._db.execute("SELECT count(*) FROM kev").fetchone()[0])
        self._save_source(
            "kev",
            "kev",
            records=count,
            data_as_of=data_as_of,
            origin=origin,
            etag=etag,
            last_modified=last_modified,
        )
        return count

    def replace_epss(
        self,
        scores: Iterable[EpssScore],
        *,
        data_as_of: str | None,
        origin: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Make the EPSS table exactly `scores`; returns how many."""
        self._db.execute("DELETE FROM epss")
        self._db.executemany(
            "INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)",
            ((s.cve, s.score, s.percentile) for s in scores),
        )
        count = int(self._db.execute("SELECT count(*) FROM epss").fetchone()[0])
        self._save_source(
            "epss",
            "epss",
            records=count,
            data_as_of=data_as_of,
            origin=origin,
            etag=etag,
            last_modified=last_modified,
        )
        return count

    # -- sources ----------------------------------------------------------

    def source(self, name: str) -> SourceState | None:
        """What the store (as being built) remembers about `name`."""
        row = self._db.execute(
            "SELECT name, kind, records, imported_at, data_as_of, origin, etag, last_modified, "
            "cursor FROM sources WHERE name = ?",
            (name,),
        ).fetchone()
        return SourceState(*row) if row else None

    def sources(self) -> list[SourceState]:
        rows = self._db.execute(
            "SELECT name, kind, records, imported_at, data_as_of, origin, etag, last_modified, "
            "cursor FROM sources ORDER BY name"
        ).fetchall()
        return [SourceState(*row) for row in rows]

    def set_data_as_of(self, name: str, data_as_of: str | None) -> None:
        self._db.execute("UPDATE sources SET data_as_of = ? WHERE name = ?", (data_as_of, name))

    def set_validators(self, name: str, etag: str | None, last_modified: str | None) -> None:
        self._db.execute(
            "UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?",
            (etag, last_modified, name),
        )

    def mark_checked(self, name: str) -> None:
        """Record that `name` was checked now and had not changed (an HTTP 304)."""
        self._db.execute("UPDATE sources SET imported_at = ? WHERE name = ?", (now_rfc3339(), name))

    def _next_generation(self, source: str) -> int:
        with damage_named(self.target):
            row = self._db.execute(
                "SELECT generation FROM sources WHERE name = ?", (source,)
            ).fetchone()
            return (int(row[0]) if row else 0) + 1

    def _save_source(
        self,
        name: str,
        kind: str,
        *,
        records: int,
        data_as_of: str | None,
        origin: str | None,
        etag: str | None,
        last_modified: str | None,
        cursor: str | None = None,
        generation: int = 0,
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sources (name, kind, records, imported_at, data_as_of, origin, "
            "etag, last_modified, cursor, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                kind,
                records,
                now_rfc3339(),
                data_as_of,
                origin,
                etag,
                last_modified,
                cursor,
                generation,
            ),
        )


def _note(tally: _Tally, problem: Malformed) -> None:
    tally.malformed_count += 1
    if len(tally.malformed) < MAX_REPORTED_PROBLEMS:
        tally.malformed.append(problem)
    log.debug("skipped %s: %s", problem.where, problem.reason)


def _codec(db: sqlite3.Connection, dict_id: int, codecs: dict[int, codec.Codec]) -> codec.Codec:
    active = codecs.get(dict_id)
    if active is None:
        row = db.execute("SELECT data FROM dictionaries WHERE id = ?", (dict_id,)).fetchone()
        active = codecs[dict_id] = codec.Codec(row[0] if row else None)
    return active


def _insert_scores(db: sqlite3.Connection, vectors: Iterable[tuple[str, bool]]) -> None:
    """Score vectors with the `cvss` library and add them to the `cvss` table.

    Vectors too long to parse are left out: readers refuse them unparsed.
    """
    rows: list[tuple[str, int, str, str, float, str, str | None]] = []
    for vector, v2 in vectors:
        if cvss.refused_unparsed(vector) is not None:
            continue
        scored = cvss.score(vector, v2)
        if isinstance(scored, str):
            rows.append((vector, int(v2), "", "", 0.0, "", scored))
        else:
            rows.append(
                (
                    vector,
                    int(v2),
                    scored.version,
                    scored.vector,
                    scored.base_score,
                    scored.severity.value,
                    None,
                )
            )
    db.executemany(
        "INSERT OR IGNORE INTO cvss (vector, v2, version, clean, base, severity, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _lineage(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'lineage'").fetchone()
    return str(row[0]) if row and row[0] else None


def _upgrade(db: sqlite3.Connection, version: int) -> None:
    """Bring an older store (`schema.UPGRADABLE`) to the current schema, in place.

    Runs on the writer's new copy only. From schema 1 (whole records in
    `records`), each record is split into its body and its package index
    rows, compressed with the dictionary it had. From schema 1 or 2, the
    `cvss` table is made and every vector of the records scored.
    """
    if version == 1:
        _split_records(db)
    db.execute(schema.CVSS)
    codecs: dict[int, codec.Codec] = {}
    vectors: set[tuple[str, bool]] = set()
    for dict_id, body in db.execute("SELECT dict_id, body FROM records"):
        vectors.update(cvss.vectors(codec.summary(_codec(db, dict_id, codecs).decompress(body))))
    _insert_scores(db, sorted(vectors)[:MAX_SCORED])
    db.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(schema.SCHEMA_VERSION),)
    )
    log.info("upgraded the vulnerability store to schema %d", schema.SCHEMA_VERSION)


def _split_records(db: sqlite3.Connection) -> None:
    """Schema 1 to 2: each whole record becomes its body and its package index rows."""
    codecs: dict[int, codec.Codec] = {}
    packer = IndexCodec()
    db.execute("DROP TABLE affected")
    db.execute(schema.AFFECTED)
    db.execute("ALTER TABLE records RENAME TO records_v1")
    db.execute(schema.RECORDS)
    after = ""
    while True:
        rows = db.execute(
            "SELECT id, dict_id, body FROM records_v1 WHERE id > ? ORDER BY id LIMIT ?",
            (after, BATCH),
        ).fetchall()
        if not rows:
            break
        bodies: list[tuple[str, int, bytes]] = []
        affected_rows: list[tuple[str, str, str, int, bytes]] = []
        for record_id, dict_id, stored in rows:
            active = _codec(db, dict_id, codecs)
            advisory = codec.from_full_json(active.decompress(stored))
            bodies.append((record_id, dict_id, active.compress(codec.to_body(advisory))))
            withdrawn = int(advisory.withdrawn is not None)
            affected_rows.extend(
                (eco, name, record_id, withdrawn, packer.pack(data))
                for eco, name, data in codec.index_rows(advisory)
            )
        db.executemany("INSERT INTO records (id, dict_id, body) VALUES (?, ?, ?)", bodies)
        db.executemany(
            "INSERT OR REPLACE INTO affected (ecosystem, name, id, withdrawn, data) "
            "VALUES (?, ?, ?, ?, ?)",
            affected_rows,
        )
        after = rows[-1][0]
    db.execute("DROP TABLE records_v1")


def install(built: Path, target: Path) -> None:
    """Rename a complete store file `built` over `target`, holding the writers' lock."""
    lock = _acquire_lock(target)
    try:
        with open(built, "rb") as stream:
            os.fsync(stream.fileno())
        built.replace(target)
        _sync_directory(target.parent)
        results.forget(target)
    finally:
        lock.close()


def _acquire_lock(target: Path) -> IO[bytes]:
    lock = open(target.with_name(target.name + ".lock"), "ab")  # noqa: SIM115
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise InputError(
            f"{target}: another seawall process is updating this vulnerability store; "
            "wait for it to finish"
        ) from None
    return lock


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
