"""The finished inventory of an image, cached under the ordered keys of its layers.

A warm scan of an image seen before needs neither its reduced layers nor the
catalogers: the key hashes every layer's cache key (which already covers the
layer digest, the catalogers' versions and the limits), the platform (npm
optional packages depend on it) and this module's FORMAT, to bump whenever
the assembly in `pipeline.inventory` changes what it produces.
"""

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import zstandard

from seawall import __version__
from seawall.model.image import Platform
from seawall.model.package import CatalogerStatus, Distro, Inventory, Relationship
from seawall.pipeline.cachefiles import (
    CacheFiles,
    as_list,
    decode_package,
    optional_int,
    optional_text,
    text,
)

FORMAT = 1
_MAX_ENTRY_BYTES = 1 << 30


def inventory_key(layer_keys: Sequence[str], platform: Platform | None) -> str:
    """The key of an image's inventory, from its layers' keys bottom first."""
    material = {
        "format": FORMAT,
        "seawall": __version__,
        "layers": list(layer_keys),
        "platform": str(platform) if platform else None,
    }
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


class InventoryCache:
    """Inventories on disk under `<cache>/inventories/`; a None root caches nothing."""

    def __init__(self, root: Path | None) -> None:
        self._files = CacheFiles(root / "inventories" if root is not None else None, ".inventory")

    def load(self, key: str) -> Inventory | None:
        return self._files.load(key, _decode)

    def store(self, key: str, inventory: Inventory) -> None:
        self._files.store(key, _encode(inventory))


def _encode(inventory: Inventory) -> bytes:
    # Imported here: only a run that missed the cache writes an entry.
    from seawall.report.sbom.native import distro_record, package_record, status_record

    document = {
        "packages": [package_record(p) for p in inventory.packages],
        "distro": distro_record(inventory.distro) if inventory.distro else None,
        "relationships": [[r.parent, r.child] for r in inventory.relationships],
        "statuses": [status_record(s) for s in inventory.statuses],
    }
    return zstandard.ZstdCompressor(level=3).compress(orjson.dumps(document))


def _decode(data: bytes) -> Inventory:
    body = zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_ENTRY_BYTES)
    document: dict[str, Any] = orjson.loads(body)
    distro = document["distro"]
    return Inventory(
        packages=tuple(decode_package(record) for record in as_list(document["packages"])),
        distro=None if distro is None else _distro(distro),
        relationships=tuple(
            Relationship(text(parent), text(child))
            for parent, child in as_list(document["relationships"])
        ),
        statuses=tuple(_status(record) for record in as_list(document["statuses"])),
    )


def _distro(record: dict[str, Any]) -> Distro:
    return Distro(
        id=text(record["id"]),
        version_id=optional_text(record["version_id"]),
        pretty_name=optional_text(record["pretty_name"]),
        version_codename=optional_text(record["version_codename"]),
        id_like=tuple(text(item) for item in as_list(record["id_like"])),
        version=optional_text(record["version"]),
    )


def _status(record: dict[str, Any]) -> CatalogerStatus:
    version = optional_int(record["version"])
    files_read = optional_int(record["files_read"])
    if version is None or files_read is None:
        raise TypeError("a status needs a version and a file count")
    return CatalogerStatus(
        name=text(record["name"]),
        version=version,
        files_read=files_read,
        problems=tuple(text(problem) for problem in as_list(record["problems"])),
    )
