"""The package index: what decides a match, per package and record, in a form cheap to read.

A row of the store's `affected` table is one (ecosystem, normalised package
name, record id). Its `data` holds, for every `affected[]` entry of that record
naming that package, the entry's position in the record, its ranges, its
`versions` list and its name as written. Those fields live only here: the
record's body leaves them out (seawall.vulndb.codec), so nothing is stored
twice, and the matcher reads a package's rows without decoding any record
that does not match.

`data` is compact JSON, an array of entries, each

    [position, [range, ...]]                       or
    [position, [range, ...], [version, ...]]        or
    [position, [range, ...], [version, ...], name]

(`versions` and the name as written left out when empty or equal to the
normalised name). A range is flat: `[type, kind, version, kind, version, …]`
with the OSV range type and event kinds shortened to one letter (`E`COSYSTEM,
`S`EMVER, `G`IT; `i`ntroduced, `f`ixed, `l`ast_affected, li`m`it) and the
ubiquitous `introduced: "0"` written `I` alone; a range with a `repo` or
`database_specific` is `[[type, kind, version, …], repo, database_specific]`.
Data longer than `COMPRESS_ABOVE` bytes (long `versions` lists) is stored
zstd-compressed when that is smaller; JSON always starts with `[`, a zstd
frame never does.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
import zstandard

from seawall.model.advisory import AffectedPackage, AffectedRange, EventKind, RangeEvent, RangeType
from seawall.model.frozen import builder

COMPRESS_ABOVE = 160
"""Shorter data compresses too little to pay for a zstd frame."""
COMPRESSION_LEVEL = 3
MAX_DATA_BYTES = 64 * 1024 * 1024
"""Index data never inflates past this (guards against a corrupted store)."""

_TYPE_CODES = {RangeType.ECOSYSTEM: "E", RangeType.SEMVER: "S", RangeType.GIT: "G"}
_KIND_CODES = {
    EventKind.INTRODUCED: "i",
    EventKind.FIXED: "f",
    EventKind.LAST_AFFECTED: "l",
    EventKind.LIMIT: "m",
}
_INTRODUCED_ZERO = "I"
_TYPES = {code: kind for kind, code in _TYPE_CODES.items()}
_KINDS = {code: kind for kind, code in _KIND_CODES.items()}
_ZERO = RangeEvent(EventKind.INTRODUCED, "0")
"""Shared by every range that opens at zero (values are frozen)."""

IndexedEntry = tuple[int, str | None, tuple[AffectedRange, ...], tuple[str, ...]]
"""(position, name as written or None, ranges, versions) of one entry."""


def encode(entries: Sequence[tuple[int, AffectedPackage]], key_name: str) -> bytes:
    """The JSON data of one row: `entries` are (position, entry) naming one package."""
    rows: list[list[Any]] = []
    for position, entry in entries:
        row: list[Any] = [position, [_range(item) for item in entry.ranges]]
        if entry.versions or entry.name != key_name:
            row.append(entry.versions)
        if entry.name != key_name:
            row.append(entry.name)
        rows.append(row)
    return orjson.dumps(rows)


def _range(item: AffectedRange) -> list[Any]:
    flat: list[Any] = [_TYPE_CODES[item.type]]
    for event in item.events:
        if event.kind is EventKind.INTRODUCED and event.version == "0":
            flat.append(_INTRODUCED_ZERO)
        else:
            flat.append(_KIND_CODES[event.kind])
            flat.append(event.version)
    if item.repo is None and not item.database_specific:
        return flat
    return [flat, item.repo, dict(item.database_specific)]


class IndexCodec:
    """Packs and unpacks row data. Not thread-safe: one per store or writer.

    Decoding shares one `AffectedRange` between every row that writes a range
    alike (records of one package are often fixed in the same version), so a
    store builds fewer objects and matchers find what they prepared for a
    range by the range's identity.
    """

    __slots__ = ("_compressor", "_decompressor", "_ranges")

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL)
        self._decompressor = zstandard.ZstdDecompressor()
        self._ranges: dict[tuple[str, ...], AffectedRange] = {}

    def pack(self, data: bytes) -> bytes:
        """`data` as stored: compressed when long enough for that to pay."""
        if len(data) <= COMPRESS_ABOVE:
            return data
        packed = self._compressor.compress(data)
        return packed if len(packed) < len(data) else data

    def unpack(self, stored: bytes) -> bytes:
        if stored[:1] == b"[":
            return stored
        return self._decompressor.decompress(stored, max_output_size=MAX_DATA_BYTES)

    def decode(self, stored: bytes) -> list[IndexedEntry]:
        """The entries of one row's data as stored."""
        if len(self._ranges) > SHARED_RANGES:
            self._ranges.clear()
        return decode(self.unpack(stored), self._ranges)


SHARED_RANGES = 65_536
"""Distinct ranges an IndexCodec keeps for sharing (a 1,000-package scan meets ~3,000)."""


def decode(
    data: bytes, shared: dict[tuple[str, ...], AffectedRange] | None = None
) -> list[IndexedEntry]:
    """The entries of one row's (unpacked) data. Trusted input: the store's own rows.

    `shared`: ranges decoded before, by their flat form; plain ranges are
    taken from it and added to it.
    """
    found: list[IndexedEntry] = []
    ranges: dict[tuple[str, ...], AffectedRange] = {} if shared is None else shared
    for row in orjson.loads(data):
        size = len(row)
        decoded: list[AffectedRange] = []
        for item in row[1]:
            if type(item[0]) is list:
                decoded.append(_decode_range(item))
                continue
            flat = tuple(item)
            known = ranges.get(flat)
            if known is None:
                known = ranges[flat] = _decode_range(item)
            decoded.append(known)
        found.append(
            (
                row[0],
                row[3] if size > 3 else None,
                tuple(decoded),
                tuple(row[2]) if size > 2 else (),
            )
        )
    return found


def _decode_range(raw: list[Any]) -> AffectedRange:
    if type(raw[0]) is list:
        flat, repo, database_specific = raw
    else:
        flat, repo, database_specific = raw, None, None
    events: list[RangeEvent] = []
    index = 1
    size = len(flat)
    while index < size:
        code = flat[index]
        if code == _INTRODUCED_ZERO:
            events.append(_ZERO)
            index += 1
        else:
            events.append(_new_event(_KINDS[code], flat[index + 1]))
            index += 2
    return _new_range(_TYPES[flat[0]], tuple(events), repo, database_specific or {})


# Every range a scan meets is built here (seawall.model.frozen).
_new_event: Callable[[EventKind, str], RangeEvent] = builder(RangeEvent)
_new_range: Callable[
    [RangeType, tuple[RangeEvent, ...], str | None, Mapping[str, Any]], AffectedRange
] = builder(AffectedRange)
