"""Reading the store: the matcher's `AdvisoryStore`, plus what `db status` shows.

Scans open the file read-only. The file is only ever replaced by a rename, so
an open store keeps reading the version it opened even while an update
swaps in a new one.

Matching first reads a package's rows of the package index
(seawall.vulndb.index): each holds the ranges and versions of one record's
entries for the package, so no record is decoded to learn that it does not
match. Of the records that match, matching reads only the summary
(`summaries`: the body decoded into what a finding shows, no index row
read); whole records (`records`, `advisory`, `advisories`) are assembled from
the body and every index row of the record, for callers that show one.
Matching asks for many packages, records and EPSS scores at once
(`entries_of`, `summaries`, `epss_of`): each such read is one statement over
a JSON array of the keys (`json_each`), so there is no limit on SQL
variables to mind and no statement per key.

CVSS vectors come scored from the `cvss` table the import filled
(seawall.vulndb.cvss), so scans never load the scoring library.

Decoding (zstd, JSON, the model's objects) costs far more than reading, and
a process that scans several images reads the same records again (every
Debian image asks for `glibc`, `openssl` …). Decoded summaries and records
are therefore kept in bounded, process-wide LRUs per snapshot of the store
file (its device, inode, size, modification time and the store's own
`updated` stamp; the newest two snapshots) by record id: a store replaced by
an update is another file, so its records are never confused with the old
ones. Both are frozen values, so sharing them between stores of one file and
between threads is safe. Entries, summaries and records build the model's
frozen dataclasses through `seawall.model.frozen` (half the cost of their
`__init__`).

Across processes, `results_cache()` gives matchers a file beside the store
for what they worked out (seawall.vulndb.results). In a store with a lineage
(seawall.vulndb.schema, `stamps`), results are kept for the lineage and
keyed by each package's stamp (`stamps_of`), so they outlive updates that
leave the package alone; in a store without one, for this snapshot only.

A file damaged since it was written fails while it is read: every reading
method raises `DamagedStoreError` for it (seawall.vulndb.damage).
"""

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import orjson

from seawall.errors import InputError
from seawall.model.advisory import (
    Advisory,
    AdvisorySummary,
    AffectedEntry,
    AffectedRange,
    EpssScore,
    KevEntry,
)
from seawall.model.finding import CvssScore, Severity
from seawall.model.frozen import builder
from seawall.model.scan import DatabaseInfo, DataSource
from seawall.vulndb import codec, cvss, index, results, schema
from seawall.vulndb.damage import DAMAGE, DamagedStoreError, is_damage, reads_store
from seawall.vulndb.names import normalize_name, prefix_matched, stamped_ecosystem
from seawall.vulndb.timestamps import instant

STORE_FILE = "seawall.db"
DECODED_RECORDS = 16_384
"""Decoded records kept per process (about 4 KB each on average, so some 64 MB at most)."""
DECODED_SUMMARIES = 16_384
"""Decoded summaries kept per process (a little less than a record each)."""
SNAPSHOTS = 2
"""Store versions whose decoded records are kept (the current one and the one before)."""
_ROWS = "SELECT ecosystem, id, data FROM affected WHERE ecosystem = ? AND name = ?"
_PREFIXED_ROWS = (
    "SELECT ecosystem, id, data FROM affected WHERE name = ? "
    "AND (ecosystem = ? OR (ecosystem >= ? AND ecosystem < ?))"
)
_LIVE = " AND withdrawn = 0"
# Batched reads: one statement for many keys, given as one JSON array (no limit on
# the number of SQL variables to mind). CROSS JOIN keeps the array as the outer
# loop, so each key is one primary-key search.
_MANY_ROWS = (
    "SELECT j.key, a.ecosystem, a.id, a.data FROM json_each(?) AS j "
    "CROSS JOIN affected AS a ON a.ecosystem = json_extract(j.value, '$[0]') "
    "AND a.name = json_extract(j.value, '$[1]') WHERE a.withdrawn = 0"
)
_MANY_BODIES = (
    "SELECT r.id, r.dict_id, r.body FROM json_each(?) AS j "
    "CROSS JOIN records AS r ON r.id = j.value"
)
_MANY_EPSS = (
    "SELECT e.cve, e.score, e.percentile FROM json_each(?) AS j "
    "CROSS JOIN epss AS e ON e.cve = j.value"
)
_MANY_STAMPS = (
    "SELECT j.key, s.stamp FROM json_each(?) AS j "
    "CROSS JOIN stamps AS s ON s.ecosystem = json_extract(j.value, '$[0]') "
    "AND s.name = json_extract(j.value, '$[1]')"
)
_VECTOR = "SELECT version, clean, base, severity, error FROM cvss WHERE vector = ? AND v2 = ?"

_Value = TypeVar("_Value")

# An entry per index entry of every package matched (seawall.model.frozen).
_new_entry: Callable[
    [str, int, str, str, tuple[AffectedRange, ...], tuple[str, ...]], AffectedEntry
] = builder(AffectedEntry)


class _DecodedCache(Generic[_Value]):
    """Bounded LRUs of decoded values by record id, one per snapshot, shared by every VulnStore.

    Only the newest `SNAPSHOTS` snapshots keep theirs (an update makes a new one).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._snapshots: OrderedDict[Hashable, OrderedDict[str, _Value]] = OrderedDict()
        self._lock = threading.Lock()

    def found(self, snapshot: Hashable, ids: Sequence[str]) -> dict[str, _Value]:
        """The values kept for those of `ids` that have one."""
        with self._lock:
            items = self._snapshots.get(snapshot)
            if not items:
                return {}
            found: dict[str, _Value] = {}
            for record_id in ids:
                value = items.get(record_id)
                if value is not None:
                    items.move_to_end(record_id)
                    found[record_id] = value
            return found

    def keep(self, snapshot: Hashable, values: Mapping[str, _Value]) -> None:
        with self._lock:
            items = self._snapshots.get(snapshot)
            if items is None:
                items = self._snapshots[snapshot] = OrderedDict()
                while len(self._snapshots) > SNAPSHOTS:
                    self._snapshots.popitem(last=False)
            else:
                self._snapshots.move_to_end(snapshot)
            items.update(values)
            while len(items) > self.capacity:
                items.popitem(last=False)


DECODED: _DecodedCache[Advisory] = _DecodedCache(DECODED_RECORDS)
SUMMARIES: _DecodedCache[AdvisorySummary] = _DecodedCache(DECODED_SUMMARIES)


def default_store_path(cache_dir: Path, environ: Mapping[str, str] | None = None) -> Path:
    """`$SEAWALL_DB` if set, else `<cache_dir>/db/seawall.db`."""
    env = os.environ if environ is None else environ
    if explicit := env.get("SEAWALL_DB"):
        return Path(explicit)
    return cache_dir / "db" / STORE_FILE


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; never creates the file."""
    if not path.is_file():
        raise InputError(
            f"no vulnerability database at {path}; run `seawall db update` or `seawall db import`"
        )
    # as_uri() percent-encodes the path (urllib.request's pathname2url would
    # import the whole HTTP client stack on every scan).
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    except sqlite3.Error as error:
        raise InputError(f"{path}: cannot open the vulnerability database: {error}") from None
    return connection


def stored_schema_version(connection: sqlite3.Connection, path: Path) -> int:
    """The schema version of a seawall store; InputError if the file is not one."""
    try:
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        if application_id != schema.APPLICATION_ID:
            raise InputError(f"{path}: not a seawall vulnerability database")
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise InputError(
            f"{path}: not a readable seawall vulnerability database: {error}"
        ) from None
    return int(row[0]) if row and str(row[0]).isdigit() else -1


def check_store(connection: sqlite3.Connection, path: Path) -> int:
    """The schema version of a store this seawall reads; InputError for any other file."""
    version = stored_schema_version(connection, path)
    if version == schema.SCHEMA_VERSION:
        return version
    if version in schema.UPGRADABLE:
        raise InputError(
            f"{path}: vulnerability database written by an older seawall (schema {version}; "
            f"this seawall reads {schema.SCHEMA_VERSION}): run `seawall db update` or "
            "`seawall db import` to upgrade it, or import a bundle exported by this seawall"
        )
    raise InputError(
        f"{path}: vulnerability database schema version {version}, this seawall reads "
        f"{schema.SCHEMA_VERSION}; run `seawall db update` or import a new bundle"
    )


def _file_identity(path: Path) -> tuple[int, ...] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class VulnStore:
    """An open store, read-only. Implements the matcher's `AdvisoryStore` protocol."""

    def __init__(self, path: Path) -> None:
        self.path = path
        before = _file_identity(path)
        self._db = connect_read_only(path)
        try:
            # One read transaction for the store's life: SQLite then takes its file
            # lock once, not around every statement (a scan runs thousands). The
            # file is never written in place, so the lock keeps no writer waiting.
            self._db.execute("BEGIN")
            self.schema_version = check_store(self._db, path)
            self.snapshot, self.lineage = self._snapshot(before)
        except DAMAGE as error:
            self._db.close()
            if not is_damage(error):
                raise
            raise DamagedStoreError(path, error) from error
        except BaseException:
            self._db.close()
            raise
        self._codecs: dict[int, codec.Codec] = {}
        self._index = index.IndexCodec()
        self._kev_ids: frozenset[str] | None = None
        self._has_epss: bool | None = None
        self._epss_as_of: tuple[str | None] | None = None
        self._results: results.ResultsCache | None = None

    def close(self) -> None:
        if self._results is not None:
            self._results.close()
        self._db.close()

    def __enter__(self) -> "VulnStore":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- AdvisoryStore ----------------------------------------------------

    @reads_store
    def entries(self, ecosystem: str, name: str) -> list[AffectedEntry]:
        """The index's entries for this package, in records not withdrawn (see AdvisoryStore)."""
        return self.entries_of([(ecosystem, name)])[0]

    @reads_store
    def entries_of(self, packages: Sequence[tuple[str, str]]) -> list[list[AffectedEntry]]:
        """`entries` of each (ecosystem, name), in that order (see AdvisoryStore)."""
        keys = [(ecosystem, normalize_name(ecosystem, name)) for ecosystem, name in packages]
        found: list[list[AffectedEntry]] = [[] for _ in keys]
        # (package numbers, key name, ecosystem as written, record id, data) of every row.
        rows: list[tuple[list[int], str, str, str, bytes]] = []
        exact: dict[tuple[str, str], list[int]] = {}
        prefixed: list[int] = []
        for number, (ecosystem, key) in enumerate(keys):
            if prefix_matched(ecosystem):
                prefixed.append(number)
                numbers = [number]
                rows.extend(
                    (numbers, key, *row)
                    for row in self._index_rows(ecosystem, key, withdrawn=False)
                )
            else:
                exact.setdefault((ecosystem, key), []).append(number)
        if exact:
            # One statement for every exact key (a package asked for twice is read
            # once); each key's rows come from one search of the primary key, so in
            # record id order, as `_index_rows` gives them.
            wanted = [(key, exact[key]) for key in exact]
            for place, written, record_id, stored in self._db.execute(
                _MANY_ROWS, (_json_text([key for key, _ in wanted]),)
            ):
                key, numbers = wanted[place]
                rows.append((numbers, key[1], written, record_id, stored))
        # Rows often hold the same ranges (every Debian record of a source fixed in
        # one upload): those are decoded once.
        decoded: dict[bytes, list[index.IndexedEntry]] = {}
        for numbers, key, written, record_id, stored in rows:
            entries = decoded.get(stored)
            if entries is None:
                entries = decoded[stored] = self._index.decode(stored)
            built = [
                _new_entry(record_id, position, written, as_written or key, ranges, versions)
                for position, as_written, ranges, versions in entries
            ]
            for number in numbers:
                found[number].extend(built)
        for number in prefixed:
            # Rows of several streams: a record's entries for them by position.
            found[number].sort(key=_entry_order)
        return found

    @reads_store
    def summaries(self, ids: Sequence[str]) -> list[AdvisorySummary]:
        """The summaries of the records with these ids, in that order (see AdvisoryStore)."""
        return self._bodies(ids, SUMMARIES, _summary)

    @reads_store
    def records(self, ids: Sequence[str]) -> list[Advisory]:
        """The whole records with these ids, in that order (ids not stored are left out)."""
        return self._bodies(ids, DECODED, self._assemble)

    def _bodies(
        self,
        ids: Sequence[str],
        cache: "_DecodedCache[_Value]",
        decode: Callable[[str, bytes], _Value],
    ) -> list[_Value]:
        """Each stored id's body decoded by `decode(id, decompressed body)`, kept in
        `cache` per snapshot."""
        snapshot = self.snapshot
        found = cache.found(snapshot, ids)
        if len(found) < len(ids):
            missing = [record_id for record_id in dict.fromkeys(ids) if record_id not in found]
            # Every missing body in one statement, fetched before any is decoded
            # (`decode` may read the store too).
            rows = self._db.execute(_MANY_BODIES, (_json_text(missing),)).fetchall()
            decoded: dict[str, _Value] = {}
            codecs = self._codecs
            for record_id, dict_id, body in rows:
                active = codecs.get(dict_id) or self._codec(dict_id)
                decoded[record_id] = decode(record_id, active.decompress(body))
            if decoded:
                cache.keep(snapshot, decoded)
                found.update(decoded)
        return [found[record_id] for record_id in ids if record_id in found]

    @reads_store
    def cvss(self, vector: str, v2: bool) -> CvssScore | str:
        """The score the import gave this vector, or why it was refused (see AdvisoryStore)."""
        text = vector.strip()
        too_long = cvss.refused_unparsed(text)
        if too_long is not None:
            return too_long
        row = self._db.execute(_VECTOR, (text, int(v2))).fetchone()
        if row is None:
            # Every vector of an imported record is scored at import: this is
            # a record written into the file by other means. Score it here.
            return cvss.score(text, v2)
        version, clean, base, severity, error = row
        if error is not None:
            return str(error)
        return CvssScore(version, clean, base, Severity(severity), "")

    @reads_store
    def kev(self, cve: str) -> KevEntry | None:
        if cve not in self._kev_catalogue():
            return None
        row = self._db.execute(
            "SELECT cve, vendor, product, name, date_added, due_date, required_action, "
            "known_ransomware_use FROM kev WHERE cve = ?",
            (cve,),
        ).fetchone()
        return KevEntry(*row) if row else None

    @reads_store
    def kev_of(self, cves: Sequence[str]) -> dict[str, KevEntry]:
        """The KEV entries of those of `cves` in the catalogue (see AdvisoryStore)."""
        listed = self._kev_catalogue()
        found: dict[str, KevEntry] = {}
        for cve in [cve for cve in cves if cve in listed]:
            entry = self.kev(cve)
            if entry is not None:
                found[cve] = entry
        return found

    def _kev_catalogue(self) -> frozenset[str]:
        if self._kev_ids is None:
            # Most CVEs are not in the catalogue (about 1,400 entries): one read of
            # its ids saves a query per CVE of every finding.
            self._kev_ids = frozenset(row[0] for row in self._db.execute("SELECT cve FROM kev"))
        return self._kev_ids

    @reads_store
    def epss(self, cve: str) -> EpssScore | None:
        return self.epss_of([cve]).get(cve)

    @reads_store
    def epss_of(self, cves: Sequence[str]) -> dict[str, EpssScore]:
        """The EPSS scores of those of `cves` that have one (see AdvisoryStore)."""
        if self._has_epss is None:
            self._has_epss = self._db.execute("SELECT 1 FROM epss LIMIT 1").fetchone() is not None
        if not self._has_epss or not cves:
            return {}
        date = self._epss_date()
        return {
            cve: EpssScore(cve=cve, score=score, percentile=percentile, date=date)
            for cve, score, percentile in self._db.execute(_MANY_EPSS, (_json_text(list(cves)),))
        }

    # -- beyond the protocol ------------------------------------------------

    def results_cache(self) -> results.ResultsCache | None:
        """Where matchers keep what they worked out across processes (seawall.vulndb.results):
        for the store's lineage, or without one for this snapshot; None when the file
        changed while it was opened."""
        if self._results is None and type(self.snapshot) is tuple:
            if self.lineage is not None:
                self._results = results.ResultsCache(self.path, f"lineage {self.lineage}")
            else:
                self._results = results.ResultsCache(
                    self.path, repr(self.snapshot), self.snapshot[:4]
                )
        return self._results

    @reads_store
    def stamps_of(self, packages: Sequence[tuple[str, str]]) -> list[int]:
        """The stamp of each (ecosystem, name), in that order: the generation of the last
        write that changed a record naming the package (seawall.vulndb.schema), 0 when no
        write did since the lineage began, and always 0 in a store without a lineage."""
        found = [0] * len(packages)
        if self.lineage is None or not packages:
            return found
        keys = [
            (stamped_ecosystem(ecosystem), normalize_name(ecosystem, name))
            for ecosystem, name in packages
        ]
        for place, stamp in self._db.execute(_MANY_STAMPS, (_json_text(keys),)):
            found[place] = stamp
        return found

    @reads_store
    def advisories(self, ecosystem: str, name: str) -> list[Advisory]:
        """Every record (withdrawn ones included) with an `affected[]` entry for this package."""
        key = normalize_name(ecosystem, name)
        ids = sorted(
            {record_id for _, record_id, _ in self._index_rows(ecosystem, key, withdrawn=True)}
        )
        return self.records(ids)

    @reads_store
    def advisory(self, record_id: str) -> Advisory | None:
        """One record by its id."""
        found = self.records([record_id])
        return found[0] if found else None

    @reads_store
    def ids_for_alias(self, alias: str) -> list[str]:
        """Ids of the records that list `alias` among their aliases."""
        rows = self._db.execute("SELECT id FROM aliases WHERE alias = ? ORDER BY id", (alias,))
        return [row[0] for row in rows]

    @reads_store
    def info(self) -> DatabaseInfo:
        """Where the store is, its schema, and each source's counts and dates."""
        rows = self._db.execute(
            "SELECT name, records, imported_at, data_as_of FROM sources ORDER BY name"
        ).fetchall()
        return DatabaseInfo(
            location=str(self.path),
            schema_version=self.schema_version,
            sources=tuple(
                DataSource(
                    name=_text(name),
                    records=_count(records),
                    updated=_moment(updated),
                    data_as_of=None if as_of is None else _text(as_of),
                )
                for name, records, updated, as_of in rows
            ),
        )

    def backup_to(self, target: sqlite3.Connection) -> None:
        """Copy this store, consistently, into another SQLite connection."""
        self._db.backup(target)

    @reads_store
    def record_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])

    def _epss_date(self) -> str | None:
        if self._epss_as_of is None:
            row = self._db.execute("SELECT data_as_of FROM sources WHERE name = 'epss'").fetchone()
            self._epss_as_of = (row[0] if row else None,)
        return self._epss_as_of[0]

    def _snapshot(self, before: tuple[int, ...] | None) -> tuple[Hashable, str | None]:
        """What identifies the version of the file this connection reads, and the store's
        lineage (None in a store without one).

        The file as seen before and after opening must be the same one, with the
        same size and modification time; otherwise (an update renamed a new file
        in meanwhile) the store gets a key of its own, shared with nobody.
        """
        after = _file_identity(self.path)
        meta = dict(
            self._db.execute("SELECT key, value FROM meta WHERE key IN ('updated', 'lineage')")
        )
        lineage = meta.get("lineage")
        known = lineage if isinstance(lineage, str) and lineage else None
        if before is None or before != after:
            return object(), known
        return (*before, meta.get("updated")), known

    def _index_rows(
        self, ecosystem: str, key: str, *, withdrawn: bool
    ) -> list[tuple[str, str, bytes]]:
        """(ecosystem as written, record id, data) of the package's index rows."""
        if prefix_matched(ecosystem):
            # `Red Hat:enterprise_linux:9` also takes `Red Hat:enterprise_linux:9::appstream`:
            # the streams sort between the release + ":" and the release + ";".
            return self._db.execute(
                _PREFIXED_ROWS if withdrawn else _PREFIXED_ROWS + _LIVE,
                (key, ecosystem, ecosystem + ":", ecosystem + ";"),
            ).fetchall()
        return self._db.execute(_ROWS if withdrawn else _ROWS + _LIVE, (ecosystem, key)).fetchall()

    def _codec(self, dict_id: int) -> codec.Codec:
        active = self._codecs.get(dict_id)
        if active is None:
            row = self._db.execute(
                "SELECT data FROM dictionaries WHERE id = ?", (dict_id,)
            ).fetchone()
            active = self._codecs[dict_id] = codec.Codec(row[0] if row else None)
        return active

    def _assemble(self, record_id: str, body: bytes) -> Advisory:
        def index_entries(ecosystem: str, key: str) -> list[index.IndexedEntry]:
            row = self._db.execute(
                "SELECT data FROM affected WHERE ecosystem = ? AND name = ? AND id = ?",
                (ecosystem, key, record_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no index row for {ecosystem} {key}")
            return self._index.decode(row[0])

        try:
            return codec.assemble(body, index_entries)
        except DAMAGE as error:
            if not is_damage(error):
                raise
            raise DamagedStoreError(self.path, error, where=f"record {record_id}") from error


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"a text column holds {type(value).__name__}")
    return value


def _count(value: object) -> int:
    if type(value) is not int or value < 0:
        raise TypeError(f"a count column holds {type(value).__name__} {value!r:.20}")
    return value


def _moment(value: object) -> str | None:
    """A stored RFC 3339 timestamp, checked as readers will parse it."""
    if value is None:
        return None
    text = _text(value)
    instant(text)
    return text


def _summary(_record_id: str, body: bytes) -> AdvisorySummary:
    return codec.summary(body)


def _json_text(values: list[Any]) -> str:
    """`values` as JSON text for `json_each` (as bytes SQLite would take it for a BLOB,
    which newer SQLite reads as its binary JSONB)."""
    return orjson.dumps(values).decode()


def _entry_order(entry: AffectedEntry) -> tuple[str, int]:
    return entry.record, entry.position
