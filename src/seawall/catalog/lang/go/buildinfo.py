"""Locating and decoding the Go build-information blob in an executable.

Follows the Go toolchain's own reader (`debug/buildinfo`, go1.18 to go1.22): the blob
starts with the 14-byte magic `\\xff Go buildinf:` on a 16-byte boundary inside the
data region (the `.go.buildinfo` section in ELF, `__go_buildinfo` in Mach-O, else the
first writable data segment or section). Byte 14 is the pointer size, byte 15 the
flags: bit 0 big-endian, bit 1 "inline strings". With inline strings (Go >= 1.18) the
32-byte header is followed by two uvarint-length-prefixed strings, the toolchain
version and the module information; without (Go < 1.18) the header holds two
pointers to Go string headers (data pointer, length) that are read through the
executable's address map. The module information is framed by two 16-byte sentinels
(cmd/go `infoStart`/`infoEnd`), which are stripped as Go does.
"""

import struct
from dataclasses import dataclass

from seawall.catalog.lang.binaries import Executable, ExecutableKind

MAGIC = b"\xff Go buildinf:"
_ALIGN = 16
_HEADER_SIZE = 32
_FLAG_BIG_ENDIAN = 1
_FLAG_INLINE = 2
# The module information of the largest real programs is a few hundred KiB.
MAX_STRING_BYTES = 4 * 1024 * 1024
_VERSION_MAX_BYTES = 1024


class BuildInfoError(ValueError):
    """The build-information header was found but does not decode."""


@dataclass(frozen=True, slots=True)
class RawBuildInfo:
    """The two strings Go embeds: toolchain version (`go1.22.3`) and module information text."""

    go_version: str
    modinfo: str


def _data_region(exe: Executable) -> tuple[int, int] | None:
    """(file offset, length) of the region Go searches, per `DataStart` for each format."""
    start: int | None = None
    if exe.kind is ExecutableKind.ELF:
        section = exe.section(".go.buildinfo")
        if section is not None and section.size:
            return section.offset, section.size
        pf_w, pf_x = 2, 1
        for segment in exe.segments:
            if segment.flags & (pf_w | pf_x) == pf_w:
                start = segment.addr
                break
    elif exe.kind is ExecutableKind.MACHO:
        section = exe.section("__go_buildinfo")
        if section is not None and section.size:
            return section.offset, section.size
        read_write = 3 | 3 << 8  # initprot == maxprot == VM_PROT_READ|VM_PROT_WRITE
        for segment in exe.segments:
            if segment.addr and segment.size and segment.flags == read_write:
                start = segment.addr
                break
    else:
        initialized_data_rw = 0x40 | 0x40000000 | 0x80000000
        align_32 = 0x600000
        for section in exe.sections:
            if section.size and section.flags & ~align_32 == initialized_data_rw:
                return section.offset, section.size
    if start is None:
        return None
    return exe.locate(start)


def find_build_info(exe: Executable) -> RawBuildInfo | None:
    """The build information in `exe`, or None when it is not a Go program.

    Raises BuildInfoError when the magic is present but what follows is malformed.
    """
    region = _data_region(exe)
    if region is None:
        return None
    data = exe.data
    base, length = region
    end = base + length
    at = data.find(MAGIC, base, end)
    while at >= 0 and (at - base) % _ALIGN:
        at = data.find(MAGIC, base + (at - base + _ALIGN - 1) // _ALIGN * _ALIGN, end)
    if at < 0:
        return None
    if end - at < _HEADER_SIZE:
        raise BuildInfoError("build-information header is truncated")
    pointer_size, flags = data[at + 14], data[at + 15]
    if flags & _FLAG_INLINE:
        version, cursor = _inline_string(data, at + _HEADER_SIZE, _VERSION_MAX_BYTES)
        modinfo, _ = _inline_string(data, cursor, MAX_STRING_BYTES)
    else:
        if pointer_size not in (4, 8):
            raise BuildInfoError(f"pointer size {pointer_size} is neither 4 nor 8")
        pair = (">" if flags & _FLAG_BIG_ENDIAN else "<") + ("II" if pointer_size == 4 else "QQ")
        version_ptr, modinfo_ptr = struct.unpack_from(pair, data, at + 16)
        version = _pointed_string(exe, version_ptr, pair, _VERSION_MAX_BYTES)
        modinfo = _pointed_string(exe, modinfo_ptr, pair, MAX_STRING_BYTES)
    if not version:
        return None
    return RawBuildInfo(version.decode("utf-8", "replace"), _strip_framing(modinfo))


def _inline_string(data: bytes, at: int, limit: int) -> tuple[bytes, int]:
    """A uvarint length then that many bytes (encoding/binary.Uvarint)."""
    length = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise BuildInfoError("string length varint is truncated or too long")
        byte = data[at]
        at += 1
        length |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
    if length > limit or at + length > len(data):
        raise BuildInfoError(f"string of {length} bytes exceeds the file or the {limit}-byte cap")
    return data[at : at + length], at + length


def _pointed_string(exe: Executable, address: int, pair: str, limit: int) -> bytes:
    """A Go string header (pointer, length; struct format `pair`) at `address`, followed."""
    size = struct.calcsize(pair)
    header = exe.read(address, size)
    if len(header) < size:
        raise BuildInfoError(f"string header at {address:#x} is not in the file")
    pointer, length = struct.unpack(pair, header)
    if length > limit:
        raise BuildInfoError(f"string of {length} bytes exceeds the {limit}-byte cap")
    text = exe.read(pointer, length)
    if len(text) != length:
        raise BuildInfoError(f"string data at {pointer:#x} is not in the file")
    return text


def _strip_framing(modinfo: bytes) -> str:
    # debug/buildinfo: keep the text only when both 16-byte sentinels are there.
    if len(modinfo) >= 33 and modinfo[-17] == ord("\n"):
        return modinfo[16:-16].decode("utf-8", "replace")
    return ""
