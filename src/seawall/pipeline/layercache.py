"""The per-layer cache: reduced layers stored under the layer's digest and the plugins that read it.

The key hashes the layer's blob digest, every cataloger's NAME:VERSION and
file cap, the effective limits and this file format's version (DESIGN.md §2),
so bumping a cataloger's VERSION invalidates exactly what it produced. An
entry is one zstd frame: a length-prefixed JSON header (file-local findings,
skipped files, problems) then the reduced tar. Entries are written to a
temporary file and renamed, so readers never see half an entry; an entry that
does not decode is treated as absent and removed.
"""

import dataclasses
import hashlib
import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import zstandard

from seawall.limits import Limits
from seawall.model.image import Layer
from seawall.model.package import Relationship
from seawall.pipeline.cachefiles import CacheFiles, decode_package, text

if TYPE_CHECKING:
    from seawall.pipeline.reduce import Reader, ReducedLayer

# `layer_key` is on every run's path; the rest only on a run that misses the
# image's inventory, so the reducer's types (and through them the file views)
# and the record writer are imported where entries are written and read.

FORMAT = 3
"""3: package records carry `owner`; dpkg file lists are kept reduced to wanted lines."""
_HEADER = struct.Struct(">I")
_MAX_ENTRY_BYTES = 4 << 30


def layer_key(layer: Layer, readers: "Sequence[Reader]", limits: Limits) -> str | None:
    """The cache key of a layer reduced for `readers`, or None when the layer has no digest."""
    identity = layer.digest or layer.diff_id
    if identity is None:
        return None
    material = {
        "format": FORMAT,
        "layer": identity,
        "plugins": sorted(f"{r.NAME}:{r.VERSION}:{r.MAX_FILE_BYTES}" for r in readers),
        "limits": dataclasses.asdict(limits),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class LayerCache:
    """Reduced layers on disk under `<cache>/layers/`; a None root caches nothing."""

    def __init__(self, root: Path | None) -> None:
        self._files = CacheFiles(root / "layers" if root is not None else None, ".layer")
        self._enabled = root is not None

    def load(self, key: str) -> "ReducedLayer | None":
        return self._files.load(key, _decode)

    def store(self, key: str, reduced: "ReducedLayer") -> None:
        if self._enabled:  # else not even encoded (`--no-cache`: ~5 ms a layer)
            self._files.store(key, _encode(reduced))


def _encode(reduced: "ReducedLayer") -> bytes:
    from seawall.report.sbom.native import package_record

    header = orjson.dumps(
        {
            "findings": [
                {
                    "cataloger": found.cataloger,
                    "path": found.path,
                    "packages": [package_record(p) for p in found.packages],
                    "relationships": [[r.parent, r.child] for r in found.relationships],
                    "problems": list(found.problems),
                }
                for found in reduced.findings
            ],
            "skipped": [list(pair) for pair in reduced.skipped],
            "problems": [[p.where, p.message] for p in reduced.problems],
        }
    )
    body = _HEADER.pack(len(header)) + header + reduced.tar
    return zstandard.ZstdCompressor(level=3).compress(body)


def _decode(data: bytes) -> "ReducedLayer":
    from seawall.model.files import Problem
    from seawall.pipeline.reduce import FileFindings, ReducedLayer

    body = zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_ENTRY_BYTES)
    (length,) = _HEADER.unpack_from(body)
    header: dict[str, Any] = orjson.loads(body[_HEADER.size : _HEADER.size + length])
    findings = tuple(
        FileFindings(
            cataloger=text(found["cataloger"]),
            path=text(found["path"]),
            packages=tuple(decode_package(record) for record in found["packages"]),
            relationships=tuple(Relationship(text(a), text(b)) for a, b in found["relationships"]),
            problems=tuple(text(problem) for problem in found["problems"]),
        )
        for found in header["findings"]
    )
    return ReducedLayer(
        tar=body[_HEADER.size + length :],
        findings=findings,
        skipped=tuple((text(a), text(b)) for a, b in header["skipped"]),
        problems=tuple(Problem(text(a), text(b)) for a, b in header["problems"]),
    )
