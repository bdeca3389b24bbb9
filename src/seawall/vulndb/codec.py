"""The stored form of an advisory: canonical JSON, compressed with a shared zstd dictionary.

Records are validated once, at import (`osv.parse_record`); the store keeps the
parsed `Advisory` as compact JSON with sorted keys and no empty fields, and
reads it back without validating again. OSV records repeat the same keys and
phrases, so a dictionary trained on the import's own records compresses each
small record several times better than compressing it alone.
"""

from collections.abc import Mapping
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
    if item.ranges:
        out["ranges"] = [_range_dict(r) for r in item.ranges]
    if item.versions:
        out["versions"] = item.versions
    if item.severity:
        out["severity"] = [{"type": s.type, "score": s.score} for s in item.severity]
    if item.ecosystem_specific:
        out["ecosystem_specific"] = _plain(item.ecosystem_specific)
    if item.database_specific:
        out["database_specific"] = _plain(item.database_specific)
    return out


def _range_dict(item: AffectedRange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": item.type.value,
        "events": [{event.kind.value: event.version} for event in item.events],
    }
    if item.repo is not None:
        out["repo"] = item.repo
    if item.database_specific:
        out["database_specific"] = _plain(item.database_specific)
    return out


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    # orjson writes dicts only; the model types these fields as any Mapping.
    return mapping if type(mapping) is dict else dict(mapping)


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
