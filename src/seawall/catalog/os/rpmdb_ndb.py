"""Header blobs from rpm's ndb database, `Packages.db` (SUSE, openSUSE).

Layout, from rpm's lib/backend/ndb/rpmpkg.c (little-endian throughout):

- A 32-byte file header: magic `RpmP`, version 0, generation, number of slot
  pages, next package index.
- The slot area: that many 4096-byte pages of 16-byte slots (the first two
  slot positions are the file header): magic `Slot`, package index, block
  offset, block count. A block is 16 bytes; a slot with block offset 0 is free.
- Each package's blob at `block offset * 16`: a 16-byte head (magic `BlbS`,
  package index, generation, blob length), the header blob, zero padding,
  and a 12-byte tail (Adler-32 of everything before the tail, blob length,
  magic `BlbE`) ending exactly at the last of its blocks.
"""

import struct
import zlib
from collections.abc import Iterator

from seawall.catalog.os.rpmheader import RpmFormatError

_FILE_MAGIC = b"RpmP"
_SLOT_MAGIC = b"Slot"
_BLOB_HEAD_MAGIC = b"BlbS"
_BLOB_TAIL_MAGIC = b"BlbE"
_PAGE = 4096
_SLOT = 16
_BLOCK = 16
_HEADER_SIZE = 32
_BLOB_HEAD = 16
_BLOB_TAIL = 12
_MAX_SLOT_PROBLEMS = 20


def is_ndb(data: bytes) -> bool:
    """Whether `data` starts like an rpm ndb package database."""
    return data[:4] == _FILE_MAGIC


def _blob(data: bytes, index: int, block: int, blocks: int) -> bytes:
    start = block * _BLOCK
    end = start + blocks * _BLOCK
    if end > len(data):
        raise RpmFormatError(f"blocks {block}+{blocks} run past the end of the file")
    magic, owner, _generation, length = struct.unpack_from("<4sIII", data, start)
    if magic != _BLOB_HEAD_MAGIC or owner != index:
        raise RpmFormatError(f"block {block} does not start a blob of package {index}")
    if blocks != (_BLOB_HEAD + length + _BLOB_TAIL + _BLOCK - 1) // _BLOCK:
        raise RpmFormatError(f"blob length {length} does not fit its {blocks} blocks")
    checksum, tail_length, tail_magic = struct.unpack_from("<II4s", data, end - _BLOB_TAIL)
    if tail_magic != _BLOB_TAIL_MAGIC or tail_length != length:
        raise RpmFormatError("blob tail is damaged")
    if zlib.adler32(data[start : end - _BLOB_TAIL]) != checksum:
        raise RpmFormatError("blob checksum (Adler-32) does not match")
    return data[start + _BLOB_HEAD : start + _BLOB_HEAD + length]


def iter_ndb_headers(data: bytes, problems: list[str]) -> Iterator[tuple[int, bytes]]:
    """(package index, header blob) of every used slot, in package-index order.

    A damaged blob is recorded in `problems` and skipped; a damaged file
    header or slot area raises RpmFormatError.
    """
    if len(data) < _HEADER_SIZE or not is_ndb(data):
        raise RpmFormatError("not an rpm ndb database (bad magic)")
    version, _generation, slot_pages = struct.unpack_from("<III", data, 4)
    if version != 0:
        raise RpmFormatError(f"unsupported ndb version {version}")
    if slot_pages == 0 or slot_pages * _PAGE > len(data):
        raise RpmFormatError(f"{slot_pages} slot pages do not fit a {len(data)}-byte file")
    first_blob_block = slot_pages * _PAGE // _BLOCK
    used: list[tuple[int, int, int]] = []
    for offset in range(_HEADER_SIZE, slot_pages * _PAGE, _SLOT):
        magic, index, block, blocks = struct.unpack_from("<4sIII", data, offset)
        if magic != _SLOT_MAGIC:
            raise RpmFormatError(f"slot at offset {offset} has a bad magic")
        if block == 0:
            continue  # a free slot
        if index == 0 or blocks == 0 or block < first_blob_block:
            raise RpmFormatError(f"slot at offset {offset} is invalid")
        used.append((index, block, blocks))
    damaged = 0
    for index, block, blocks in sorted(used):
        try:
            blob = _blob(data, index, block, blocks)
        except RpmFormatError as error:
            damaged += 1
            if damaged <= _MAX_SLOT_PROBLEMS:
                problems.append(f"package {index}: {error}")
            continue
        yield index, blob
    if damaged > _MAX_SLOT_PROBLEMS:
        problems.append(f"{damaged - _MAX_SLOT_PROBLEMS} more damaged blob(s)")
