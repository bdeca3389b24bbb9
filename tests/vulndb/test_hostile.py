"""Hostile imports: path tricks, oversized entries, entry-count bombs, links, junk."""

import os
import struct
import zipfile
from pathlib import Path

import pytest

from seawall.errors import InputError, LimitExceededError
from seawall.vulndb.importer import import_paths
from seawall.vulndb.reader import RawRecord, ReadLimits, Rejected, osv_items, read_osv
from seawall.vulndb.writer import StoreWriter

RECORD = (
    b'{"id": "OK-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": '
    b'{"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "ECOSYSTEM", "events": '
    b'[{"introduced": "0"}]}]}]}'
)


def _zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def test_path_tricks_are_rejected_per_entry(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "evil.zip",
        [
            ("../../etc/passwd.json", RECORD),
            ("/abs.json", RECORD),
            ("sub/dir.json", RECORD),
            ("..\\win.json", RECORD),
            (".hidden.json", RECORD),
            ("ctl\x01.json", RECORD),
            ("OK-1.json", RECORD),
        ],
    )
    items = list(read_osv(archive))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [i.where for i in items if isinstance(i, RawRecord)] == [
        "tmp_path0/evil.zip:OK-1.json".replace("tmp_path0", tmp_path.name)
    ]
    assert len(rejected) == 6
    assert all("plain top-level" in r.reason or "control" in r.reason for r in rejected)
    assert not (tmp_path.parent / "etc").exists()


def test_an_oversized_entry_is_rejected_without_being_read(tmp_path: Path) -> None:
    bomb = b"{" + b" " * (8 * 1024 * 1024) + b"}"  # compresses to a few KiB
    archive = _zip(tmp_path / "bomb.zip", [("BIG.json", bomb), ("OK-1.json", RECORD)])
    assert archive.stat().st_size < 64 * 1024
    items = list(read_osv(archive, ReadLimits(max_record_bytes=1024 * 1024)))
    assert isinstance(items[0], Rejected) and "max_record_bytes" in items[0].reason
    assert isinstance(items[1], RawRecord)


def test_a_lying_size_header_cannot_inflate_past_it(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "lie.zip", [("A.json", b"x" * 100_000)])
    data = bytearray(archive.read_bytes())
    # Shrink the declared size in the central directory (offset 24 of the entry).
    at = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 10)
    archive.write_bytes(bytes(data))
    items = list(read_osv(archive))
    assert len(items) == 1
    assert isinstance(items[0], Rejected) or len(items[0].data) <= 10


def test_entry_count_is_checked_before_the_directory_is_parsed(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "many.zip", [(f"R-{i}.json", RECORD) for i in range(50)])
    with pytest.raises(LimitExceededError, match="max_entries"):
        list(read_osv(archive, ReadLimits(max_entries=10)))
    data = bytearray(archive.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HHI", data, at + 8, 0xFFFE, 0xFFFE, 0x7FFFFFFF)  # claims a huge directory
    archive.write_bytes(bytes(data))
    with pytest.raises(LimitExceededError):
        list(read_osv(archive))


def test_truncated_and_fake_zips(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "t.zip", [(f"R-{i}.json", RECORD) for i in range(5)])
    data = archive.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2] + data[-22:])
    with pytest.raises(InputError):
        list(read_osv(cut))
    corrupt = tmp_path / "corrupt.zip"
    body = bytearray(data)
    body[40:60] = b"\x00" * 20  # damage the first entry's compressed data
    corrupt.write_bytes(bytes(body))
    items = list(read_osv(corrupt))
    assert len(items) == 5 and isinstance(items[0], Rejected)


def test_directories_refuse_links_and_non_files(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "OK-1.json").write_bytes(RECORD)
    secret = tmp_path / "secret.json"
    secret.write_bytes(RECORD)
    (folder / "LINK.json").symlink_to(secret)
    (folder / "DIR.json").mkdir()
    os.mkfifo(folder / "FIFO.json")
    items = {i.where.rsplit("/", 1)[-1]: i for i in read_osv(folder)}
    assert isinstance(items["OK-1.json"], RawRecord)
    for name in ("LINK.json", "DIR.json", "FIFO.json"):
        assert isinstance(items[name], Rejected), name


def test_a_hostile_zip_imports_what_is_good_and_reports_the_rest(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "PyPI" / "all.zip" if (tmp_path / "PyPI").mkdir() is None else tmp_path,
        [("../x.json", RECORD), ("OK-1.json", RECORD), ("nested/OK-2.json", RECORD)],
    )
    (report,) = import_paths(tmp_path / "seawall.db", [archive])
    assert (report.source, report.records, report.malformed_count) == ("PyPI", 1, 2)


@pytest.mark.parametrize("workers", [0, 1])
def test_a_corrupt_entry_read_by_the_preparing_process_is_reported_not_fatal(
    tmp_path: Path, workers: int
) -> None:
    # An import hands entries on unread (ZipMember); whichever process prepares
    # them, in-process or a worker, checks them as read_osv does.
    first = RECORD.replace(b"OK-1", b"OK-2")
    archive = _zip(tmp_path / "bad.zip", [("OK-2.json", first), ("OK-1.json", RECORD)])
    data = bytearray(archive.read_bytes())
    at = data.index(b"OK-2.json") + len("OK-2.json") + 5
    data[at] ^= 0xFF  # inside the first entry's deflated bytes
    archive.write_bytes(bytes(data))
    with StoreWriter(tmp_path / "seawall.db", workers=workers) as writer:
        writer._preparer._inline_left = 0  # prepare in the pool from the first chunk
        report = writer.import_osv("bad", osv_items(archive), full=False)
    assert (report.records, report.malformed_count) == (1, 1)
    (problem,) = report.malformed
    assert problem.where.endswith("bad.zip:OK-2.json")
    assert problem.reason.startswith("unreadable zip entry")
