"""Header blobs from a Berkeley DB hash database: rpm's legacy `Packages` file.

Read page by page with no libdb, the way rpm's own read-only backend
(lib/backend/bdb_ro) does. Page layouts from libdb's src/dbinc/db_page.h:

- Page 0 is the hash metadata page (DBMETA): magic 0x061561 at offset 12
  (byte-swapped when the database was written on a machine of the other
  endianness), version at 16, page size at 20, encryption algorithm at 24,
  page type at 25 (P_HASHMETA = 8), last page number at 32.
- Every other page starts with a 26-byte header: page number at 8, previous
  and next page at 12 and 16, entry count at 20, high-free offset at 22, page
  type at 25. Hash pages (P_HASH = 13, pre-4.6 P_HASH_UNSORTED = 2) hold an
  array of 2-byte item offsets at 26; items alternate key and data, each item
  starting with its type: H_KEYDATA (1, the bytes follow inline; an item's
  length is the distance to the previous item's offset, or to the page end
  for the first) or H_OFFPAGE (3; page number at +4, total length at +8)
  for items kept on a chain of overflow pages (P_OVERFLOW = 7), each holding
  `high-free` bytes after its header.

rpm keys the Packages database by header number; record 0 holds rpm's
bookkeeping, not a header, and is skipped. Bucket order is not needed:
walking every hash page finds every record once.
"""

import struct
from collections.abc import Iterator

from seawall.catalog.os.rpmheader import RpmFormatError

_HASH_MAGIC = 0x00061561
_META_SIZE = 512
_PAGE_HEADER = 26
_VALID_PAGE_SIZES = frozenset(1 << shift for shift in range(9, 17))
_P_HASH_UNSORTED = 2
_P_OVERFLOW = 7
_P_HASHMETA = 8
_P_HASH = 13
_H_KEYDATA = 1
_H_OFFPAGE = 3
_MAX_PAGE_PROBLEMS = 20


def is_bdb_hash(data: bytes) -> bool:
    """Whether `data` starts like a Berkeley DB hash database (either byte order)."""
    if len(data) < 16:
        return False
    magic_le: int = struct.unpack_from("<I", data, 12)[0]
    magic_be: int = struct.unpack_from(">I", data, 12)[0]
    return _HASH_MAGIC in (magic_le, magic_be)


class _Pages:
    """Page access with the database's byte order and bounds checks."""

    def __init__(self, data: bytes) -> None:
        if len(data) < _META_SIZE:
            raise RpmFormatError(
                f"Berkeley DB file is {len(data)} bytes, shorter than its meta page"
            )
        if struct.unpack_from("<I", data, 12)[0] == _HASH_MAGIC:
            self.order = "<"
        elif struct.unpack_from(">I", data, 12)[0] == _HASH_MAGIC:
            self.order = ">"
        else:
            raise RpmFormatError("not a Berkeley DB hash database (bad magic)")
        version, page_size = struct.unpack_from(self.order + "II", data, 16)
        encryption, page_type = data[24], data[25]
        (last_page,) = struct.unpack_from(self.order + "I", data, 32)
        # rpm's bdb_ro accepts hash versions 8 to 10 (libdb 4.x to 5.x/18.x).
        if not 8 <= version <= 10:
            raise RpmFormatError(f"unsupported Berkeley DB hash version {version}")
        if page_size not in _VALID_PAGE_SIZES:
            raise RpmFormatError(f"invalid Berkeley DB page size {page_size}")
        if encryption != 0:
            raise RpmFormatError("encrypted Berkeley DB databases are not supported")
        if page_type != _P_HASHMETA:
            raise RpmFormatError(f"page 0 has type {page_type}, not a hash meta page")
        self.data = data
        self.page_size = page_size
        self.claimed_pages = last_page + 1
        self.count = min(self.claimed_pages, len(data) // page_size)

    def page(self, number: int) -> bytes:
        start = number * self.page_size
        return self.data[start : start + self.page_size]

    def u16(self, page: bytes, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "H", page, offset)[0]
        return value

    def u32(self, page: bytes, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "I", page, offset)[0]
        return value


def _overflow(pages: _Pages, first: int, total: int) -> bytes:
    """The `total` bytes of an off-page item, following its overflow chain."""
    parts: list[bytes] = []
    remaining = total
    number = first
    visited = 0
    while remaining > 0:
        if not 0 < number < pages.count:
            raise RpmFormatError(f"overflow chain points to page {number}, outside the file")
        visited += 1
        if visited > pages.count:
            raise RpmFormatError("overflow chain loops")
        page = pages.page(number)
        if page[25] != _P_OVERFLOW:
            raise RpmFormatError(f"overflow chain reaches page {number} of type {page[25]}")
        length = pages.u16(page, 22)
        if length == 0 or length > remaining or _PAGE_HEADER + length > pages.page_size:
            raise RpmFormatError(f"overflow page {number} holds an invalid length {length}")
        parts.append(page[_PAGE_HEADER : _PAGE_HEADER + length])
        remaining -= length
        number = pages.u32(page, 16)
    return b"".join(parts)


def _item(pages: _Pages, page: bytes, offset: int, length: int) -> bytes | None:
    """An item's bytes, or None for item kinds rpm's Packages never uses (duplicates)."""
    kind = page[offset]
    if kind == _H_KEYDATA:
        return page[offset + 1 : offset + length]
    if kind == _H_OFFPAGE:
        if length < 12:
            raise RpmFormatError(f"off-page item at offset {offset} is truncated")
        return _overflow(pages, pages.u32(page, offset + 4), pages.u32(page, offset + 8))
    return None


def _page_records(pages: _Pages, number: int) -> Iterator[tuple[bytes, bytes]]:
    page = pages.page(number)
    entries = pages.u16(page, 20)
    if entries % 2 or _PAGE_HEADER + 2 * entries > pages.page_size:
        raise RpmFormatError(f"hash page {number} claims {entries} items")
    offsets = struct.unpack_from(f"{pages.order}{entries}H", page, _PAGE_HEADER)
    floor = _PAGE_HEADER + 2 * entries
    for index in range(0, entries, 2):
        bounds = []
        for item in (index, index + 1):
            offset = offsets[item]
            end = pages.page_size if item == 0 else offsets[item - 1]
            if not floor <= offset < end:
                raise RpmFormatError(f"hash page {number} item {item} has offset {offset}")
            bounds.append((offset, end - offset))
        key = _item(pages, page, *bounds[0])
        value = _item(pages, page, *bounds[1])
        if key is not None and value is not None:
            yield key, value


def iter_bdb_headers(data: bytes, problems: list[str]) -> Iterator[tuple[int, bytes]]:
    """(record number, header blob) of every package record, in page order.

    Structural damage confined to one page is recorded in `problems` and the
    walk goes on; damage to the meta page raises RpmFormatError.
    """
    pages = _Pages(data)
    if pages.count < pages.claimed_pages:
        problems.append(
            f"file is truncated: {pages.claimed_pages} pages claimed, {pages.count} present"
        )
    page_problems = 0
    for number in range(1, pages.count):
        if pages.page(number)[25] not in (_P_HASH, _P_HASH_UNSORTED):
            continue
        try:
            for key, value in _page_records(pages, number):
                if len(key) != 4:
                    continue
                record = int.from_bytes(key, "little" if pages.order == "<" else "big")
                if record == 0:
                    continue  # rpm's bookkeeping record, not a header
                yield record, value
        except RpmFormatError as error:
            page_problems += 1
            if page_problems <= _MAX_PAGE_PROBLEMS:
                problems.append(f"page {number}: {error}")
    if page_problems > _MAX_PAGE_PROBLEMS:
        problems.append(f"{page_problems - _MAX_PAGE_PROBLEMS} more damaged page(s)")
