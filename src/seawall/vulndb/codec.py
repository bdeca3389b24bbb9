"""The stored form of an advisory: canonical JSON, compressed with a shared zstd dictionary.

Records are validated once, at import (`osv.parse_record`); the store keeps the
parsed `Advisory` as compact JSON with sorted keys and no empty fields, and
reads it back without validating again. OSV records repeat the same keys and
phrases, so a dictionary trained on the import's own records compresses each
small record several times better than compressing it alone.
"""

from typing import Any

import orjson
import zstandard

from seawall.model.advisory import (
    Advisory,
    AffectedPackage,
    AffectedRange,
    EventKind,
    RangeEvent,
    RangeType,
    Reference,
    SeverityScore,
)

DICTIONARY_BYTES = 112 * 1024
"""zstd's recommended dictionary size for many small samples."""
TRAINING_SAMPLES = 5000
"""Records buffered before training; fewer than this in an import train on what there is."""
MIN_TRAINING_SAMPLES = 64
"""Below this many records a dictionary is not worth training (zstd needs samples)."""
COMPRESSION_LEVEL = 6
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""A stored record never inflates past this (guards against a corrupted store)."""


def to_json(advisory: Advisory) -> bytes:
    """Canonical JSON of the advisory, in the OSV schema's shape, empty fields left out."""
    return orjson.dumps(_advisory_dict(advisory), option=orjson.OPT_SORT_KEYS)


def from_json(data: bytes) -> Advisory:
    """The advisory `to_json` wrote (trusted input: the store's own records)."""
    # Matching decodes thousands of records per scan: positional arguments and
    # list comprehensions here, and empty fields skipped, halve the time
    # spent building the objects.
    raw = orjson.loads(data)
    get = raw.get
    aliases = get("aliases")
    related = get("related")
    severity = get("severity")
    affected = get("affected")
    references = get("references")
    return Advisory(
        raw["id"],
        raw["modified"],
        get("published"),
        get("withdrawn"),
        tuple(aliases) if aliases else (),
        tuple(related) if related else (),
        get("summary"),
        get("details"),
        _scores(severity) if severity else (),
        tuple([_affected(item) for item in affected]) if affected else (),
        tuple([Reference(r["type"], r["url"]) for r in references]) if references else (),
        get("database_specific") or {},
    )


class Codec:
    """Compresses and decompresses stored records with one (optional) dictionary."""

    __slots__ = ("_compressor", "_decompressor", "dictionary")

    def __init__(self, dictionary: bytes | None) -> None:
        self.dictionary = dictionary
        zdict = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        if zdict is None:
            self._compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL)
            self._decompressor = zstandard.ZstdDecompressor()
        else:
            self._compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL, dict_data=zdict)
            self._decompressor = zstandard.ZstdDecompressor(dict_data=zdict)

    def compress(self, data: bytes) -> bytes:
        return self._compressor.compress(data)

    def decompress(self, blob: bytes) -> bytes:
        return self._decompressor.decompress(blob, max_output_size=MAX_RECORD_BYTES)


def train_dictionary(samples: list[bytes | bytearray | memoryview]) -> bytes | None:
    """A dictionary trained on these encoded records, or None when there are too few."""
    if len(samples) < MIN_TRAINING_SAMPLES:
        return None
    try:
        trained = zstandard.train_dictionary(DICTIONARY_BYTES, samples, level=COMPRESSION_LEVEL)
    except zstandard.ZstdError:
        # zstd refuses when the samples are too small or too alike to learn from.
        return None
    return trained.as_bytes()


def _advisory_dict(advisory: Advisory) -> dict[str, Any]:
    out: dict[str, Any] = {"id": advisory.id, "modified": advisory.modified}
    _put(out, "published", advisory.published)
    _put(out, "withdrawn", advisory.withdrawn)
    _put(out, "aliases", list(advisory.aliases))
    _put(out, "related", list(advisory.related))
    _put(out, "summary", advisory.summary)
    _put(out, "details", advisory.details)
    _put(out, "severity", [{"type": s.type, "score": s.score} for s in advisory.severity])
    _put(out, "affected", [_affected_dict(item) for item in advisory.affected])
    _put(out, "references", [{"type": r.type, "url": r.url} for r in advisory.references])
    _put(out, "database_specific", dict(advisory.database_specific))
    return out


def _affected_dict(item: AffectedPackage) -> dict[str, Any]:
    package: dict[str, Any] = {"ecosystem": item.ecosystem, "name": item.name}
    _put(package, "purl", item.purl)
    out: dict[str, Any] = {"package": package}
    _put(out, "ranges", [_range_dict(r) for r in item.ranges])
    _put(out, "versions", list(item.versions))
    _put(out, "severity", [{"type": s.type, "score": s.score} for s in item.severity])
    _put(out, "ecosystem_specific", dict(item.ecosystem_specific))
    _put(out, "database_specific", dict(item.database_specific))
    return out


def _range_dict(item: AffectedRange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": item.type.value,
        "events": [{event.kind.value: event.version} for event in item.events],
    }
    _put(out, "repo", item.repo)
    _put(out, "database_specific", dict(item.database_specific))
    return out


def _put(out: dict[str, Any], key: str, value: object) -> None:
    # None and empty containers are the model's defaults: leaving them out
    # keeps records small and decodes back to the same value. An empty string
    # is a value, not a default, so it is kept.
    if value is None or (isinstance(value, list | dict) and not value):
        return
    out[key] = value


_KINDS = {kind.value: kind for kind in EventKind}
_TYPES = {kind.value: kind for kind in RangeType}


def _scores(raw: list[dict[str, str]]) -> tuple[SeverityScore, ...]:
    return tuple([SeverityScore(s["type"], s["score"]) for s in raw])


def _affected(raw: dict[str, Any]) -> AffectedPackage:
    package = raw["package"]
    ranges = raw.get("ranges")
    versions = raw.get("versions")
    severity = raw.get("severity")
    return AffectedPackage(
        package["ecosystem"],
        package["name"],
        package.get("purl"),
        tuple([_range(item) for item in ranges]) if ranges else (),
        tuple(versions) if versions else (),
        _scores(severity) if severity else (),
        raw.get("ecosystem_specific") or {},
        raw.get("database_specific") or {},
    )


def _range(raw: dict[str, Any]) -> AffectedRange:
    events = [
        RangeEvent(_KINDS[kind], version)
        for event in raw["events"]
        for kind, version in event.items()
    ]
    return AffectedRange(
        _TYPES[raw["type"]], tuple(events), raw.get("repo"), raw.get("database_specific") or {}
    )
