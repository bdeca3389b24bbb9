"""A bounded reader of executable containers: ELF, PE/COFF and Mach-O (thin and fat).

It knows just enough of each format to list sections and loadable segments and to
map a virtual address to file bytes, which is what reading Go build information and
cargo-auditable data needs. Every offset, size and count comes from hostile bytes:
each is checked against the file before use, so a malformed header yields
`ExecutableFormatError`, never an out-of-range read or an unbounded loop.

References: System V ABI / ELF gABI (file header, program and section headers),
Microsoft PE/COFF specification (COFF header, optional header, section table),
Apple's <mach-o/loader.h> and <mach-o/fat.h>.
"""

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple, overload


class ExecutableFormatError(ValueError):
    """The bytes start like an executable but their headers do not hold together."""


class ExecutableKind(Enum):
    ELF = "ELF"
    PE = "PE"
    MACHO = "Mach-O"


class Section(NamedTuple):
    """A named section. `offset`/`size` locate its bytes in the file (size 0 when it has none).

    A named tuple rather than a frozen dataclass: every program of every layer is
    parsed, each with some thirty sections, and a tuple is made in half the time.
    """

    name: str
    addr: int
    offset: int
    size: int
    flags: int
    """ELF sh_flags, PE Characteristics, Mach-O section flags."""
    segment: str = ""
    """The Mach-O segment holding the section (`__DATA`); empty for ELF and PE."""


class Segment(NamedTuple):
    """A loadable region: ELF PT_LOAD program header or Mach-O LC_SEGMENT (a named tuple, as
    `Section`)."""

    name: str
    addr: int
    offset: int
    size: int
    """Bytes backed by the file (p_filesz, filesize)."""
    memsize: int
    flags: int
    """ELF p_flags; Mach-O initprot | maxprot << 8."""


class SectionTable(Sequence[Section]):
    """The sections of one image, made on first use.

    Most programs in an image are neither Go nor Rust ones: they are asked for
    one section by name and have none of that name. An ELF table keeps its raw
    header rows and its name table (already checked against the file), answers
    `may_contain` from the name table alone, and makes `Section` values only
    when they are read.
    """

    __slots__ = ("_names", "_rows", "_sections")

    def __init__(
        self,
        sections: Sequence[Section] = (),
        *,
        rows: Sequence[tuple[int, ...]] = (),
        names: bytes | None = None,
    ) -> None:
        self._sections: tuple[Section, ...] | None = tuple(sections) if not rows else None
        self._rows = rows
        """ELF section header rows, the span of each already checked."""
        self._names = names
        """The ELF section name table, or None when names are not looked up by bytes."""

    def _all(self) -> tuple[Section, ...]:
        if self._sections is None:
            self._sections = _elf_sections(self._rows, self._names or b"")
            self._rows = ()
        return self._sections

    def may_contain(self, name: str) -> bool:
        """False when no section can be called `name` (each name is a piece of the table)."""
        if self._names is None or self._sections is not None:
            return True
        try:
            return name.encode("latin-1") in self._names
        except UnicodeEncodeError:
            return False  # names are read as Latin-1: none holds such a character

    @overload
    def __getitem__(self, index: int) -> Section: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Section]: ...

    def __getitem__(self, index: int | slice) -> Section | Sequence[Section]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Section]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SectionTable):
            return self._all() == other._all()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"SectionTable({self._all()!r})"


@dataclass(frozen=True, slots=True)
class Executable:
    """One executable image inside `data` (a fat Mach-O file holds several)."""

    kind: ExecutableKind
    data: bytes
    sections: SectionTable
    segments: tuple[Segment, ...]
    image_base: int = 0
    """PE ImageBase; section addresses here already include it."""

    def section(self, name: str, segment: str | None = None) -> Section | None:
        """The first section called `name` (and in `segment`, for Mach-O), if any."""
        if not self.sections.may_contain(name):
            return None
        for section in self.sections:
            if section.name == name and (segment is None or section.segment == segment):
                return section
        return None

    def section_bytes(self, section: Section) -> bytes:
        """The file bytes of `section` (empty when it has none)."""
        return self.data[section.offset : section.offset + section.size]

    def locate(self, addr: int) -> tuple[int, int] | None:
        """(file offset, bytes available from there) for virtual address `addr`, or None.

        Segments are searched first (that is how the loader maps the file), then
        sections, for images without program headers.
        """
        for regions in (self.segments, self.sections):
            for region in regions:
                if region.size and region.addr <= addr < region.addr + region.size:
                    delta = addr - region.addr
                    return region.offset + delta, region.size - delta
        return None

    def read(self, addr: int, size: int) -> bytes:
        """Up to `size` file-backed bytes at virtual address `addr` (fewer at a region's end)."""
        where = self.locate(addr)
        if where is None:
            return b""
        offset, available = where
        return self.data[offset : offset + min(size, available)]


ELF_MAGIC = b"\x7fELF"
PE_MAGIC = b"MZ"
_MACHO_THIN = {
    b"\xfe\xed\xfa\xce": (">", False),
    b"\xce\xfa\xed\xfe": ("<", False),
    b"\xfe\xed\xfa\xcf": (">", True),
    b"\xcf\xfa\xed\xfe": ("<", True),
}
_MACHO_FAT = {b"\xca\xfe\xba\xbe": False, b"\xca\xfe\xba\xbf": True}
# A fat header shares its magic with Java class files; a class file's next word is
# its version (>= 45), while real fat files hold a handful of architectures.
_MAX_FAT_ARCHES = 16
_MAX_SECTIONS = 65_535
_MAX_SEGMENTS = 65_535
_MAX_LOAD_COMMANDS = 65_535


def looks_executable(data: bytes) -> bool:
    """Cheap magic check: could `data` be an ELF, PE or Mach-O file?"""
    head = data[:4]
    if head == ELF_MAGIC or head in _MACHO_THIN:
        return True
    if head in _MACHO_FAT:
        return len(data) >= 8 and 0 < struct.unpack_from(">I", data, 4)[0] <= _MAX_FAT_ARCHES
    return data[:2] == PE_MAGIC


def parse_executables(data: bytes) -> tuple[Executable, ...]:
    """Every executable image in `data`: one, or one per slice of a fat Mach-O file.

    Returns () when `data` is not an executable at all; raises ExecutableFormatError
    when it claims to be one but its headers are out of range.
    """
    if not looks_executable(data):
        return ()
    head = data[:4]
    try:
        if head == ELF_MAGIC:
            return (_parse_elf(data),)
        if head in _MACHO_THIN:
            return (_parse_macho(data, 0, len(data)),)
        if head in _MACHO_FAT:
            return _parse_fat(data, wide=_MACHO_FAT[head])
        return (_parse_pe(data),)
    except struct.error as error:
        raise ExecutableFormatError(f"truncated header ({error})") from None


def _span(data: bytes, offset: int, size: int, what: str) -> None:
    if offset < 0 or size < 0 or offset + size > len(data):
        raise ExecutableFormatError(
            f"{what} at offset {offset} size {size} lies outside the {len(data)}-byte file"
        )


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1")


# --- ELF -------------------------------------------------------------------------

_PT_LOAD = 1
_SHT_NOBITS = 8
_SHN_XINDEX = 0xFFFF
# File header after e_ident, program header and section header, by (64-bit, big-endian).
_ELF_HEADER = {
    (wide, big): struct.Struct(
        (">" if big else "<") + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")
    )
    for wide in (False, True)
    for big in (False, True)
}
_ELF_PROGRAM = {
    (wide, big): struct.Struct((">" if big else "<") + ("IIQQQQQQ" if wide else "IIIIIIII"))
    for wide in (False, True)
    for big in (False, True)
}
_ELF_SECTION = {
    (wide, big): struct.Struct((">" if big else "<") + ("IIQQQQIIQQ" if wide else "IIIIIIIIII"))
    for wide in (False, True)
    for big in (False, True)
}


def _table(
    entry: struct.Struct, data: bytes, at: int, stride: int, count: int
) -> Iterable[tuple[int, ...]]:
    """`count` rows of `entry` every `stride` bytes from `at` (the caller checked the span).

    The common case, rows exactly `entry.size` apart, is unpacked in one C loop.
    """
    if stride == entry.size:
        return entry.iter_unpack(data[at : at + stride * count])
    return [entry.unpack_from(data, at + index * stride) for index in range(count)]


def _elf_sections(rows: Sequence[tuple[int, ...]], table: bytes) -> tuple[Section, ...]:
    """`Section` values of checked ELF section header rows, named from the name table."""
    # Latin-1 maps each byte to one character, so byte offsets still apply.
    names = table.decode("latin-1")
    names_size = len(names)
    sections = []
    for sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, _, _, _, _ in rows:
        name = ""
        if sh_name < names_size:
            end = names.find("\0", sh_name)
            name = names[sh_name : end if end >= 0 else names_size]
        size = 0 if sh_type == _SHT_NOBITS else sh_size
        sections.append(Section(name, sh_addr, sh_offset, size, sh_flags))
    return tuple(sections)


def _parse_elf(data: bytes) -> Executable:
    # Runs on every program of every layer, mostly on non-Go, non-Rust ones: each
    # table is unpacked in one call and checked at once, and sections are made
    # only if they are read (`SectionTable`).
    _span(data, 0, 16, "ELF identification")
    elf_class, encoding = data[4], data[5]
    if elf_class not in (1, 2) or encoding not in (1, 2):
        raise ExecutableFormatError(f"unknown ELF class {elf_class} or data encoding {encoding}")
    big = encoding == 2
    wide = elf_class == 2
    header = _ELF_HEADER[wide, big].unpack_from(data, 16)
    phoff, shoff = header[4], header[5]
    phentsize, phnum, shentsize, shnum, shstrndx = header[8:13]
    file_size = len(data)

    segments: list[Segment] = []
    if phoff and phnum:
        entry = _ELF_PROGRAM[wide, big]
        if phentsize < entry.size:
            raise ExecutableFormatError(f"program header entry size {phentsize} is too small")
        _span(data, phoff, phentsize * phnum, "program header table")
        for index, fields in enumerate(
            _table(entry, data, phoff, phentsize, min(phnum, _MAX_SEGMENTS))
        ):
            if wide:
                p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = fields
            else:
                p_type, p_offset, p_vaddr, _, p_filesz, p_memsz, p_flags, _ = fields
            if p_type != _PT_LOAD:
                continue
            _span(data, p_offset, p_filesz, f"segment {index}")
            segments.append(Segment("", p_vaddr, p_offset, p_filesz, p_memsz, p_flags))

    sections = SectionTable()
    if shoff:
        entry = _ELF_SECTION[wide, big]
        if shentsize < entry.size:
            raise ExecutableFormatError(f"section header entry size {shentsize} is too small")
        _span(data, shoff, shentsize, "section header table")
        first = entry.unpack_from(data, shoff)
        # gABI extended numbering: counts too big for the header live in section 0.
        if shnum == 0:
            shnum = first[5]
        if shstrndx == _SHN_XINDEX:
            shstrndx = first[6]
        if shnum > _MAX_SECTIONS:
            raise ExecutableFormatError(f"{shnum} sections is more than {_MAX_SECTIONS}")
        _span(data, shoff, shentsize * shnum, "section header table")
        raw = list(_table(entry, data, shoff, shentsize, shnum))
        names = b""
        if 0 < shstrndx < shnum:
            str_offset, str_size = raw[shstrndx][4], raw[shstrndx][5]
            _span(data, str_offset, str_size, "section name table")
            names = data[str_offset : str_offset + str_size]
        for index, row in enumerate(raw):
            sh_type, sh_offset, sh_size = row[1], row[4], row[5]
            if sh_size and sh_type != _SHT_NOBITS and sh_offset + sh_size > file_size:
                _span(data, sh_offset, sh_size, f"section {index}")
        sections = SectionTable(rows=raw, names=names)
    return Executable(ExecutableKind.ELF, data, sections, tuple(segments))


# --- PE/COFF -----------------------------------------------------------------------

_COFF_SYMBOL_SIZE = 18


def _parse_pe(data: bytes) -> Executable:
    _span(data, 0, 0x40, "DOS header")
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    _span(data, pe_offset, 24, "PE header")
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise ExecutableFormatError("MZ file without a PE signature")
    _, nsections, _, symtab, nsymbols, opt_size, _ = struct.unpack_from(
        "<HHIIIHH", data, pe_offset + 4
    )
    opt = pe_offset + 24
    _span(data, opt, opt_size, "optional header")
    image_base = 0
    if opt_size >= 2:
        (magic,) = struct.unpack_from("<H", data, opt)
        if magic == 0x10B and opt_size >= 32:
            (image_base,) = struct.unpack_from("<I", data, opt + 28)
        elif magic == 0x20B and opt_size >= 32:
            (image_base,) = struct.unpack_from("<Q", data, opt + 24)
    table = opt + opt_size
    _span(data, table, 40 * nsections, "section table")
    strings_at = symtab + nsymbols * _COFF_SYMBOL_SIZE if symtab else 0
    sections: list[Section] = []
    for index in range(nsections):
        raw_name, vsize, vaddr, raw_size, raw_offset, _, _, _, _, flags = struct.unpack_from(
            "<8sIIIIIIHHI", data, table + 40 * index
        )
        name = _cstr(raw_name)
        # PE/COFF §3: "/N" names an offset into the COFF string table (object files, MinGW).
        if name.startswith("/") and name[1:].isdigit() and strings_at:
            where = strings_at + int(name[1:])
            if where < len(data):
                name = _cstr(data[where : where + 256])
        size = min(vsize, raw_size) if vsize else raw_size
        if raw_offset == 0:
            size = 0
        if size:
            _span(data, raw_offset, size, f"section {name!r}")
        sections.append(Section(name, image_base + vaddr, raw_offset, size, flags))
    return Executable(ExecutableKind.PE, data, SectionTable(sections), (), image_base)


# --- Mach-O --------------------------------------------------------------------------

_LC_SEGMENT = 0x1
_LC_SEGMENT_64 = 0x19
_S_ZEROFILL_TYPES = frozenset(
    {0x1, 0xC, 0x12}
)  # S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL


def _parse_fat(data: bytes, *, wide: bool) -> tuple[Executable, ...]:
    (count,) = struct.unpack_from(">I", data, 4)
    entry = struct.Struct(">iiQQII" if wide else ">iiIII")
    _span(data, 8, entry.size * count, "fat architecture table")
    slices = []
    for index in range(count):
        fields = entry.unpack_from(data, 8 + index * entry.size)
        offset, size = fields[2], fields[3]
        _span(data, offset, size, f"fat slice {index}")
        slices.append(_parse_macho(data, offset, size))
    return tuple(slices)


def _parse_macho(data: bytes, start: int, length: int) -> Executable:
    _span(data, start, 28, "Mach-O header")
    magic = data[start : start + 4]
    if magic not in _MACHO_THIN:
        raise ExecutableFormatError("fat slice is not a Mach-O image")
    end, wide = _MACHO_THIN[magic]
    _, _, _, ncmds, sizeofcmds, _ = struct.unpack_from(end + "iiIIII", data, start + 4)
    cursor = start + (32 if wide else 28)
    _span(data, cursor, sizeofcmds, "load commands")
    if ncmds > _MAX_LOAD_COMMANDS:
        raise ExecutableFormatError(f"{ncmds} load commands is more than {_MAX_LOAD_COMMANDS}")
    limit = cursor + sizeofcmds
    seg_struct = struct.Struct(end + ("16sQQQQiiII" if wide else "16sIIIIiiII"))
    sect_struct = struct.Struct(end + ("16s16sQQIIIIIIII" if wide else "16s16sIIIIIIIII"))
    segments: list[Segment] = []
    sections: list[Section] = []
    for _ in range(ncmds):
        if cursor + 8 > limit:
            raise ExecutableFormatError("load commands run past sizeofcmds")
        cmd, cmdsize = struct.unpack_from(end + "II", data, cursor)
        if cmdsize < 8 or cursor + cmdsize > limit:
            raise ExecutableFormatError(f"load command size {cmdsize} is out of range")
        if cmd in (_LC_SEGMENT, _LC_SEGMENT_64):
            if 8 + seg_struct.size > cmdsize:
                raise ExecutableFormatError("segment command is truncated")
            segname, vmaddr, vmsize, fileoff, filesize, maxprot, initprot, nsects, _ = (
                seg_struct.unpack_from(data, cursor + 8)
            )
            if 8 + seg_struct.size + nsects * sect_struct.size > cmdsize:
                raise ExecutableFormatError("segment command's sections overrun it")
            _span(data, start + fileoff, filesize, "segment")
            if fileoff + filesize > length:
                raise ExecutableFormatError("segment lies outside its fat slice")
            segments.append(
                Segment(
                    _cstr(segname),
                    vmaddr,
                    start + fileoff,
                    filesize,
                    vmsize,
                    initprot | maxprot << 8,
                )
            )
            at = cursor + 8 + seg_struct.size
            for index in range(nsects):
                fields = sect_struct.unpack_from(data, at + index * sect_struct.size)
                sectname, sect_seg, addr, size, offset = fields[:5]
                flags = fields[8]
                if (flags & 0xFF) in _S_ZEROFILL_TYPES or offset == 0:
                    size = 0
                if size:
                    _span(data, start + offset, size, "section")
                sections.append(
                    Section(_cstr(sectname), addr, start + offset, size, flags, _cstr(sect_seg))
                )
        cursor += cmdsize
    return Executable(ExecutableKind.MACHO, data, SectionTable(sections), tuple(segments))


# --- which paths may hold programs ---------------------------------------------------

_NOT_PROGRAM_TREES = (
    "/proc/",
    "/sys/",
    "/dev/",
    "/run/",
    "/boot/",
    "/etc/",
    "/usr/share/",
    "/usr/include/",
    "/usr/src/",
    "/var/cache/",
    "/var/log/",
    "/var/lib/dpkg/",
    "/var/lib/rpm/",
    "/var/lib/apk/",
)
_NOT_PROGRAM_PARTS = ("/site-packages/", "/dist-packages/", "/.git/", "/__pycache__/")
_PROGRAM_DIRS = frozenset({"bin", "sbin", "libexec"})
_NOT_PROGRAM_NAMES = frozenset(
    {
        "AUTHORS",
        "CHANGELOG",
        "CODEOWNERS",
        "CONTRIBUTORS",
        "COPYING",
        "Dockerfile",
        "Gemfile",
        "LICENSE",
        "LICENCE",
        "Makefile",
        "NOTICE",
        "PATENTS",
        "Procfile",
        "README",
        "Rakefile",
        "VERSION",
        "Vagrantfile",
    }
)


def may_be_program(path: str) -> bool:
    """Cheap path test for files that may be executables (the content is checked by magic later).

    A file qualifies when it is outside trees that never hold programs (/proc, /usr/share,
    package databases …) and either sits in a bin/sbin/libexec directory, has no extension
    (`kubectl`, `app`), or ends in `.exe`. Shared libraries (`.so`) are not collected:
    they are numerous and Go and Rust programs are very rarely shipped as such.
    """
    # Runs on every member of every layer: the cheapest tests come first, and
    # the substring tests last, written out (a generator costs more than all four).
    if path.startswith(_NOT_PROGRAM_TREES):
        return False
    directory, _, name = path.rpartition("/")
    if not name or name.startswith(".") or name in _NOT_PROGRAM_NAMES:
        return False
    if not (
        "." not in name
        or directory.rpartition("/")[2] in _PROGRAM_DIRS
        or name.lower().endswith(".exe")
    ):
        return False
    first, second, third, fourth = _NOT_PROGRAM_PARTS
    return not (first in path or second in path or third in path or fourth in path)
