"""The streaming tar reader on real archives (tarfile) and hand-made hostile ones."""

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from fsbuild import (
    END,
    Dir,
    File,
    Hardlink,
    Symlink,
    header,
    member,
    padded,
    pax_record,
    tar_bytes,
)
from hypothesis import given
from hypothesis import strategies as st

from seawall.errors import InputError, LimitExceededError
from seawall.fs.tarstream import CHUNK, TarMember, TarReader
from seawall.limits import Limits
from seawall.model.files import Problem


def read_members(
    data: bytes, limits: Limits | None = None
) -> tuple[list[tuple[TarMember, bytes]], list[Problem]]:
    problems: list[Problem] = []
    reader = TarReader(io.BytesIO(data), "layer 0", limits or Limits(), problems)
    return [(m, reader.read()) for m in reader], problems


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_reads_what_tarfile_writes(fmt: int) -> None:
    big = bytes(range(256)) * 9000  # spans more than one read chunk boundary
    data = tar_bytes(
        [
            Dir("etc"),
            File("etc/hosts", b"127.0.0.1 localhost\n", 0o4755),
            File("big.bin", big),
            Symlink("etc/link", "../hosts"),
            Hardlink("etc/hard", "etc/hosts"),
            File("empty"),
        ],
        fmt,
    )
    members, problems = read_members(data)
    assert problems == []
    assert [(m.name, m.typeflag) for m, _ in members] == [
        ("etc/", b"5"),
        ("etc/hosts", b"0"),
        ("big.bin", b"0"),
        ("etc/link", b"2"),
        ("etc/hard", b"1"),
        ("empty", b"0"),
    ]
    contents = {m.name: body for m, body in members}
    assert contents["etc/hosts"] == b"127.0.0.1 localhost\n"
    assert contents["big.bin"] == big
    by_name = {m.name: m for m, _ in members}
    assert by_name["etc/hosts"].mode == 0o4755
    assert by_name["etc/link"].linkname == "../hosts"
    assert by_name["etc/hard"].linkname == "etc/hosts"


def test_partial_reads_and_skipping_unread_data() -> None:
    data = tar_bytes([File("a", b"A" * 3000), File("b", b"B" * 10), File("c", b"C" * 5)])
    problems: list[Problem] = []
    reader = TarReader(io.BytesIO(data), "layer 0", Limits(), problems)
    seen = []
    for m in reader:
        if m.name == "a":
            assert reader.read(7) == b"A" * 7
            assert reader.read(5) == b"A" * 5
        elif m.name == "c":
            assert reader.read() == b"CCCCC"
            assert reader.read() == b""
        seen.append(m.name)
    assert seen == ["a", "b", "c"]
    assert reader.finished
    assert reader.bytes_read == len(data)


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
@pytest.mark.parametrize("length", [101, 256, 3000])
def test_long_names_and_links(fmt: int, length: int) -> None:
    directory = "d" * 60 + "/" + "e" * 60
    name = (directory + "/" + "n" * length)[: length + 122]
    target = "/" + "t" * length
    data = tar_bytes([File(name, b"x"), Symlink(name + "-link", target)], fmt)
    members, problems = read_members(data)
    assert problems == []
    assert [m.name for m, _ in members] == [name, name + "-link"]
    assert members[1][0].linkname == target
    assert members[0][1] == b"x"


def test_ustar_prefix_is_joined() -> None:
    data = member(b"file", b"hi", prefix=b"usr/share/doc") + END
    members, _ = read_members(data)
    assert members[0][0].name == "usr/share/doc/file"


def test_gnu_magic_has_no_prefix() -> None:
    # In GNU headers bytes 345.. hold atime/ctime, not a prefix.
    data = member(b"file", b"hi", prefix=b"14572537153", magic=b"ustar  \0") + END
    members, _ = read_members(data)
    assert members[0][0].name == "file"


def test_base256_size_and_uid() -> None:
    body = b"z" * 700
    size_field = bytes([0x80]) + bytes(7) + (700).to_bytes(4, "big")
    data = header(b"f", size_field=size_field) + padded(body) + END
    members, _ = read_members(data)
    assert members[0][0].size == 700
    assert members[0][1] == body


def test_negative_base256_is_rejected() -> None:
    data = header(b"f", size_field=b"\xff" * 12) + END
    with pytest.raises(InputError, match="negative size"):
        read_members(data)


def test_bad_checksum_names_layer_and_offset() -> None:
    data = member(b"ok", b"1") + member(b"bad", b"2", checksum_delta=1) + END
    with pytest.raises(InputError, match=r"layer 0: bad tar header checksum at byte 1024"):
        read_members(data)


def test_signed_checksum_is_accepted() -> None:
    name = "é".encode()  # bytes above 127: signed and unsigned sums differ
    block = bytearray(header(name))
    signed = sum(b - 256 if b > 127 else b for b in block[:148] + b" " * 8 + block[156:])
    block[148:156] = f"{signed:06o}".encode() + b"\0 "
    members, _ = read_members(bytes(block) + END)
    assert members[0][0].name == "é"


def test_invalid_octal_field_is_an_error() -> None:
    data = header(b"f", size_field=b"0000000+12\0\0") + END
    with pytest.raises(InputError, match="invalid size"):
        read_members(data)


@pytest.mark.parametrize(
    "size_field",
    [
        b"00000000012\0",  # POSIX: zero-filled, NUL-terminated
        b"00000000012 ",  # old writers: space-terminated
        b"         12\0",  # space-filled on the left
        b"000000000012",  # all twelve bytes digits, no terminator
        b"12\0\0\0\0\0\0\0\0\0\0",  # left-aligned, NUL-filled
    ],
)
def test_octal_spellings_writers_use(size_field: bytes) -> None:
    data = header(b"f", size_field=size_field) + padded(b"0123456789") + END
    members, _ = read_members(data)
    assert (members[0][0].size, members[0][1]) == (10, b"0123456789")


@pytest.mark.parametrize(
    "size_field",
    [b"0000 0000012", b"00000_00012\0", b"+0000000012\0", b"-0000000012\0", b"0000000\t012\0"],
)
def test_what_int_would_take_is_still_an_invalid_octal_field(size_field: bytes) -> None:
    """Underscores, signs, tabs and inner spaces: int() accepts some, a tar reader must not."""
    with pytest.raises(InputError, match="invalid size"):
        read_members(header(b"f", size_field=size_field) + END)


def test_contiguous_file_is_regular() -> None:
    members, _ = read_members(member(b"c", b"data", typeflag=b"7") + END)
    assert members[0][0].has_data and members[0][1] == b"data"


def test_v7_directory_by_trailing_slash() -> None:
    members, _ = read_members(header(b"olddir/", typeflag=b"\0", magic=bytes(8)) + END)
    assert members[0][0].typeflag == b"5"


def test_header_only_types_carry_no_data_whatever_their_size() -> None:
    # Go's archive/tar reads nothing after a link header even with a size set.
    data = header(b"link", typeflag=b"2", linkname=b"x", size=1024) + member(b"next", b"n") + END
    members, _ = read_members(data)
    assert [m.name for m, _ in members] == ["link", "next"]
    assert members[1][1] == b"n"


@pytest.mark.parametrize("end", [END, bytes(512), b"", END + bytes(8192)])
def test_end_of_archive_forms(end: bytes) -> None:
    members, problems = read_members(member(b"a", b"1") + end)
    assert [m.name for m, _ in members] == ["a"]
    assert problems == []


def test_data_after_a_single_zero_block_is_a_problem() -> None:
    data = member(b"a", b"1") + bytes(512) + member(b"hidden", b"2") + END
    members, problems = read_members(data)
    assert [m.name for m, _ in members] == ["a"]
    assert "followed by more data" in problems[0].message


@pytest.mark.parametrize("cut", [100, 512 + 10, 1024 + 300])
def test_truncated_stream_is_a_clear_error(cut: int) -> None:
    data = member(b"a", b"1") + member(b"b", b"x" * 2000)
    with pytest.raises(InputError, match=r"layer 0: the tar stream is truncated"):
        read_members(data[:cut])


def test_truncated_large_member_mentions_the_member() -> None:
    data = member(b"big", b"x" * (3 * CHUNK))[: 2 * CHUNK]
    with pytest.raises(InputError, match=r"truncated inside member data.*'big'"):
        read_members(data)


def test_pax_records_override_the_header() -> None:
    records = (
        pax_record("path", "very/" + "long" * 80)
        + pax_record("linkpath", "target")
        + pax_record("uid", "123456789")
        + pax_record("gid", "42")
        + pax_record("mtime", "1700000000.75")
        + pax_record("size", "3")
        + pax_record("SCHILY.xattr.user.x", "ignored")
    )
    data = (
        member(b"PaxHeader", records, typeflag=b"x")
        + header(b"short", size=0)  # the PAX size (3) says how much data follows
        + padded(b"abc")
        + END
    )
    members, _ = read_members(data)
    m, body = members[0]
    assert m.name == "very/" + "long" * 80
    assert (m.uid, m.gid, m.mtime, m.size) == (123456789, 42, 1_700_000_000, 3)
    assert body == b"abc"


def test_gnu_long_name_wins_over_pax_path() -> None:
    data = (
        member(b"PaxHeader", pax_record("path", "from-pax"), typeflag=b"x")
        + member(b"././@LongLink", b"from-gnu\0", typeflag=b"L")
        + member(b"short", b"")
        + END
    )
    members, _ = read_members(data)
    assert members[0][0].name == "from-gnu"


def test_pax_global_header_is_ignored_as_runtimes_do() -> None:
    data = (
        member(b"pax_global_header", pax_record("comment", "commit abc"), typeflag=b"g")
        + member(b"a", b"1")
        + member(b"pax_global_header", pax_record("path", "renamed"), typeflag=b"g")
        + member(b"b", b"2")
        + END
    )
    members, problems = read_members(data)
    assert [m.name for m, _ in members] == ["a", "b"]
    assert len(problems) == 1
    assert "sets path; ignored" in problems[0].message


@pytest.mark.parametrize(
    "records",
    [b"abc path=x\n", b"99 path=x\n", b"12 path=x\nX", b"9 pathx\n", b"13 path=a\0b\n"],
)
def test_malformed_pax_records_are_errors(records: bytes) -> None:
    data = member(b"PaxHeader", records, typeflag=b"x") + member(b"f") + END
    with pytest.raises(InputError, match="PAX header at byte 0"):
        read_members(data)


def test_pax_header_larger_than_the_limit() -> None:
    limits = Limits(max_meta_header_bytes=4096)
    records = pax_record("path", "p" * 5000)
    data = member(b"PaxHeader", records, typeflag=b"x") + member(b"f") + END
    with pytest.raises(LimitExceededError, match="max_meta_header_bytes=4096") as caught:
        read_members(data, limits)
    assert caught.value.limit_name == "max_meta_header_bytes"


def test_chained_meta_headers_count_together() -> None:
    limits = Limits(max_meta_header_bytes=3000)
    records = pax_record("comment", "c" * 1500)
    data = member(b"P", records, typeflag=b"x") * 2 + member(b"f") + END
    with pytest.raises(LimitExceededError):
        read_members(data, limits)


def test_meta_header_at_end_of_stream_is_truncation() -> None:
    data = member(b"././@LongLink", b"name\0", typeflag=b"L")
    with pytest.raises(InputError, match="truncated"):
        read_members(data)


def test_old_gnu_sparse_is_a_problem_and_skipped() -> None:
    block = bytearray(header(b"sparse", typeflag=b"S", size=1024, magic=b"ustar  \0"))
    block[482] = 1  # one extension block follows
    block[483:495] = b"00000040000\0"  # real size 16384
    block[148:156] = b"        "
    block[148:156] = f"{sum(block):06o}".encode() + b"\0 "
    extension = bytearray(512)  # byte 504 = 0: last extension
    data = bytes(block) + bytes(extension) + b"s" * 1024 + member(b"after", b"ok") + END
    members, problems = read_members(data)
    assert [(m.name, m.sparse) for m, _ in members] == [("sparse", True), ("after", False)]
    assert members[0][0].real_size == 16384
    assert members[0][1] == b""  # never returned
    assert members[1][1] == b"ok"
    assert "sparse file" in problems[0].message and "'sparse'" in problems[0].where


def test_pax_sparse_is_a_problem_and_skipped() -> None:
    records = (
        pax_record("GNU.sparse.major", "1")
        + pax_record("GNU.sparse.minor", "0")
        + pax_record("GNU.sparse.name", "real/name")
        + pax_record("GNU.sparse.realsize", "99999")
    )
    data = (
        member(b"PaxHeader", records, typeflag=b"x")
        + member(b"GNUSparseFile.0/name", b"1\n0\n512\n" + bytes(600))
        + member(b"after", b"ok")
        + END
    )
    members, problems = read_members(data)
    assert [(m.name, m.sparse) for m, _ in members] == [("real/name", True), ("after", False)]
    assert members[1][1] == b"ok"
    assert len(problems) == 1


@pytest.mark.parametrize("key", ["size", "uid", "gid"])
@pytest.mark.parametrize("value", ["9" * 5000, "9223372036854775808", "\u00b2"])
def test_pax_numbers_beyond_int64_are_errors(key: str, value: str) -> None:
    # 5000 digits made int() raise ValueError (its 4300-digit limit); Go's archive/tar
    # refuses numbers beyond int64, and a superscript digit passes str.isdigit().
    data = member(b"PaxHeader", pax_record(key, value), typeflag=b"x") + member(b"f") + END
    with pytest.raises(InputError, match=f"PAX header at byte 0 has an invalid {key}"):
        read_members(data)


@pytest.mark.parametrize("real_size", ["9" * 5000, "\u00b2", "9223372036854775808"])
def test_pax_sparse_with_an_unusable_real_size_is_still_a_problem(real_size: str) -> None:
    records = pax_record("GNU.sparse.name", "real/name") + pax_record(
        "GNU.sparse.realsize", real_size
    )
    data = (
        member(b"PaxHeader", records, typeflag=b"x")
        + member(b"GNUSparseFile.0/name", bytes(600))
        + member(b"after", b"ok")
        + END
    )
    members, problems = read_members(data)
    assert [(m.name, m.sparse, m.real_size) for m, _ in members] == [
        ("real/name", True, None),
        ("after", False, None),
    ]
    assert len(problems) == 1


def test_entry_limit() -> None:
    data = b"".join(member(f"f{i}".encode()) for i in range(11)) + END
    with pytest.raises(LimitExceededError, match=r"layer 0: more than 10 entries"):
        read_members(data, Limits(max_layer_entries=10))
    members, _ = read_members(data, Limits(max_layer_entries=11))
    assert len(members) == 11


def test_layer_bytes_limit() -> None:
    data = member(b"big", b"x" * (2 * CHUNK)) + END
    with pytest.raises(LimitExceededError, match="max_layer_bytes"):
        read_members(data, Limits(max_layer_bytes=CHUNK))


class _HeaderStream(io.RawIOBase):
    """Empty-file headers made by patching a template, generated as read (never held whole).

    Each name is `f` + 7 digits + their complements to 9, so every header has
    the same byte sum and the template's checksum stays valid.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.made = 0
        block = bytearray(header(b"f" + b"0" * 7 + b"9" * 7))
        self.head, self.tail = bytes(block[:1]), bytes(block[15:])
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        complement = bytes.maketrans(b"0123456789", b"9876543210")
        while len(self.pending) < len(buffer) and self.made < self.count:
            stop = min(self.count, self.made + 4096)
            self.pending += b"".join(
                self.head + digits + digits.translate(complement) + self.tail
                for digits in (b"%07d" % i for i in range(self.made, stop))
            )
            self.made = stop
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def test_generated_header_stream_is_valid() -> None:
    data = io.BufferedReader(_HeaderStream(3)).read() + END
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        names = [m.name for m in archive]
    assert names == [
        "f00000009999999",
        "f00000019999998",
        "f00000029999997",
    ]


_MILLION_SCRIPT = """
import io, sys, time
sys.path[:0] = sys.argv[1:]
from test_tarstream import _HeaderStream
from seawall.errors import LimitExceededError
from seawall.fs.tarstream import CHUNK, TarReader
from seawall.limits import Limits

stream = _HeaderStream(1_000_000)
reader = TarReader(io.BufferedReader(stream, CHUNK), "layer 3", Limits(), [])
seen = 0
started = time.perf_counter()
try:
    for _ in reader:
        seen += 1
except LimitExceededError as error:
    print(error)
print(seen, stream.made, time.perf_counter() - started)
# VmHWM, not ru_maxrss: the latter also counts the parent's memory copied by fork.
status = open("/proc/self/status").read().splitlines()
print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def test_a_million_entries_stop_at_the_default_limit_quickly_in_bounded_memory() -> None:
    # A child process, so its peak memory is this test's alone.
    here = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", _MILLION_SCRIPT, here],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    message, counts, peak_kib = done.stdout.strip().splitlines()
    assert "layer 3: more than 500000 entries" in message
    assert "max_layer_entries=500000" in message
    seen, made, seconds = counts.split()
    assert int(seen) == 500_000
    assert int(made) < 510_000  # stopped just past the limit; 512 MB were on offer
    assert float(seconds) < 60
    assert int(peak_kib) < 150 * 1024  # interpreter + a few chunks, nothing per entry


# --- the common header read in one go, and reading data again ---------------------------


class _GeneralOnly(TarReader):
    """The reader with its one-go path for plain headers turned off: every header is
    read the general way, which the one-go path must agree with."""

    def _plain_member(self, block: bytes, pos: int) -> TarMember | None:
        return None


def _outcome(reader_type: type[TarReader], data: bytes) -> object:
    problems: list[Problem] = []
    try:
        reader = reader_type(io.BytesIO(data), "layer 0", Limits(), problems)
        return [(m, reader.read()) for m in reader], problems
    except InputError as error:
        return type(error), str(error)


_SPELLINGS = (
    "zero-filled, NUL",  # POSIX
    "zero-filled, space",  # old writers
    "space-filled",
    "left-aligned, NULs",
    "left-aligned, spaces",
    "every byte a digit",
    "blank",  # no digits at all: zero, read only by the general path
    "a space inside",  # not a number: both ways refuse it
)


def _spelled(spelling: str, value: int, width: int) -> bytes:
    digits = f"{value:o}"
    spelled = {
        "zero-filled, NUL": digits.zfill(width - 1) + "\0",
        "zero-filled, space": digits.zfill(width - 1) + " ",
        "space-filled": digits.rjust(width - 1) + "\0",
        "left-aligned, NULs": digits.ljust(width, "\0"),
        "left-aligned, spaces": digits.ljust(width),
        "every byte a digit": digits.zfill(width),
        "blank": " " * width if value == 0 else digits.zfill(width - 1) + "\0",
        "a space inside": (digits[:1] + " " + digits[1:]).zfill(width - 1) + "\0",
    }[spelling]
    return spelled.encode()


@st.composite
def _headers(draw: st.DrawFn) -> bytes:
    """A member whose numeric fields are spelled in the ways writers (and attackers) do."""
    name = draw(st.text("abc/._-", min_size=1, max_size=12)).encode()
    typeflag = draw(st.sampled_from([b"0", b"\0", b"5", b"2", b"1", b"7", b"3"]))
    data = draw(st.binary(max_size=700)) if typeflag in (b"0", b"\0", b"7") else b""
    block = bytearray(header(name, size=len(data), typeflag=typeflag, linkname=b"abc"))
    for start, width, value in (
        (100, 8, draw(st.sampled_from([0, 0o644, 0o4755]))),
        (108, 8, draw(st.sampled_from([0, 1000, 0o7777777]))),
        (124, 12, len(data)),
        (136, 12, draw(st.sampled_from([0, 1_700_000_000, 8**11 - 1]))),
    ):
        block[start : start + width] = _spelled(draw(st.sampled_from(_SPELLINGS)), value, width)
    if draw(st.booleans()):
        block[345:350] = b"pre/x"  # a ustar prefix
    block[148:156] = b"        "
    checksum = sum(block) + draw(st.sampled_from([0, 0, 0, 1]))  # sometimes wrong
    block[148:156] = f"{checksum:06o}".encode() + b"\0 "
    return bytes(block) + padded(data)


@given(st.lists(_headers(), max_size=6), st.sampled_from([END, bytes(512), b""]))
def test_a_plain_header_reads_as_the_general_way_reads_it(members: list[bytes], end: bytes) -> None:
    data = b"".join(members) + end
    assert _outcome(TarReader, data) == _outcome(_GeneralOnly, data)


class _ReadBack(io.BytesIO):
    """A stream that can read earlier bytes again, as a local blob can."""

    def read_at(self, offset: int, size: int) -> bytes:
        return self.getvalue()[offset : offset + size]


def test_member_data_read_again_where_it_lies() -> None:
    data = tar_bytes([File("a", b"A" * 700), File("b", b"bee")])
    reader = TarReader(_ReadBack(data), "layer 0", Limits(), [])
    spans = {m.name: (reader.bytes_read, m.size) for m in reader}
    assert reader.random_access and reader.finished
    assert reader.read_at(*spans["a"]) == b"A" * 700
    assert reader.read_at(*spans["b"]) == b"bee"
    with pytest.raises(ValueError, match="not read yet"):
        reader.read_at(len(data), 1)
    once = TarReader(io.BytesIO(data), "layer 0", Limits(), [])
    list(once)
    assert not once.random_access
    with pytest.raises(ValueError, match="cannot be read again"):
        once.read_at(0, 1)


def test_member_data_shorter_when_read_again_is_an_error() -> None:
    class Shrunk(_ReadBack):
        def read_at(self, offset: int, size: int) -> bytes:
            return super().read_at(offset, size)[:-1]

    reader = TarReader(Shrunk(tar_bytes([File("a", b"abc")])), "layer 7", Limits(), [])
    spans = [(reader.bytes_read, m.size) for m in reader]
    with pytest.raises(InputError, match="layer 7: the tar stream ended inside member data"):
        reader.read_at(*spans[0])
