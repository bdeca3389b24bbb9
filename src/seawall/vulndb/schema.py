"""The SQLite layout of the store, and its version.

One file holds everything (DESIGN.md §3). Tables keyed by text ids are
`WITHOUT ROWID` so each is a single B-tree: the id is stored once, in the key.

- `records`: one row per OSV id; `body` is `codec`'s compressed JSON (the
  record without its entries' ranges and versions), made with dictionary
  `dict_id` (0: none).
- `affected`: the package index, one row per (ecosystem as written,
  normalised package name, record id); `data` holds the ranges and versions
  of the record's entries for that package (seawall.vulndb.index) and
  `withdrawn` is 1 for a withdrawn record. What matching reads first.
- `record_sources`: which imported source (an OSV ecosystem export such as
  `PyPI` or `Debian:12`, or a local import) holds each record; a full import of
  a source drops the records it no longer has.
- `aliases`: alias → record id.
- `cvss`: every distinct CVSS vector of the records (as written less
  surrounding blanks, and whether its record called it CVSS v2) with the
  `cvss` library's version, clean vector, base score and rating, or why it
  refused it (seawall.vulndb.cvss): scored once, at import.
- `kev`, `epss`: CISA KEV entries and EPSS scores by CVE.
- `sources`: one row per source with its counts, dates and HTTP validators.
- `dictionaries`: zstd dictionaries for `records.body`.
- `stamps`: per package (ecosystem as a match looks it up, `Debian:12` or
  `PyPI`, but `Red Hat` for all its streams: seawall.vulndb.names; normalised
  name), the store generation whose write last changed a record naming it;
  a package missing here has not changed since the store's lineage began.
  Kept results (seawall.vulndb.results) are keyed by it, so an update leaves
  the results of every package it did not touch valid.
- `meta`: `schema_version`, `created`, `updated`; `lineage`, a random id a new
  store gets (stamps are only comparable within one lineage), and
  `generation`, the number of writes that changed records since.

`stamps` and the two meta keys came after schema 3 without a new version:
a store without them is read as before (results kept for one snapshot only),
and the first writer of this seawall adds them (`add_stamps`).
"""

import secrets
import sqlite3

SCHEMA_VERSION = 3
UPGRADABLE = (1, 2)
"""Older schema versions a writer upgrades in its new copy (seawall.vulndb.writer).

Version 1 kept whole records in `records.body` (with `modified` and `withdrawn`
columns beside it) and only record ids in `affected`; version 2 had no `cvss`
table (matching scored each vector itself)."""
APPLICATION_ID = 0x5357_4442
"""`PRAGMA application_id` ("SWDB"): tells a seawall store from any other SQLite file."""

AFFECTED = """
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (ecosystem, name, id)
) WITHOUT ROWID;
"""
RECORDS = """
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    dict_id INTEGER NOT NULL,
    body BLOB NOT NULL
) WITHOUT ROWID;
"""
"""The package index and the records: what an upgrade from schema 1 creates anew."""
CVSS = """
CREATE TABLE cvss (
    vector TEXT NOT NULL,
    v2 INTEGER NOT NULL,
    version TEXT NOT NULL,
    clean TEXT NOT NULL,
    base REAL NOT NULL,
    severity TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (vector, v2)
) WITHOUT ROWID;
"""
"""Scored vectors: what an upgrade from schema 1 or 2 adds."""
STAMPS = """
CREATE TABLE IF NOT EXISTS stamps (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    stamp INTEGER NOT NULL,
    PRIMARY KEY (ecosystem, name)
) WITHOUT ROWID;
"""

TABLES = (
    AFFECTED
    + RECORDS
    + CVSS
    + """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE dictionaries (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE aliases (
    alias TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (alias, id)
) WITHOUT ROWID;
CREATE TABLE record_sources (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;
CREATE TABLE kev (
    cve TEXT PRIMARY KEY,
    vendor TEXT,
    product TEXT,
    name TEXT,
    date_added TEXT,
    due_date TEXT,
    required_action TEXT,
    known_ransomware_use TEXT
) WITHOUT ROWID;
CREATE TABLE epss (
    cve TEXT PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    records INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    data_as_of TEXT,
    origin TEXT,
    etag TEXT,
    last_modified TEXT,
    cursor TEXT,
    generation INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""
)


def create(connection: sqlite3.Connection, created: str) -> None:
    """Create every table of an empty store."""
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.executescript(TABLES)
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("created", created)],
    )
    add_stamps(connection)


def add_stamps(connection: sqlite3.Connection) -> None:
    """Give a store its `stamps` table and a lineage, unless it has them."""
    connection.executescript(STAMPS)
    connection.executemany(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
        [("lineage", secrets.token_hex(16)), ("generation", "0")],
    )
