"""The executable reader on this machine's real programs, checked against binutils' readelf."""

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.binaries import ExecutableKind, SectionTable, parse_executables
from seawall.catalog.lang.go import GoBinaryCataloger
from seawall.catalog.lang.go.buildinfo import find_build_info
from seawall.catalog.lang.rust import RustAuditableCataloger

READELF = shutil.which("readelf")
needs_readelf = pytest.mark.skipif(READELF is None, reason="binutils not installed")
GO = shutil.which("go")
needs_go = pytest.mark.skipif(GO is None, reason="Go toolchain not installed")
LS = Path("/bin/ls").read_bytes()
PROGRAMS = sorted(
    {str(Path(p).resolve()) for p in ("/bin/ls", "/usr/bin/objcopy", sys.executable, GO) if p}
)

_SECTION_LINE = re.compile(
    r"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]{8,16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s"
)
_LOAD_LINE = re.compile(
    r"^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s"
)


def readelf(program: str, option: str) -> list[str]:
    done = subprocess.run(
        [READELF or "readelf", option, "-W", program], check=True, capture_output=True, text=True
    )
    return done.stdout.splitlines()


def readelf_sections(program: str) -> list[tuple[str, int, int, int]]:
    """(name, address, offset, file bytes) of every section but the null one."""
    found = []
    for line in readelf(program, "-S"):
        match = _SECTION_LINE.match(line)
        if match is None or match[1] == "0":
            continue
        _, name, kind, addr, offset, size = match.groups()
        found.append(
            (name, int(addr, 16), int(offset, 16), 0 if kind == "NOBITS" else int(size, 16))
        )
    return found


def readelf_loads(program: str) -> list[tuple[int, int, int, int]]:
    """(address, offset, file bytes, memory bytes) of every PT_LOAD segment."""
    found = []
    for line in readelf(program, "-l"):
        match = _LOAD_LINE.match(line)
        if match is not None:
            offset, addr, filesz, memsz = (int(group, 16) for group in match.groups())
            found.append((addr, offset, filesz, memsz))
    return found


@needs_readelf
@pytest.mark.parametrize("program", PROGRAMS)
def test_elf_tables_match_readelf(program: str) -> None:
    [image] = parse_executables(Path(program).read_bytes())
    assert image.kind is ExecutableKind.ELF
    sections = [(s.name, s.addr, s.offset, s.size) for s in image.sections][1:]
    assert len(sections) > 10
    assert sections == readelf_sections(program)
    segments = [(s.addr, s.offset, s.size, s.memsize) for s in image.segments]
    assert segments == readelf_loads(program)


def test_section_rows_spaced_wider_than_their_struct_read_alike() -> None:
    """e_shentsize may exceed the 64-byte Elf64_Shdr: rows are then read one by one."""
    [image] = parse_executables(LS)
    shoff, shentsize, shnum = (
        struct.unpack_from("<Q", LS, 40)[0],
        *struct.unpack_from("<HH", LS, 58),
    )
    assert shentsize == 64
    rows = [LS[shoff + i * 64 : shoff + (i + 1) * 64] + b"\xee" * 16 for i in range(shnum)]
    moved = bytearray(LS + b"".join(rows))
    struct.pack_into("<Q", moved, 40, len(LS))
    struct.pack_into("<H", moved, 58, 80)
    [wide] = parse_executables(bytes(moved))
    assert list(wide.sections) == list(image.sections)
    assert wide.segments == image.segments


def test_a_program_without_the_section_is_answered_from_the_name_table() -> None:
    """A Debian program is not a Go or Rust one: the name table alone says so."""
    [image] = parse_executables(LS)
    assert isinstance(image.sections, SectionTable)
    assert not image.sections.may_contain(".go.buildinfo")
    assert not image.sections.may_contain(".dep-v0")
    assert not image.sections.may_contain("ü")  # not Latin-1 bytes: no section has it
    assert image.section(".go.buildinfo") is None and image.section(".dep-v0") is None
    assert image.sections.may_contain(".text")
    text = image.section(".text")
    assert text is not None and text.size > 0
    files = [CatalogFile("/bin/ls", LS)]
    for cataloger in (GoBinaryCataloger(), RustAuditableCataloger()):
        result = cataloger.catalog(files, CatalogContext())
        assert (result.packages, result.problems, result.files_read) == ((), (), 1)


@needs_go
def test_a_go_program_is_still_found_with_and_without_its_section_headers() -> None:
    data = bytearray(Path(GO or "go").resolve().read_bytes())
    [image] = parse_executables(bytes(data))
    assert image.sections.may_contain(".go.buildinfo")
    found = find_build_info(image)
    assert found is not None and found.go_version.startswith("go1.")
    # Without a section table (as `sstrip` leaves a program) the name table is
    # gone, and the build information is found in the first writable segment.
    struct.pack_into("<Q", data, 40, 0)
    struct.pack_into("<HHH", data, 58, 0, 0, 0)
    [stripped] = parse_executables(bytes(data))
    assert len(stripped.sections) == 0
    assert find_build_info(stripped) == found
    result = GoBinaryCataloger().catalog(
        [CatalogFile("/usr/bin/go", bytes(data))], CatalogContext()
    )
    assert result.problems == ()
    assert ("stdlib", "v" + found.go_version.removeprefix("go")) in {
        (p.name, p.version) for p in result.packages
    }


def test_section_tables_compare_by_their_sections() -> None:
    first, second = parse_executables(LS)[0], parse_executables(LS)[0]
    assert first == second and hash(first) == hash(second)
    assert first.sections[1:3] == tuple(first.sections)[1:3]
    assert "'.text'" in repr(first.sections)
