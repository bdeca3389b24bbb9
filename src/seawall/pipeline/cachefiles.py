"""Cache files: written whole or not at all, and discarded when they do not decode.

Entries live as `<dir>/<key><suffix>`; a writer renames a finished temporary
file into place, so a reader never sees half an entry, and an entry that does
not decode (truncated, tampered with, from an older format) is removed and
treated as absent. The decoders below check every type for the same reason.

`logging` is imported only to report a discarded entry: a run that reads
good entries never needs it (docs/architecture.md, "Start-up").
"""

import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import zstandard

from seawall.model.package import Ecosystem, Location, Package

_T = TypeVar("_T")
_DECODE_ERRORS = (zstandard.ZstdError, struct.error, ValueError, KeyError, TypeError, IndexError)


class CacheFiles:
    """One cache directory; a None directory caches nothing."""

    def __init__(self, directory: Path | None, suffix: str) -> None:
        self._dir = directory
        self._suffix = suffix

    def load(self, key: str, decode: Callable[[bytes], _T]) -> _T | None:
        if self._dir is None:
            return None
        path = self._dir / f"{key}{self._suffix}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return decode(data)
        except _DECODE_ERRORS as error:
            import logging

            logging.getLogger(__name__).warning(
                "discarding unreadable cache entry %s: %s", path, error
            )
            path.unlink(missing_ok=True)
            return None

    def store(self, key: str, data: bytes) -> None:
        if self._dir is None:
            return
        # Imported here: tempfile (and `random` under it) is start-up time a
        # run that only reads the cache never needs.
        import tempfile

        self._dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._dir, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            Path(temporary).replace(self._dir / f"{key}{self._suffix}")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# The reverse of `package_record`, checking every type: an entry that was
# tampered with or truncated raises (and is discarded) instead of producing a
# wrong package. Written out rather than through the pydantic records of
# `source.sbom`: a warm scan decodes thousands of these, and pydantic's import
# alone cost more than the whole decode.


def decode_package(record: dict[str, Any]) -> Package:
    return Package(
        name=text(record["name"]),
        version=text(record["version"]),
        ecosystem=Ecosystem(text(record["ecosystem"])),
        purl=text(record["purl"]),
        cataloger=text(record["cataloger"]),
        ecosystem_release=optional_text(record["ecosystem_release"]),
        source_name=optional_text(record["source_name"]),
        source_version=optional_text(record["source_version"]),
        arch=optional_text(record["arch"]),
        licenses=tuple(text(name) for name in as_list(record["licenses"])),
        locations=tuple(
            Location(text(loc["path"]), optional_int(loc["layer"]))
            for loc in as_list(record["locations"])
        ),
        checksums=tuple(
            (text(item["algorithm"]), text(item["value"])) for item in as_list(record["checksums"])
        ),
        owner=optional_text(record["owner"]),
    )


def text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def optional_text(value: object) -> str | None:
    return None if value is None else text(value)


def optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, found {type(value).__name__}")
    return value


def as_list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value
