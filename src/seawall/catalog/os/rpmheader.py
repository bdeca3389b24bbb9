"""The rpm header blob that every rpm database stores per package.

Layout (rpm's lib/header.c, "header structure"; the format is also described
in the LSB's "Package File Format" and rpm's docs/manual/format_header.md):

    il: u32 BE   number of index entries
    dl: u32 BE   length of the data store
    il * {tag: i32 BE, type: u32 BE, offset: i32 BE, count: u32 BE}
    dl bytes of data store

Databases store the blob without the 8-byte header magic of .rpm files; a
blob that carries it is accepted too. Every offset and count is checked
against the blob before use: the input is hostile.
"""

import struct
from dataclasses import dataclass

from seawall.errors import InputError

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_SOURCERPM = 1044

_TYPE_INT32 = 4
_TYPE_STRING = 6
_TYPE_STRING_ARRAY = 8
_TYPE_I18NSTRING = 9
_STRING_TYPES = frozenset({_TYPE_STRING, _TYPE_STRING_ARRAY, _TYPE_I18NSTRING})

_HEADER_MAGIC = b"\x8e\xad\xe8\x01"
_WANTED = frozenset(
    {TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_LICENSE, TAG_ARCH, TAG_SOURCERPM}
)
_ENTRY = struct.Struct(">iIiI")


class RpmFormatError(InputError):
    """An rpm header or database is malformed."""


@dataclass(frozen=True, slots=True)
class RpmHeader:
    """The fields of an rpm header that make a package."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str | None
    license: str | None
    source_rpm: str | None


def _string(store: bytes, tag: int, kind: int, offset: int, count: int) -> str:
    if kind not in _STRING_TYPES:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected a string")
    if count < 1 or not 0 <= offset < len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    end = store.find(b"\0", offset)
    if end < 0:
        raise RpmFormatError(f"tag {tag} string is not terminated")
    # For string arrays and i18n strings the first element is the default.
    return store[offset:end].decode("utf-8", errors="replace")


def _int32(store: bytes, tag: int, kind: int, offset: int, count: int) -> int:
    if kind != _TYPE_INT32:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected int32")
    if count < 1 or offset < 0 or offset % 4 or offset + 4 > len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    value: int = struct.unpack_from(">I", store, offset)[0]
    return value


def parse_header(blob: bytes) -> RpmHeader:
    """The package fields of one header blob; raises RpmFormatError when it is malformed."""
    start = 8 if blob[:4] == _HEADER_MAGIC else 0
    if len(blob) - start < 8:
        raise RpmFormatError(f"header is {len(blob)} bytes, too short for its preamble")
    index_count, store_length = struct.unpack_from(">II", blob, start)
    index_start = start + 8
    store_start = index_start + 16 * index_count
    # Both counts are bounded by the blob itself, so nothing below can run long.
    if index_count == 0 or store_start + store_length > len(blob):
        raise RpmFormatError(
            f"header claims {index_count} index entries and {store_length} data bytes, "
            f"but holds {len(blob)} bytes"
        )
    store = blob[store_start : store_start + store_length]
    entries: dict[int, tuple[int, int, int]] = {}
    for tag, kind, offset, count in _ENTRY.iter_unpack(blob[index_start:store_start]):
        if tag in _WANTED:
            # A later entry for the same tag (a "dribble" after the region) wins, as in rpm.
            entries[tag] = (kind, offset, count)

    def text(tag: int) -> str | None:
        entry = entries.get(tag)
        return None if entry is None else _string(store, tag, *entry)

    name, version, release = text(TAG_NAME), text(TAG_VERSION), text(TAG_RELEASE)
    if not name or not version or not release:
        labels = (("NAME", name), ("VERSION", version), ("RELEASE", release))
        raise RpmFormatError(f"header lacks {', '.join(k for k, v in labels if not v)}")
    epoch_entry = entries.get(TAG_EPOCH)
    return RpmHeader(
        name=name,
        version=version,
        release=release,
        epoch=None if epoch_entry is None else _int32(store, TAG_EPOCH, *epoch_entry),
        arch=text(TAG_ARCH) or None,
        license=text(TAG_LICENSE) or None,
        source_rpm=text(TAG_SOURCERPM) or None,
    )


def split_source_rpm(source_rpm: str) -> tuple[str, str, str] | None:
    """`name-version-release.src.rpm` → (name, version, release); None if it is not that shape."""
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if source_rpm.endswith(suffix):
            stem = source_rpm[: -len(suffix)]
            break
    else:
        return None
    parts = stem.rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]
