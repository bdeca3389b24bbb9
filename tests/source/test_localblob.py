"""A local blob read with pread: reading earlier bytes again stays inside its range."""

import os
from pathlib import Path

import pytest

from seawall.source.localblob import LocalBlob, PlainRange, open_blob


def test_reading_back_stays_inside_the_range(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    path.write_bytes(b"HEAD" + b"0123456789" + b"TAIL")
    blob = LocalBlob(path, 4, 10)
    fd, _ = open_blob(blob, what="test blob")
    try:
        plain = PlainRange(fd, blob)
        assert plain.read(3) == b"012"
        assert plain.read_at(5, 3) == b"567"
        assert plain.read_at(8, 100) == b"89"  # never past the range: "TAIL" is not the blob's
        assert plain.read_at(10, 5) == b""
        assert plain.read() == b"3456789"  # reading back did not move the position
        with pytest.raises(ValueError, match="negative offset"):
            plain.read_at(-4, 4)  # "HEAD" is not the blob's either
    finally:
        os.close(fd)


def test_a_file_cut_short_reads_back_short(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    path.write_bytes(b"0123456789")
    blob = LocalBlob(path, 0, 10)
    fd, _ = open_blob(blob, what="test blob")
    try:
        os.truncate(path, 6)  # a file written to while it is read
        assert PlainRange(fd, blob).read_at(4, 6) == b"45"
    finally:
        os.close(fd)
