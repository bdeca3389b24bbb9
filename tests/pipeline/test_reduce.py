"""Reducing a layer: the combined prefilter and the executable magic check change nothing,
and the reduced tar reads back as written."""

import io
import os
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from seawall.fs import LayerView
from seawall.fs.layer import read_members
from seawall.fs.tarstream import TarReader
from seawall.limits import Limits
from seawall.model.image import Layer, LayerOpener
from seawall.pipeline import reduce as reduce_module
from seawall.pipeline.reduce import (
    ReducedLayer,
    Wants,
    _pax_record,
    _Reducer,
    _tar_header,
    reduce_layer,
)
from seawall.pipeline.sbom import catalog_wants
from seawall.source.localblob import LocalBlob, PlainRange, open_blob

ELF = Path("/bin/ls").read_bytes()
MEMBERS = {
    "usr/bin/ls": ELF,
    "usr/bin/script": b"#!/bin/sh\necho hi\n",
    "usr/bin/tiny": b"\x7fEL",  # shorter than the magic
    "usr/bin/fake-elf": b"\x7fELF\x02\x01\x01" + b"\0" * 9,  # an ELF header, truncated
    "usr/local/bin/blob": b"MZ" + b"\0" * 30,  # a PE that is not one
    "var/lib/dpkg/status": b"Package: x\nStatus: install ok installed\nVersion: 1\n\n",
    "etc/os-release": b"ID=debian\nVERSION_ID=12\n",
    "srv/app/node_modules/a/package.json": b'{"name": "a", "version": "1.0.0"}',
    "srv/app/requirements.txt": b"requests==2.31.0\n",
    "srv/app/lib/x.jar": b"not a zip",
    "usr/share/doc/x/copyright": b"License: MIT\n",
    "usr/share/big/data": b"x" * 10_000,
}


def layer_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in MEMBERS.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            member.mode = 0o755
            tar.addfile(member, io.BytesIO(content))
        link = tarfile.TarInfo("usr/bin/ls-link")
        link.type = tarfile.LNKTYPE
        link.linkname = "usr/bin/ls"
        tar.addfile(link)
    return buffer.getvalue()


def reduce(wants: Wants) -> ReducedLayer:
    data = layer_tar()

    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    layer = Layer(0, "application/vnd.oci.image.layer.v1.tar", None, None, len(data))
    return reduce_layer(layer, opener, wants, Limits())


def test_prefilter_and_magic_check_give_the_same_reduced_layer() -> None:
    fast = catalog_wants()
    plain = Wants(content=fast.content, file_local=fast.file_local, context=fast.context)
    reduced = reduce(fast)
    assert reduced == reduce(plain)
    with tarfile.open(fileobj=io.BytesIO(reduced.tar)) as kept:
        names = {member.name: member.size for member in kept}
    # Scripts and non-executables in bin directories stay as empty placeholders.
    assert names["usr/bin/script"] == 0 and names["usr/bin/ls"] == 0
    assert "usr/share/big/data" not in names
    assert names["var/lib/dpkg/status"] > 0
    problems = {found.path: found.problems for found in reduced.findings}
    assert "/usr/bin/fake-elf" in problems  # malformed executables are still reported


def test_cataloged_answers_as_asking_every_content_cataloger() -> None:
    wants = catalog_wants()
    listed = [
        line
        for listing in sorted(Path("/var/lib/dpkg/info").glob("*.list"))[:400]
        for line in listing.read_text(errors="surrogateescape").splitlines()
    ]
    paths = [*listed, *(f"/{name}" for name in MEMBERS), "/srv/app/package-lock.json", "/x/go.mod"]
    expected = [any(c.wants(path) for c in wants.content) for path in paths]
    assert [wants.cataloged(path) for path in paths] == expected
    assert sum(expected) > 10  # the corpus holds wanted paths, not only unwanted ones


# --- the reduced tar ----------------------------------------------------------------------

LONG_DIR = "srv/" + "/".join(f"level-{n:02d}-of-a-deep-tree" for n in range(8))
ODD = b"srv/caf\xe9/requirements.txt"  # Latin-1, not UTF-8: kept byte for byte
WRITTEN = {
    f"{LONG_DIR}/requirements.txt": b"flask==3.0.0\n",
    "srv/app/requirements.txt": b"requests==2.31.0\n" * 100,
    "etc/os-release": b"ID=debian\nVERSION_ID=12\n",
}


def tricky_layer() -> bytes:
    """Names and link targets past ustar's 100 bytes, a non-UTF-8 name, whiteouts."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in WRITTEN.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
        odd = tarfile.TarInfo(ODD.decode("utf-8", "surrogateescape"))
        odd.size = 6
        tar.addfile(odd, io.BytesIO(b"six==1\n"[:6]))
        link = tarfile.TarInfo("srv/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/" + LONG_DIR + "/requirements.txt"
        tar.addfile(link)
        for gone in ("srv/.wh.old", f"{LONG_DIR}/.wh..wh..opq"):
            tar.addfile(tarfile.TarInfo(gone))
    return buffer.getvalue()


def test_the_reduced_tar_reads_back_alike_with_tarfile_and_the_layer_view() -> None:
    data = tricky_layer()

    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    layer = Layer(0, "application/vnd.oci.image.layer.v1.tar", None, None, len(data))
    reduced = reduce_layer(layer, opener, catalog_wants(), Limits())
    assert len(reduced.tar) % 512 == 0 and reduced.tar.endswith(bytes(1024))
    with tarfile.open(fileobj=io.BytesIO(reduced.tar)) as kept:
        by_tarfile = {
            m.name: (m.type, m.linkname, kept.extractfile(m).read() if m.isfile() else None)  # type: ignore[union-attr]
            for m in kept
        }
    expected: dict[str, tuple[bytes, str, bytes | None]] = {
        name: (tarfile.REGTYPE, "", content) for name, content in WRITTEN.items()
    }
    expected[ODD.decode("utf-8", "surrogateescape")] = (tarfile.REGTYPE, "", b"six==1")
    expected["srv/link"] = (tarfile.SYMTYPE, "/" + LONG_DIR + "/requirements.txt", None)
    expected["srv/.wh.old"] = (tarfile.REGTYPE, "", b"")
    expected[f"{LONG_DIR}/.wh..wh..opq"] = (tarfile.REGTYPE, "", b"")
    assert by_tarfile == expected
    assert len(LONG_DIR) > 100
    view = LayerView(layer, _opener_of(reduced.tar), Limits())
    by_view = {
        entry.path: entry.open().read() if entry.readable else entry.info.link_target
        for entry in view
    }
    assert view.problems == []
    assert view.whiteouts == ["/srv/old"] and view.opaque_dirs == ["/" + LONG_DIR]
    assert by_view == {
        "/" + name: (None if kind == tarfile.SYMTYPE else content) or link
        for name, (kind, link, content) in expected.items()
        if ".wh." not in name
    }


def _opener_of(data: bytes) -> LayerOpener:
    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    return opener


def test_pax_records_count_their_own_length() -> None:
    """The length prefix includes its own digits: 98 bytes of record body need 101."""
    for value_length in range(80, 110):
        record = _pax_record(b"path", b"x" * value_length)
        length, _, _ = record.partition(b" ")
        assert int(length) == len(record) and record.endswith(b"\n")


def test_a_size_past_eleven_octal_digits_goes_in_a_pax_record() -> None:
    """Never reached with the readers' caps (512 MiB), but the header must still be right."""
    size = 8**11 + 5
    records = _pax_record(b"size", b"%d" % size)
    stream = (
        _tar_header(b"././@PaxHeader", b"x", 0o644, len(records), b"")
        + records
        + bytes(-len(records) % 512)
        + _tar_header(b"huge", b"0", 0o600, size, b"")
    )
    reader = TarReader(io.BytesIO(stream), "layer 0", Limits(), [])
    first = next(iter(reader))
    assert (first.name, first.size, first.mode) == ("huge", size, 0o600)


# --- one pass, hard links read back, and the remembered answers --------------------------


def reduce_through_the_view(data: bytes, wants: Wants) -> ReducedLayer:
    """The reduction as it was written over `LayerView`: an `Entry` per member, and a
    second pass over the layer for the hard links' targets."""
    layer = Layer(0, "application/vnd.oci.image.layer.v1.tar", None, None, len(data))
    reducer = _Reducer(wants, layer.index)
    view = LayerView(layer, _opener_of(data), Limits())
    for entry in view:
        reducer.add(entry)
    if reducer.hardlinks:
        cap = max(reader.MAX_FILE_BYTES for reader in wants.readers)
        targets = read_members(
            layer, _opener_of(data), set(reducer.hardlinks.values()), cap, Limits()
        )
        for path, target in sorted(reducer.hardlinks.items()):
            content_cap, wanting = wants.content_cap(path)
            content = targets.get(target, b"")
            reducer.add_content(path, content, 0o644, content_cap, wants.local(path), wanting)
    reducer.mark(view.whiteouts, view.opaque_dirs)
    return reducer.finish(view.problems)


def linked_layer() -> bytes:
    """Wanted hard links (programs, a package list, metadata), whiteouts, a sparse file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add(name: str, content: bytes | None = None, **fields: object) -> None:
            info = tarfile.TarInfo(name)
            for key, value in fields.items():
                setattr(info, key, value)
            if content is not None:
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content is not None else None)

        add("usr/bin/ls", ELF, mode=0o755)
        add("usr/bin/dir", type=tarfile.LNKTYPE, linkname="usr/bin/ls")
        add("usr/bin/script", b"#!/bin/sh\n", mode=0o755)
        add("usr/bin/script-too", type=tarfile.LNKTYPE, linkname="usr/bin/script")
        add("var/lib/dpkg/status", b"Package: x\nStatus: install ok installed\nVersion: 1\n\n")
        add("var/lib/dpkg/info/x.list", b"/.\n/usr\n/usr/bin/ls\n/usr/share/doc/x\n")
        add(
            "var/lib/dpkg/info/x-copy.list",
            type=tarfile.LNKTYPE,
            linkname="var/lib/dpkg/info/x.list",
        )
        add("srv/a/node_modules/p/package.json", b'{"name": "p", "version": "1.0.0"}')
        add(
            "srv/b/node_modules/p/package.json",
            type=tarfile.LNKTYPE,
            linkname="srv/a/node_modules/p/package.json",
        )
        add("usr/share/doc/x/copyright", b"License: MIT\n")
        add("usr/share/doc/x/changelog", b"not wanted" * 100)
        add(
            "usr/share/doc/x/changelog.old",
            type=tarfile.LNKTYPE,
            linkname="usr/share/doc/x/changelog",
        )
        add("etc/.wh.gone")
        add("opt/.wh..wh..opq")
        add("usr/bin/link", type=tarfile.SYMTYPE, linkname="ls")
    return buffer.getvalue()


def test_one_pass_reduces_as_the_view_and_a_second_pass_did(tmp_path: Path) -> None:
    data = linked_layer()
    expected = reduce_through_the_view(data, catalog_wants())
    with tarfile.open(fileobj=io.BytesIO(expected.tar)) as kept:
        names = {m.name for m in kept}
    assert {
        "usr/bin/dir",
        "var/lib/dpkg/info/x-copy.list",
        "srv/b/node_modules/p/package.json",
    } <= names
    layer = Layer(0, "application/vnd.oci.image.layer.v1.tar", None, None, len(data))
    # A stream read once: the targets come from a second pass.
    assert reduce_layer(layer, _opener_of(data), catalog_wants(), Limits()) == expected
    # A local blob: the targets are read back where they lie, in the same pass.
    path = tmp_path / "layer.tar"
    path.write_bytes(data)
    blob = LocalBlob(path, 0, len(data))
    opens: list[int] = []

    @contextmanager
    def blob_opener() -> Iterator[BinaryIO]:
        fd, _ = open_blob(blob, what="test layer")
        opens.append(fd)
        try:
            yield cast(BinaryIO, PlainRange(fd, blob))
        finally:
            os.close(fd)

    assert reduce_layer(layer, blob_opener, catalog_wants(), Limits()) == expected
    assert len(opens) == 1  # one pass


def test_remembered_answers_are_the_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = sorted(
        line
        for listing in sorted(Path("/var/lib/dpkg/info").glob("*.list"))[:200]
        for line in listing.read_text(errors="surrogateescape").splitlines()
    )
    paths = [*listed, *(f"/{name}" for name in MEMBERS), "/srv/app/package-lock.json"]
    fresh = [catalog_wants().wanted(path) for path in paths[:300]]  # nothing remembered yet
    monkeypatch.setattr(reduce_module, "_MEMO_PATHS", 100)  # full before the end
    wants = catalog_wants()
    first = [wants.wanted(path) for path in paths]
    again = [wants.wanted(path) for path in paths]
    assert first == again and first[:300] == fresh
    assert len(wants._index._memo) == 100
    assert sum(bool(kept or local) for _, kept, local in first) > 10
