"""The lean layer scan sees what the layer view sees, and reads hard link targets back.

`LayerScan` is `LayerView` without an `Entry` per member; these tests hold the
two to the same entries, contents, problems and markers on hostile layers,
over a stream read once (BytesIO) and over a local blob read with `pread`
(`PlainRange`, which can skip and read back).
"""

import io
import os
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pytest
from fsbuild import END, Dir, File, Hardlink, Symlink, header, member, pax_record, tar_bytes

from seawall.fs.layer import LayerScan, LayerView, read_members
from seawall.fs.tarstream import SKIPPING_CHUNK
from seawall.limits import Limits
from seawall.model.files import FileKind
from seawall.model.image import Layer, LayerOpener
from seawall.source.localblob import LocalBlob, PlainRange, open_blob

LAYER = Layer(0, "application/vnd.oci.image.layer.v1.tar", "sha256:" + "ab" * 32, None, 0)


def sparse_member(name: bytes, stored: bytes) -> bytes:
    """An old GNU sparse member (typeflag S): never readable, its real size in the header."""
    block = bytearray(header(name, typeflag=b"S", size=len(stored), magic=b"ustar  \0"))
    block[483:495] = b"00000040000\0"  # real size 16384
    block[148:156] = b"        "
    block[148:156] = f"{sum(block):06o}".encode() + b"\0 "
    return bytes(block) + stored + bytes(-len(stored) % 512)


def hostile_layer() -> bytes:
    """Every kind of member a layer view checks, and every way one can be refused."""
    long_dir = "srv/" + "/".join(f"level-{n:02d}-of-a-deep-tree" for n in range(6))
    normal = tar_bytes(
        [
            Dir("."),
            Dir("usr"),
            Dir("usr/bin"),
            File("usr/bin/tool", b"\x7fELF" + b"t" * 5000, 0o755),
            Hardlink("usr/bin/tool-link", "usr/bin/tool"),
            Hardlink("usr/bin/tool-link2", "./usr/bin/tool-link"),  # a chain
            Hardlink("usr/bin/bad-link", "usr/bin/missing"),
            Hardlink("usr/bin/dir-link", "usr/bin"),
            Symlink("usr/bin/sym", "../lib/x"),
            File("etc/hosts", b"first"),
            File("etc/hosts", b"second, the one that counts"),
            Dir("usr"),  # a directory twice is no problem
            File(f"{long_dir}/requirements.txt", b"flask==3.0.0\n"),
            Symlink("srv/long-link", "/" + long_dir + "/requirements.txt"),
            File("var/.wh.gone"),
            File(f"{long_dir}/.wh..wh..opq"),
            File(".wh..wh.plnk/1.2", b"aufs"),
            File("var/.wh."),  # a whiteout without a name
            File("d/" * 30 + "too-deep", b"x"),
            File("x" * 300, b"too long"),
        ]
    )
    raw = (
        member(b"../../etc/cron.d/evil", b"* * * * * root sh")
        + member(b"/etc/passwd", b"root::0:0")
        + member(b"weird", b"payload", typeflag=b"Z")
        + header(b"dev/null", typeflag=b"3")
        + header(b"run/fifo", typeflag=b"6")
        + sparse_member(b"var/sparse", b"s" * 512)
        + member(b"PaxHeader", pax_record("path", "opt/" + "p" * 150 + "/app.jar"), typeflag=b"x")
        + member(b"ignored-name", b"PK\x03\x04 jar bytes")
        + END
    )
    return _without_end(normal) + raw


def _without_end(data: bytes) -> bytes:
    """A tar without its end-of-archive marker (and padding), to append members to."""
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = archive.getmembers()
    last = members[-1]
    end = last.offset_data + last.size + (-last.size % 512)
    return data[:end]


def bytes_opener(data: bytes) -> LayerOpener:
    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    return opener


def blob_opener(path: Path) -> LayerOpener:
    """A local blob read with pread, as an uncompressed layer of a local image is."""
    blob = LocalBlob(path, 0, path.stat().st_size)

    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        fd, _ = open_blob(blob, what="test blob")
        try:
            yield PlainRange(fd, blob)  # type: ignore[misc]
        finally:
            os.close(fd)

    return opener


@pytest.fixture(params=["bytes", "local blob"])
def open_layer(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[bytes], LayerOpener]:
    def make(data: bytes) -> LayerOpener:
        if request.param == "bytes":
            return bytes_opener(data)
        path = tmp_path / f"layer-{len(data)}.tar"
        path.write_bytes(data)
        return blob_opener(path)

    return make


Seen = tuple[str, FileKind, int, str | None, bytes | None]


def through_view(opener: LayerOpener, limits: Limits) -> tuple[list[Seen], LayerView]:
    view = LayerView(LAYER, opener, limits)
    seen: list[Seen] = []
    for entry in view:
        info = entry.info
        content = entry.open().read() if entry.readable else None
        seen.append((info.path, info.kind, info.mode, info.link_target, content))
    return seen, view


def through_scan(opener: LayerOpener, limits: Limits) -> tuple[list[Seen], LayerScan]:
    seen: list[Seen] = []
    with LayerScan(LAYER, opener, limits) as scan:
        for path, kind, tar_member, link_target in scan:
            readable = kind is FileKind.REGULAR and not tar_member.sparse
            content = scan.read() if readable else None
            seen.append((path, kind, tar_member.mode, link_target, content))
    return seen, scan


def test_the_scan_sees_what_the_view_sees(open_layer: Callable[[bytes], LayerOpener]) -> None:
    data = hostile_layer()
    limits = Limits(max_path_bytes=256, max_path_depth=20)
    by_view, view = through_view(open_layer(data), limits)
    by_scan, scan = through_scan(open_layer(data), limits)
    assert by_scan == by_view
    assert scan.problems == view.problems
    assert (scan.whiteouts, scan.opaque_dirs) == (view.whiteouts, view.opaque_dirs)
    # The layer is as hostile as intended: every check had something to say.
    messages = " | ".join(problem.message for problem in view.problems)
    for expected in (
        "unsafe name",
        "not an earlier member",
        "hard link to the directory",
        "more than once",
        "whiteout marker without a valid name",
        "max_path_depth=20",
        "max_path_bytes=256",
        "unsupported tar entry type",
        "sparse file",
    ):
        assert expected in messages
    paths = {path for path, *_ in by_view}
    assert {"/usr/bin/tool-link2", "/var/sparse", "/etc/passwd"} <= paths
    assert view.whiteouts == ["/var/gone"] and len(view.opaque_dirs) == 1


def test_the_scan_is_read_once_inside_its_block() -> None:
    scan = LayerScan(LAYER, bytes_opener(tar_bytes([File("a", b"1")])))
    with pytest.raises(RuntimeError, match="inside its `with` block"):
        list(scan)
    with scan:
        assert [path for path, *_ in scan] == ["/a"]
        with pytest.raises(RuntimeError, match="only once"):
            list(scan)


def hardlinked_layer(cap: int) -> bytes:
    """Targets a second pass would find in odd places: after a too-large first member,
    behind a sparse member, written twice, and a link whose target goes missing."""
    big, small = b"B" * (cap + 1), b"small enough"
    return (
        _without_end(
            tar_bytes(
                [
                    File("bin/big-then-small", big),
                    Hardlink("bin/to-big-then-small", "bin/big-then-small"),
                    File("bin/big-then-small", small),
                    File("bin/twice", b"first copy"),
                    File("bin/twice", b"second copy"),
                    Hardlink("bin/to-twice", "bin/twice"),
                    File("bin/plain", b"plain target"),
                    Hardlink("bin/to-plain", "bin/plain"),
                    Hardlink("bin/to-to-plain", "bin/to-plain"),
                ]
            )
        )
        + sparse_member(b"bin/sparse-then-real", b"s" * 512)
        + member(b"bin/sparse-then-real", b"real bytes")
        + header(b"bin/to-sparse", typeflag=b"1", linkname=b"bin/sparse-then-real")
        + END
    )


def test_reading_back_finds_what_a_second_pass_would(tmp_path: Path) -> None:
    cap = 4096
    data = hardlinked_layer(cap)
    path = tmp_path / "layer.tar"
    path.write_bytes(data)
    links: dict[str, str] = {}
    with LayerScan(LAYER, blob_opener(path)) as scan:
        for entry_path, kind, _, target in scan:
            if kind is FileKind.HARDLINK and target is not None:
                links[entry_path] = target
        back = scan.read_back(set(links.values()) | {"/bin/never-written"}, cap)
    second = read_members(LAYER, bytes_opener(data), set(links.values()), cap, Limits())
    assert back == second
    assert back == {
        "/bin/big-then-small": b"small enough",
        "/bin/twice": b"first copy",
        "/bin/plain": b"plain target",
        "/bin/sparse-then-real": b"real bytes",
    }
    assert links["/bin/to-to-plain"] == "/bin/plain"


def test_a_stream_read_once_cannot_be_read_back() -> None:
    data = hardlinked_layer(4096)
    with LayerScan(LAYER, bytes_opener(data)) as scan:
        list(scan)
        assert scan.read_back({"/bin/plain"}, 4096) is None


def test_headers_across_the_skipping_chunk_boundaries(tmp_path: Path) -> None:
    # Files of many sizes put headers across every position of the buffer's end.
    files = [File(f"f{n:04d}", bytes([n % 251]) * (n * 997 % 5000)) for n in range(200)]
    data = tar_bytes(files)
    assert len(data) > 4 * SKIPPING_CHUNK
    path = tmp_path / "layer.tar"
    path.write_bytes(data)
    by_blob, _ = through_scan(blob_opener(path), Limits())
    by_bytes, _ = through_view(bytes_opener(data), Limits())
    assert by_blob == by_bytes
    assert [content for *_, content in by_blob] == [file.data for file in files]
