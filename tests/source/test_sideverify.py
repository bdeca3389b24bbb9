"""Layers of local files big enough to be hashed by a child process while they are read.

Each blob here is at least `MIN_SIDE_BYTES`, so `verified_layer_stream` takes
the side path: the tests check that what is read is the layer, and that every
way a blob can be wrong is still caught, as the inline path catches it.
"""

import json
import os
import random
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.fs.tarstream import TarReader
from seawall.limits import Limits
from seawall.model.files import Problem
from seawall.source.errors import DigestMismatchError, MalformedDocumentError
from seawall.source.localblob import LocalBlob, PlainRange
from seawall.source.registry import open_source
from seawall.source.sideverify import MIN_SIDE_BYTES
from tests.support.imagebuild import (
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    docker_archive_members,
    tar_bytes,
    write_oci_layout,
    write_tar,
)

_NOISE = random.Random(7).randbytes(MIN_SIDE_BYTES + 123_457)
"""Incompressible, so a gzip layer holding it is past the threshold too."""


def _big_image(compression: str, flavour: str = "oci") -> ImageSpec:
    entries = [
        File("etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
        File("opt/blob.bin", _NOISE),
        File("srv/last.txt", b"the last member\n"),
    ]
    return ImageSpec(
        steps=[LayerSpec(entries, compression=compression)],  # type: ignore[arg-type]
        flavour=flavour,  # type: ignore[arg-type]
    )


def _layout(tmp_path: Path, compression: str) -> tuple[Path, Path]:
    """An OCI layout of the big image, and its layer blob's file."""
    built = build_image(_big_image(compression))
    root = write_oci_layout(tmp_path / "layout", [(built, "v1")])
    assert built.layers[0].size >= MIN_SIDE_BYTES
    return root, root / "blobs/sha256" / built.layers[0].digest[7:]


def _names(target: str) -> list[str]:
    """Every member name of the (only) layer, reading no member's data."""
    with open_source(target) as source:
        [(_layer, opener)] = source.layer_openers()
        with opener() as stream:
            return [m.name for m in TarReader(stream, "layer", Limits(), [])]


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _children() -> set[str]:
    """This process's children (servers other tests of this worker started among them)."""
    pid = os.getpid()
    return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_big_layer_reads_whole_and_verified(tmp_path: Path, compression: str) -> None:
    built = build_image(_big_image(compression))
    root = write_oci_layout(tmp_path / "layout", [(built, "v1")])
    before = _children()
    with open_source(f"oci-dir:{root}:v1") as source:
        [(_layer, opener)] = source.layer_openers()
        with opener() as stream:
            assert len(_children() - before) == 1  # the hashing child runs during the read
            assert stream.read() == built.layers[0].tar
    assert _children() == before


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_tampering_after_where_the_reader_stops_is_caught(tmp_path: Path, compression: str) -> None:
    root, blob = _layout(tmp_path, compression)
    before = _children()
    assert _names(f"oci-dir:{root}:v1") == ["etc/os-release", "opt/blob.bin", "srv/last.txt"]
    _flip(blob, blob.stat().st_size - 2000)  # inside the noise or the compressed tail
    with pytest.raises(InputError, match=r"digest mismatch|corrupt"):
        _names(f"oci-dir:{root}:v1")
    assert _children() == before


def test_member_data_skipped_unread_is_still_hashed(tmp_path: Path) -> None:
    root, blob = _layout(tmp_path, "none")
    _flip(blob, 4096)  # inside opt/blob.bin, whose data the reader passes over
    with pytest.raises(DigestMismatchError, match="digest mismatch"):
        _names(f"oci-dir:{root}:v1")


def test_blob_shorter_or_longer_than_declared(tmp_path: Path) -> None:
    root, blob = _layout(tmp_path, "none")
    manifest_path = next(
        p for p in (root / "blobs/sha256").iterdir() if b'"layers"' in p.read_bytes()[:4096]
    )
    manifest = json.loads(manifest_path.read_bytes())
    declared = manifest["layers"][0]["size"]
    with blob.open("ab") as handle:
        handle.write(b"\0" * 512)
    with pytest.raises(MalformedDocumentError, match=f"more than the {declared} bytes"):
        _names(f"oci-dir:{root}:v1")
    os.truncate(blob, declared - 512)
    with pytest.raises(InputError, match="truncated"):
        _names(f"oci-dir:{root}:v1")


def test_file_written_while_being_read_is_refused(tmp_path: Path) -> None:
    root, blob = _layout(tmp_path, "none")
    content = blob.read_bytes()
    with open_source(f"oci-dir:{root}:v1") as source:
        [(_layer, opener)] = source.layer_openers()
        with (
            pytest.raises(MalformedDocumentError, match="changed while it was being read"),
            opener() as stream,
        ):
            stream.read(512)
            blob.write_bytes(content)  # the same bytes, but written: ctime moves


def test_a_failing_reader_leaves_no_child(tmp_path: Path) -> None:
    root, _blob = _layout(tmp_path, "none")
    before = _children()
    with open_source(f"oci-dir:{root}:v1") as source:
        [(_layer, opener)] = source.layer_openers()
        with pytest.raises(RuntimeError, match="consumer gave up"), opener() as stream:
            stream.read(512)
            raise RuntimeError("consumer gave up")
    assert _children() == before


def test_legacy_docker_archive_checked_against_diff_id(tmp_path: Path) -> None:
    built = build_image(_big_image("none", flavour="docker"))
    members = docker_archive_members([(built, ["big:1"])])
    path = write_tar(tmp_path / "save.tar", members)
    assert _names(f"docker-archive:{path}") == ["etc/os-release", "opt/blob.bin", "srv/last.txt"]
    tar = built.layers[0].tar
    position = path.read_bytes().find(tar[:4096]) + len(tar) // 2
    _flip(path, position)
    with pytest.raises(DigestMismatchError, match="digest mismatch"):
        _names(f"docker-archive:{path}")


def test_skipping_past_the_end_of_a_local_blob_is_a_truncated_member(tmp_path: Path) -> None:
    tar = tar_bytes([File("a.txt", b"a" * 5000), File("b.txt", b"b")])
    cut = tar[:2048]  # the header of a.txt and part of its data
    path = tmp_path / "cut.tar"
    path.write_bytes(cut)
    fd = os.open(path, os.O_RDONLY)
    try:
        problems: list[Problem] = []
        reader = TarReader(PlainRange(fd, LocalBlob(path, 0, len(cut))), "cut", Limits(), problems)
        with pytest.raises(InputError, match="truncated inside member data"):
            list(reader)
    finally:
        os.close(fd)
