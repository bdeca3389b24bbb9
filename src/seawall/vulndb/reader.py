"""Reading OSV records out of what users import: `all.zip` exports, directories, JSON files.

Every input is hostile. A zip is read entry by entry from disk (never whole
into memory); its central directory is sized from the end record before
`zipfile` parses it, entry counts and sizes are capped, and entry names must
be plain top-level `*.json` names. A bad entry becomes a `Rejected` (counted and
reported by the importer), never an exception; only an unreadable input as a
whole raises.

An import reads a zip's directory here and hands each stored or deflated
entry on as a `ZipMember` (`osv_items`): the process that prepares the
record reads and inflates it (`read_members`), so a large import spreads that
work over its worker processes instead of passing every record's bytes to
them. `read_osv` reads every entry where it is called.
"""

import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from seawall.errors import InputError, LimitExceededError

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on one imported input."""

    max_record_bytes: int = 32 * MiB
    """One OSV record; the largest real ones (kernel CVEs listing every version) are ~1 MiB."""
    max_entries: int = 2_000_000
    """Entries in one zip or files in one directory (OSV's largest export has ~500k)."""
    max_central_directory_bytes: int = 512 * MiB
    max_total_bytes: int = 64 * 1024 * MiB
    """Uncompressed bytes read from one input."""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """The bytes of one record and where they came from (`PyPI/all.zip:PYSEC-2021-1.json`)."""

    where: str
    data: bytes

    def __reduce__(self) -> tuple[type["RawRecord"], tuple[str, bytes]]:
        # Plain tuples cross to worker processes much faster than slotted dataclasses.
        return (RawRecord, (self.where, self.data))


@dataclass(frozen=True, slots=True)
class ZipMember:
    """A stored or deflated entry of a zip whose directory was checked, read later.

    `read_members` reads at most `compressed` bytes at `offset`, inflates at
    most `size` bytes and checks them against `crc`, as `read_osv` does.
    """

    archive: str
    where: str
    offset: int
    method: int
    compressed: int
    size: int
    crc: int

    def __reduce__(self) -> tuple[type["ZipMember"], tuple[str, str, int, int, int, int, int]]:
        return (
            ZipMember,
            (
                self.archive,
                self.where,
                self.offset,
                self.method,
                self.compressed,
                self.size,
                self.crc,
            ),
        )


@dataclass(frozen=True, slots=True)
class Rejected:
    """An entry that is not a usable record, and why."""

    where: str
    reason: str

    def __reduce__(self) -> tuple[type["Rejected"], tuple[str, str]]:
        return (Rejected, (self.where, self.reason))


Item = RawRecord | Rejected | ZipMember
"""What `osv_items` yields: a record, a refused entry, or a zip entry still to read."""


def read_osv(path: Path, limits: ReadLimits | None = None) -> Iterator[RawRecord | Rejected]:
    """Every record in `path`: an OSV zip, a directory of `*.json` files, or one JSON file."""
    return _read_now(osv_items(path, limits))


def _read_now(items: Iterator[Item]) -> Iterator[RawRecord | Rejected]:
    for item in items:
        if isinstance(item, ZipMember):
            yield from read_members([item])
        else:
            yield item


def osv_items(path: Path, limits: ReadLimits | None = None) -> Iterator[Item]:
    """`read_osv`'s records, with a zip's stored and deflated entries left to `read_members`."""
    limits = limits or ReadLimits()
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        return _read_directory(path, limits)
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file or directory")
    if zipfile.is_zipfile(path):
        return _read_zip(path, limits)
    return iter([_read_file(path, path.name, limits)])


def _read_zip(path: Path, limits: ReadLimits) -> Iterator[Item]:
    label = _label(path)
    resolved = str(path.resolve())
    with open(path, "rb") as stream:
        entries, directory_bytes = _central_directory_size(stream, label)
        if entries > limits.max_entries:
            raise LimitExceededError(
                f"{label} ({entries} entries)", "max_entries", limits.max_entries
            )
        if directory_bytes > limits.max_central_directory_bytes:
            raise LimitExceededError(
                f"{label}'s central directory ({directory_bytes} bytes)",
                "max_central_directory_bytes",
                limits.max_central_directory_bytes,
            )
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise InputError(f"{label}: not a readable zip archive: {error}") from None
        with archive:
            total = 0
            for info in archive.infolist():
                name = info.filename
                shown = name if name.isprintable() and len(name) <= 200 else _printable(name)
                where = f"{label}:{shown}"
                if info.is_dir():
                    continue
                problem = _entry_name_problem(info.filename)
                if problem:
                    yield Rejected(where, problem)
                    continue
                if info.file_size > limits.max_record_bytes:
                    yield Rejected(
                        where,
                        f"entry of {info.file_size} bytes exceeds max_record_bytes="
                        f"{limits.max_record_bytes}",
                    )
                    continue
                total += info.file_size
                if total > limits.max_total_bytes:
                    raise LimitExceededError(
                        f"{label} (uncompressed)", "max_total_bytes", limits.max_total_bytes
                    )
                if info.compress_type in _DIRECT and not info.flag_bits & 1:
                    yield ZipMember(
                        resolved,
                        where,
                        info.header_offset,
                        info.compress_type,
                        info.compress_size,
                        info.file_size,
                        info.CRC,
                    )
                    continue
                try:
                    # Other methods (and encrypted entries, which fail here) go
                    # through zipfile: it stops at the declared size and checks the CRC.
                    with archive.open(info) as member:
                        data = member.read(limits.max_record_bytes + 1)
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    lzma.LZMAError,
                    OSError,
                    EOFError,
                    RuntimeError,
                    ValueError,
                ) as error:
                    # zlib/lzma errors and OSError (bz2): corrupt data; RuntimeError:
                    # an encrypted entry or (NotImplementedError) an unknown method.
                    yield Rejected(where, f"unreadable zip entry: {_printable(str(error))}")
                    continue
                yield RawRecord(where, data)


_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""APPNOTE 4.3.7: signature, (version … sizes), file name length, extra field length."""
_DIRECT = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""What every OSV export uses; read straight from the file (see `read_members`)."""


def read_members(items: list[Item]) -> list[RawRecord | Rejected]:
    """`items` with every ZipMember read (each archive opened once), in order."""
    out: list[RawRecord | Rejected] = []
    streams: dict[str, BinaryIO] = {}
    try:
        for item in items:
            if not isinstance(item, ZipMember):
                out.append(item)
                continue
            stream = streams.get(item.archive)
            try:
                if stream is None:
                    stream = streams[item.archive] = open(item.archive, "rb")  # noqa: SIM115
                out.append(RawRecord(item.where, _read_member(stream, item)))
            except (zipfile.BadZipFile, zlib.error, OSError) as error:
                out.append(Rejected(item.where, f"unreadable zip entry: {_printable(str(error))}"))
    finally:
        for opened in streams.values():
            opened.close()
    return out


def _read_member(stream: BinaryIO, member: ZipMember) -> bytes:
    """One entry's bytes, at most its declared size, CRC-checked.

    Read straight from the file: zipfile's general reader costs more than the
    inflating does for records this small.
    """
    stream.seek(member.offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated local header")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header signature")
    stream.seek(name_length + extra_length, os.SEEK_CUR)
    if member.compressed > member.size + member.size // 64 + 1024:
        # Deflate never grows data by more than a few bytes per 16 KiB block.
        raise zipfile.BadZipFile("compressed size larger than deflate ever makes it")
    raw = stream.read(member.compressed)
    if len(raw) != member.compressed:
        raise zipfile.BadZipFile("truncated entry data")
    if member.method == zipfile.ZIP_STORED:
        data = raw
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        # Never more than the declared size: a bomb stops here.
        data = inflater.decompress(raw, member.size)
    if len(data) != member.size:
        raise zipfile.BadZipFile("entry size does not match the directory")
    if zlib.crc32(data) != member.crc:
        raise zipfile.BadZipFile("CRC mismatch")
    return data


def _entry_name_problem(name: str) -> str | None:
    # The OSV export puts `<ID>.json` at the top level. Anything else (paths,
    # parent references, absolute or Windows-style names, control characters)
    # is not part of the format and is refused rather than interpreted.
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        return "entry name is not a plain top-level file name"
    if not name.isprintable():
        return "entry name has control characters"
    if not name.endswith(".json"):
        return "not a .json entry"
    return None


def _read_directory(path: Path, limits: ReadLimits) -> Iterator[RawRecord | Rejected]:
    label = _label(path)
    total = 0
    # Sorted for a deterministic import; the count is checked while listing so
    # a directory of millions of files is refused before its names are held.
    names: list[str] = []
    with os.scandir(path) as scan:
        for entry in scan:
            if entry.name.endswith(".json"):
                names.append(entry.name)
                if len(names) > limits.max_entries:
                    raise LimitExceededError(label, "max_entries", limits.max_entries)
    for name in sorted(names):
        item = _read_file(path / name, f"{label}/{name}", limits)
        if isinstance(item, RawRecord):
            total += len(item.data)
            if total > limits.max_total_bytes:
                raise LimitExceededError(label, "max_total_bytes", limits.max_total_bytes)
        yield item


def _read_file(path: Path, where: str, limits: ReadLimits) -> RawRecord | Rejected:
    # O_NOFOLLOW: a link is refused, not followed out of the directory;
    # O_NONBLOCK: opening a FIFO does not wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        return Rejected(where, f"cannot read: {error.strerror}")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return Rejected(where, "not a regular file")
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        return Rejected(where, f"file exceeds max_record_bytes={limits.max_record_bytes}")
    return RawRecord(where, data)


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_EOCD_SEARCH = 22 + 65535  # the end record plus the longest possible comment


def _central_directory_size(stream: BinaryIO, label: str) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record (APPNOTE 4.3.16, 4.3.14)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    start = max(0, size - _EOCD_SEARCH)
    stream.seek(start)
    tail = stream.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise InputError(f"{label}: not a readable zip archive (no end of central directory)")
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries != 0xFFFF and directory_bytes != 0xFFFFFFFF:
        return entries, directory_bytes
    locator = tail[at - 20 : at] if at >= 20 else b""
    if not locator.startswith(_ZIP64_LOCATOR):
        raise InputError(f"{label}: zip64 archive without its end-of-directory locator")
    (record_offset,) = struct.unpack("<Q", locator[8:16])
    if record_offset > size - 56:
        raise InputError(f"{label}: zip64 end-of-directory record out of range")
    stream.seek(record_offset)
    record = stream.read(56)
    if not record.startswith(_ZIP64_EOCD):
        raise InputError(f"{label}: bad zip64 end-of-directory record")
    entries64, directory_bytes64 = struct.unpack("<QQ", record[32:48])
    return entries64, directory_bytes64


def _label(path: Path) -> str:
    """`PyPI/all.zip`: enough of the path to say which export it is."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _printable(name: str) -> str:
    shown = "".join(char if char.isprintable() else "?" for char in name)
    return shown if len(shown) <= 200 else shown[:200] + "…"
