"""Layers whose digests are checked by children started before they are read (`verify_ahead`).

Every blob here but one is at least `MIN_SIDE_BYTES`, so the source hands it
to the `AheadVerification`: the tests check that readers then fork nothing of
their own, that `check()` catches every way a blob can be wrong (bytes the
reader skipped, a wrong length, a file written meanwhile), also for a reader
in another process, and that no child outlives the block.
"""

import os
import random
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.fs.tarstream import TarReader
from seawall.limits import Limits
from seawall.model.image import Layer, LayerOpener
from seawall.source.base import ImageSource
from seawall.source.digest import digest_bytes, parse_digest
from seawall.source.errors import DigestMismatchError, MalformedDocumentError
from seawall.source.localblob import LocalBlob, open_blob
from seawall.source.registry import open_source
from seawall.source.sideverify import MAX_WATCHED, MIN_SIDE_BYTES, AheadVerification
from tests.support.imagebuild import (
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    docker_archive_members,
    write_oci_layout,
    write_tar,
)


def _noise(seed: int) -> bytes:
    return random.Random(seed).randbytes(MIN_SIDE_BYTES + 54_321)


def _spec(flavour: str = "oci", compression: str = "none") -> ImageSpec:
    """Three big layers (incompressible, past the threshold also gzipped) and a small one."""
    steps = [
        LayerSpec(
            [File(f"opt/blob{n}.bin", _noise(n)), File(f"srv/last{n}.txt", b"the end\n")],
            compression=compression,  # type: ignore[arg-type]
        )
        for n in range(3)
    ]
    steps.append(LayerSpec([File("etc/small.txt", b"small\n")], compression="none"))
    return ImageSpec(steps=steps, flavour=flavour)  # type: ignore[arg-type]


def _layout(tmp_path: Path, compression: str = "none") -> tuple[str, Path]:
    built = build_image(_spec(compression=compression))
    root = write_oci_layout(tmp_path / "layout", [(built, "v1")])
    assert all(layer.size >= MIN_SIDE_BYTES for layer in built.layers[:3])
    assert built.layers[3].size < MIN_SIDE_BYTES
    return f"oci-dir:{root}:v1", root / "blobs/sha256"


def _children() -> set[str]:
    pid = os.getpid()
    return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def _names(opener: LayerOpener) -> list[str]:
    """The layer's member names, reading no member's data."""
    with opener() as stream:
        return [m.name for m in TarReader(stream, "layer", Limits(), [])]


def _blob(blobs: Path, layer: Layer) -> Path:
    assert layer.digest is not None
    return blobs / layer.digest.removeprefix("sha256:")


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _jobs(source: ImageSource) -> list[tuple[Layer, LayerOpener]]:
    return source.layer_openers()


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_readers_fork_nothing_and_the_check_passes(tmp_path: Path, compression: str) -> None:
    target, _blobs = _layout(tmp_path, compression)
    before = _children()
    with open_source(target) as source:
        jobs = _jobs(source)
        with source.verify_ahead([layer for layer, _ in jobs], processes=2) as ahead:
            hashing = _children() - before
            assert len(hashing) == 2  # three big blobs shared by two children; the small one inline
            for _layer, opener in jobs:
                _names(opener)
                assert _children() - before <= hashing  # no reader forked a child of its own
            ahead.check()
        assert _children() == before


def test_bytes_the_reader_skipped_are_checked(tmp_path: Path) -> None:
    target, blobs = _layout(tmp_path)
    with open_source(target) as source:
        layer = source.image.layers[1]
    _flip(_blob(blobs, layer), 4096)  # inside opt/blob1.bin, passed over unread
    with open_source(target) as source:
        jobs = _jobs(source)
        with source.verify_ahead([layer for layer, _ in jobs], processes=2) as ahead:
            assert _names(jobs[1][1]) == ["opt/blob1.bin", "srv/last1.txt"]  # the reader trusts
            with pytest.raises(DigestMismatchError, match=f"layer 1 \\({layer.digest}\\)"):
                ahead.check()


def test_a_reader_in_another_process_is_covered(tmp_path: Path) -> None:
    """As `layerpool` forks its workers after the verification has started."""
    target, _blobs = _layout(tmp_path)
    with open_source(target) as source:
        jobs = _jobs(source)
        with source.verify_ahead([layer for layer, _ in jobs], processes=1) as ahead:
            hashing = _children()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - its exit status is the assertion
                code = 1
                try:
                    before = _children()
                    names = _names(jobs[0][1])
                    code = 0 if names == ["opt/blob0.bin", "srv/last0.txt"] else 2
                    code = code if _children() == before else 3  # it forked no hashing child
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            assert _children() == hashing  # the worker left the verification's children alone
            ahead.check()


def test_wrong_lengths_are_caught(tmp_path: Path) -> None:
    target, blobs = _layout(tmp_path)
    with open_source(target) as source:
        layer = source.image.layers[2]
    blob = _blob(blobs, layer)
    declared = layer.size  # as the manifest's descriptor says
    assert declared is not None
    with blob.open("ab") as handle:
        handle.write(b"\0" * 512)
    with (
        open_source(target) as source,
        source.verify_ahead(source.image.layers, processes=2) as ahead,
        pytest.raises(MalformedDocumentError, match=f"more than the {declared} bytes"),
    ):
        ahead.check()
    os.truncate(blob, declared - 512)
    with (
        open_source(target) as source,
        source.verify_ahead(source.image.layers, processes=2) as ahead,
        pytest.raises(InputError, match="truncated"),
    ):
        ahead.check()


def test_a_file_written_while_being_read_is_refused(tmp_path: Path) -> None:
    target, blobs = _layout(tmp_path)
    with open_source(target) as source:
        jobs = _jobs(source)
        blob = _blob(blobs, jobs[0][0])
        content = blob.read_bytes()
        with source.verify_ahead([layer for layer, _ in jobs], processes=2) as ahead:
            with (
                pytest.raises(MalformedDocumentError, match="changed while it was being read"),
                jobs[0][1]() as stream,
            ):
                stream.read(512)
                blob.write_bytes(content)  # the same bytes, but written: ctime moves
            # A reader opening the file after it changed is refused at once.
            with pytest.raises(MalformedDocumentError, match="changed while it was being read"):
                _names(jobs[0][1])
            with pytest.raises(MalformedDocumentError, match="changed while it was being read"):
                ahead.check()


def test_leaving_without_a_check_leaves_no_child(tmp_path: Path) -> None:
    target, _blobs = _layout(tmp_path)
    before = _children()
    with open_source(target) as source:
        jobs = _jobs(source)
        with (
            pytest.raises(RuntimeError, match="reader gave up"),
            source.verify_ahead([layer for layer, _ in jobs], processes=2),
        ):
            assert _children() != before
            raise RuntimeError("reader gave up")
        assert _children() == before
        # Afterwards readers verify for themselves again (one child for the read).
        with jobs[0][1]() as stream:
            assert len(_children() - before) == 1
            stream.read(512)


def test_small_blobs_are_left_to_their_readers(tmp_path: Path) -> None:
    target, blobs = _layout(tmp_path)
    with open_source(target) as source:
        small = source.image.layers[3]
    _flip(_blob(blobs, small), 600)
    with open_source(target) as source:
        jobs = _jobs(source)
        with source.verify_ahead([small], processes=2) as ahead:
            with pytest.raises(DigestMismatchError):
                _names(jobs[3][1])
            ahead.check()  # it watched nothing


def test_docker_archive(tmp_path: Path) -> None:
    """Its layer.tar files are uncompressed: each is its own diff_id, checked as a digest."""
    built = build_image(_spec(flavour="docker"))
    members = docker_archive_members([(built, ["big:1"])])
    path = write_tar(tmp_path / "save.tar", members)
    tar = built.layers[1].tar
    position = path.read_bytes().find(tar[:4096]) + len(tar) // 2
    _flip(path, position)
    with open_source(f"docker-archive:{path}") as source:
        jobs = _jobs(source)
        with source.verify_ahead([layer for layer, _ in jobs], processes=2) as ahead:
            for _layer, opener in jobs:
                _names(opener)
            layer = jobs[1][0]
            with pytest.raises(DigestMismatchError, match=f"layer 1 \\({layer.digest}\\)"):
                ahead.check()


def _watch(ahead: AheadVerification, path: Path, blob: LocalBlob, size: int | None) -> None:
    fd, state = open_blob(blob, what=str(path))
    data = path.read_bytes()[blob.offset : blob.offset + blob.size]
    expected = parse_digest(digest_bytes(data), what="test")
    ahead.watch(fd, state, blob, expected, expected_size=size, what=f"blob at {blob.offset}")


def _open_descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def test_a_shared_blob_is_hashed_once_per_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "blobs"
    path.write_bytes(bytes(range(256)) * 64)
    blob = LocalBlob(path, 1024, 4096)
    digest = parse_digest(digest_bytes(path.read_bytes()[1024:5120]), what="test")
    open_before = _open_descriptors()
    with AheadVerification() as ahead:
        _watch(ahead, path, blob, 4096)
        _watch(ahead, path, blob, 4096)  # a second layer naming the same blob
        _watch(ahead, path, blob, 4000)  # ... declaring another size: checked on its own
        assert _open_descriptors() == open_before + 2  # the same blob is kept once
        ahead.start(2)
        assert ahead.state_of(blob, digest, 4096) is not None
        assert ahead.state_of(blob, digest, 4000) is not None
        assert ahead.state_of(blob, digest, None) is None  # a reader with other expectations
        with pytest.raises(MalformedDocumentError, match="more than the 4000 bytes"):
            ahead.check()


def test_past_the_cap_blobs_are_left_to_their_readers(tmp_path: Path) -> None:
    path = tmp_path / "blobs"
    path.write_bytes(bytes(range(256)) * 8)
    blobs = [LocalBlob(path, offset, 16) for offset in range(MAX_WATCHED + 1)]
    open_before = _open_descriptors()
    with AheadVerification() as ahead:
        for blob in blobs:
            _watch(ahead, path, blob, 16)
        assert _open_descriptors() == open_before + MAX_WATCHED
        ahead.start(2)
        digests = [
            parse_digest(digest_bytes(path.read_bytes()[b.offset : b.offset + 16]), what="t")
            for b in blobs
        ]
        assert ahead.state_of(blobs[0], digests[0], 16) is not None
        assert ahead.state_of(blobs[-1], digests[-1], 16) is None
        ahead.check()
    assert _open_descriptors() == open_before
