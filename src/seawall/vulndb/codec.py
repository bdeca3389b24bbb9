"""The stored form of an advisory: a body of canonical JSON plus its rows of the package index.

Records are validated once, at import (`osv.parse_record`); the store keeps the
parsed `Advisory` as compact JSON with sorted keys and no empty fields, and
reads it back without validating again. The ranges and `versions` of each
`affected[]` entry are not in the body: they are kept once, in the package
index (seawall.vulndb.index), where matching reads them; `assemble` puts a
record back together, and `summary` reads what a finding shows without them.
OSV records repeat the same keys and phrases, so a
dictionary trained on the import's own bodies compresses each small body
several times better than compressing it alone.
"""

from collections.abc import Callable, Mapping
from typing import Any

import orjson
import zstandard

from seawall.model.advisory import (
    Advisory,
    AdvisorySummary,
    AffectedPackage,
    AffectedRange,
    EventKind,
    RangeEvent,
    RangeType,
    Reference,
    SeverityScore,
)
from seawall.model.frozen import builder
from seawall.vulndb import index
from seawall.vulndb.names import normalize_name

DICTIONARY_BYTES = 256 * 1024
"""The largest dictionary trained: on a full import's 5,000 samples it makes bodies
~5% smaller than zstd's default 112 KiB. Fewer samples train a smaller one
(1/16 of their bytes): a large dictionary learnt from a few hundred records
fits them and little else."""
MIN_DICTIONARY_BYTES = 16 * 1024
TRAINING_SAMPLES = 5000
"""Records buffered before training; fewer than this in an import train on what there is."""
MIN_TRAINING_SAMPLES = 64
"""Below this many records a dictionary is not worth training (zstd needs samples)."""
COMPRESSION_LEVEL = 5
"""With the dictionary, level 5 is as small as 6 within 4% at about half its CPU time."""
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""A stored record never inflates past this (guards against a corrupted store)."""


def to_body(advisory: Advisory) -> bytes:
    """The stored body: canonical JSON of the advisory without its entries' ranges and versions."""
    return orjson.dumps(_advisory_dict(advisory), option=orjson.OPT_SORT_KEYS)


def index_rows(advisory: Advisory) -> tuple[tuple[str, str, bytes], ...]:
    """(ecosystem as written, normalised name, index data) of every package the record names.

    The data holds the ranges and versions `to_body` leaves out (seawall.vulndb.index).
    """
    by_key: dict[tuple[str, str], list[tuple[int, AffectedPackage]]] = {}
    for position, entry in enumerate(advisory.affected):
        key = (entry.ecosystem, normalize_name(entry.ecosystem, entry.name))
        by_key.setdefault(key, []).append((position, entry))
    return tuple(
        (ecosystem, name, index.encode(entries, name))
        for (ecosystem, name), entries in sorted(by_key.items())
    )


IndexEntries = Callable[[str, str], list[index.IndexedEntry]]
"""`index_entries(ecosystem, normalised name)`: the record's decoded index row for that package."""


def assemble(body: bytes, index_entries: IndexEntries) -> Advisory:
    """The whole advisory from its body and its rows of the package index (trusted input)."""
    # Matching decodes hundreds of records per scan: positional arguments and
    # list comprehensions here, and empty fields skipped, halve the time
    # spent building the objects.
    raw = orjson.loads(body)
    affected = raw.get("affected")
    entries: tuple[AffectedPackage, ...] = ()
    if affected:
        rows: dict[tuple[str, str], dict[int, index.IndexedEntry]] = {}
        built = []
        for position, item in enumerate(affected):
            package = item["package"]
            ecosystem = package["ecosystem"]
            key = (ecosystem, normalize_name(ecosystem, package["name"]))
            row = rows.get(key)
            if row is None:
                row = rows[key] = {found[0]: found for found in index_entries(*key)}
            found = row.get(position)
            if found is None:
                raise KeyError(f"no index data for entry {position} of {raw['id']}")
            built.append(_affected(item, found[2], found[3]))
        entries = tuple(built)
    return _advisory(raw, entries)


def summary(body: bytes) -> AdvisorySummary:
    """The advisory's summary (seawall.model.advisory) from its body alone (trusted input).

    What matching reads of a record that matched: no index row is read and no
    range built, so it costs a fraction of `assemble`.
    """
    raw = orjson.loads(body)
    get = raw.get
    aliases = get("aliases")
    related = get("related")
    severity = get("severity")
    affected = get("affected")
    references = get("references")
    return _new_summary(
        raw["id"],
        raw["modified"],
        get("published"),
        tuple(aliases) if aliases else (),
        tuple(related) if related else (),
        get("summary"),
        get("details"),
        _scores(severity) if severity else (),
        tuple([_affected(item, (), ()) for item in affected]) if affected else (),
        tuple([reference["url"] for reference in references]) if references else (),
        get("database_specific") or {},
    )


def from_full_json(data: bytes) -> Advisory:
    """An advisory stored whole, ranges and versions included (schema 1 bodies)."""
    raw = orjson.loads(data)
    affected = raw.get("affected")
    entries = (
        tuple(
            [
                _affected(
                    item,
                    tuple([_full_range(r) for r in item.get("ranges") or ()]),
                    tuple(item.get("versions") or ()),
                )
                for item in affected
            ]
        )
        if affected
        else ()
    )
    return _advisory(raw, entries)


def body_facts(body: bytes) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(modified, package index keys, aliases) of a stored body, without building the advisory."""
    raw = orjson.loads(body)
    keys = {
        (
            item["package"]["ecosystem"],
            normalize_name(item["package"]["ecosystem"], item["package"]["name"]),
        )
        for item in raw.get("affected") or ()
    }
    return raw["modified"], tuple(sorted(keys)), tuple(sorted(set(raw.get("aliases") or ())))


def _advisory(raw: dict[str, Any], affected: tuple[AffectedPackage, ...]) -> Advisory:
    get = raw.get
    aliases = get("aliases")
    related = get("related")
    severity = get("severity")
    references = get("references")
    return _new_advisory(
        raw["id"],
        raw["modified"],
        get("published"),
        get("withdrawn"),
        tuple(aliases) if aliases else (),
        tuple(related) if related else (),
        get("summary"),
        get("details"),
        _scores(severity) if severity else (),
        affected,
        tuple([Reference(r["type"], r["url"]) for r in references]) if references else (),
        get("database_specific") or {},
    )


class Codec:
    """Compresses and decompresses stored records with one (optional) dictionary."""

    __slots__ = ("_compressor", "_decompressor", "_zdict", "dictionary")

    def __init__(self, dictionary: bytes | None) -> None:
        self.dictionary = dictionary
        self._zdict = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        self._decompressor = (
            zstandard.ZstdDecompressor(dict_data=self._zdict)
            if self._zdict is not None
            else zstandard.ZstdDecompressor()
        )
        self._compressor: zstandard.ZstdCompressor | None = None

    def compress(self, data: bytes) -> bytes:
        compressor = self._compressor
        if compressor is None:
            # Made on first use: readers never compress. A dictionary digested once
            # for the level compresses each small record several times faster
            # than one loaded again for every record.
            if self._zdict is None:
                compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL)
            else:
                self._zdict.precompute_compress(level=COMPRESSION_LEVEL)
                compressor = zstandard.ZstdCompressor(
                    level=COMPRESSION_LEVEL, dict_data=self._zdict
                )
            self._compressor = compressor
        return compressor.compress(data)

    def decompress(self, blob: bytes) -> bytes:
        return self._decompressor.decompress(blob, max_output_size=MAX_RECORD_BYTES)


def train_dictionary(samples: list[bytes | bytearray | memoryview]) -> bytes | None:
    """A dictionary trained on these encoded records, or None when there are too few."""
    if len(samples) < MIN_TRAINING_SAMPLES:
        return None
    size = max(MIN_DICTIONARY_BYTES, min(DICTIONARY_BYTES, sum(map(len, samples)) // 16))
    try:
        trained = zstandard.train_dictionary(size, samples, level=COMPRESSION_LEVEL)
    except zstandard.ZstdError:
        # zstd refuses when the samples are too small or too alike to learn from.
        return None
    return trained.as_bytes()


# None and empty containers are the model's defaults: leaving them out keeps
# records small and decodes back to the same value. An empty string is a value,
# not a default, so it is kept. Tuples are written as JSON arrays. (Written out
# field by field: this runs for every imported record.)


def _advisory_dict(advisory: Advisory) -> dict[str, Any]:
    out: dict[str, Any] = {"id": advisory.id, "modified": advisory.modified}
    if advisory.published is not None:
        out["published"] = advisory.published
    if advisory.withdrawn is not None:
        out["withdrawn"] = advisory.withdrawn
    if advisory.aliases:
        out["aliases"] = advisory.aliases
    if advisory.related:
        out["related"] = advisory.related
    if advisory.summary is not None:
        out["summary"] = advisory.summary
    if advisory.details is not None:
        out["details"] = advisory.details
    if advisory.severity:
        out["severity"] = [{"type": s.type, "score": s.score} for s in advisory.severity]
    if advisory.affected:
        out["affected"] = [_affected_dict(item) for item in advisory.affected]
    if advisory.references:
        out["references"] = [{"type": r.type, "url": r.url} for r in advisory.references]
    if advisory.database_specific:
        out["database_specific"] = _plain(advisory.database_specific)
    return out


def _affected_dict(item: AffectedPackage) -> dict[str, Any]:
    package: dict[str, Any] = {"ecosystem": item.ecosystem, "name": item.name}
    if item.purl is not None:
        package["purl"] = item.purl
    out: dict[str, Any] = {"package": package}
    if item.severity:
        out["severity"] = [{"type": s.type, "score": s.score} for s in item.severity]
    if item.ecosystem_specific:
        out["ecosystem_specific"] = _plain(item.ecosystem_specific)
    if item.database_specific:
        out["database_specific"] = _plain(item.database_specific)
    return out


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    # orjson writes dicts only; the model types these fields as any Mapping.
    return mapping if type(mapping) is dict else dict(mapping)


_KINDS = {kind.value: kind for kind in EventKind}
_TYPES = {kind.value: kind for kind in RangeType}


# Every decoded record builds these (seawall.model.frozen).
_new_advisory: Callable[..., Advisory] = builder(Advisory)
_new_summary: Callable[..., AdvisorySummary] = builder(AdvisorySummary)
_new_affected: Callable[..., AffectedPackage] = builder(AffectedPackage)
_new_score: Callable[[str, str], SeverityScore] = builder(SeverityScore)


def _scores(raw: list[dict[str, str]]) -> tuple[SeverityScore, ...]:
    return tuple([_new_score(s["type"], s["score"]) for s in raw])


def _affected(
    raw: dict[str, Any], ranges: tuple[AffectedRange, ...], versions: tuple[str, ...]
) -> AffectedPackage:
    package = raw["package"]
    severity = raw.get("severity")
    return _new_affected(
        package["ecosystem"],
        package["name"],
        package.get("purl"),
        ranges,
        versions,
        _scores(severity) if severity else (),
        raw.get("ecosystem_specific") or {},
        raw.get("database_specific") or {},
    )


def _full_range(raw: dict[str, Any]) -> AffectedRange:
    events = [
        RangeEvent(_KINDS[kind], version)
        for event in raw["events"]
        for kind, version in event.items()
    ]
    return AffectedRange(
        _TYPES[raw["type"]], tuple(events), raw.get("repo"), raw.get("database_specific") or {}
    )
