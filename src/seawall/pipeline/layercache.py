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
import logging
import os
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import zstandard

from seawall.limits import Limits
from seawall.model.files import Problem
from seawall.model.image import Layer
from seawall.model.package import Ecosystem, Location, Package, Relationship
from seawall.pipeline.reduce import FileFindings, Reader, ReducedLayer
from seawall.report.sbom.native import package_record

log = logging.getLogger(__name__)

FORMAT = 2
_HEADER = struct.Struct(">I")
_MAX_ENTRY_BYTES = 4 << 30


def layer_key(layer: Layer, readers: Sequence[Reader], limits: Limits) -> str | None:
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
        self._dir = root / "layers" if root is not None else None

    def load(self, key: str) -> ReducedLayer | None:
        if self._dir is None:
            return None
        path = self._dir / f"{key}.layer"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return _decode(data)
        except (
            zstandard.ZstdError,
            struct.error,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
        ) as error:
            log.warning("discarding unreadable cache entry %s: %s", path, error)
            path.unlink(missing_ok=True)
            return None

    def store(self, key: str, reduced: ReducedLayer) -> None:
        if self._dir is None:
            return
        self._dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._dir, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_encode(reduced))
            Path(temporary).replace(self._dir / f"{key}.layer")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _encode(reduced: ReducedLayer) -> bytes:
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


def _decode(data: bytes) -> ReducedLayer:
    body = zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_ENTRY_BYTES)
    (length,) = _HEADER.unpack_from(body)
    header: dict[str, Any] = orjson.loads(body[_HEADER.size : _HEADER.size + length])
    findings = tuple(
        FileFindings(
            cataloger=_text(found["cataloger"]),
            path=_text(found["path"]),
            packages=tuple(_package(record) for record in found["packages"]),
            relationships=tuple(
                Relationship(_text(a), _text(b)) for a, b in found["relationships"]
            ),
            problems=tuple(_text(problem) for problem in found["problems"]),
        )
        for found in header["findings"]
    )
    return ReducedLayer(
        tar=body[_HEADER.size + length :],
        findings=findings,
        skipped=tuple((_text(a), _text(b)) for a, b in header["skipped"]),
        problems=tuple(Problem(_text(a), _text(b)) for a, b in header["problems"]),
    )


# The reverse of `package_record`, checking every type: an entry that was
# tampered with or truncated raises (and is discarded) instead of producing a
# wrong package. Written out rather than through the pydantic records of
# `source.sbom`: a warm scan decodes thousands of these, and pydantic's import
# alone cost more than the whole decode.


def _package(record: dict[str, Any]) -> Package:
    return Package(
        name=_text(record["name"]),
        version=_text(record["version"]),
        ecosystem=Ecosystem(_text(record["ecosystem"])),
        purl=_text(record["purl"]),
        cataloger=_text(record["cataloger"]),
        ecosystem_release=_optional_text(record["ecosystem_release"]),
        source_name=_optional_text(record["source_name"]),
        source_version=_optional_text(record["source_version"]),
        arch=_optional_text(record["arch"]),
        licenses=tuple(_text(name) for name in _list(record["licenses"])),
        locations=tuple(
            Location(_text(loc["path"]), _optional_int(loc["layer"]))
            for loc in _list(record["locations"])
        ),
        checksums=tuple(
            (_text(item["algorithm"]), _text(item["value"])) for item in _list(record["checksums"])
        ),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, found {type(value).__name__}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value
