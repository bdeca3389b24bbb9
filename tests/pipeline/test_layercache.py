"""The per-layer cache's entries: exact round trips, and tampered entries discarded."""

import struct
from dataclasses import fields
from pathlib import Path

import orjson
import pytest
import zstandard

from seawall.model.files import Problem
from seawall.model.package import Ecosystem, Location, Package, Relationship
from seawall.pipeline.layercache import LayerCache
from seawall.pipeline.reduce import FileFindings, ReducedLayer

FULL = Package(
    name="golang.org/x/sys",
    version="v0.1.0",
    ecosystem=Ecosystem.GO,
    purl="pkg:golang/golang.org/x/sys@v0.1.0",
    cataloger="go/binary",
    ecosystem_release="12",
    source_name="sys-src",
    source_version="0.1.0-1",
    arch="amd64",
    licenses=("BSD-3-Clause", "MIT"),
    locations=(Location("/usr/bin/app", 2), Location("/opt/app", None)),
    checksums=(("sha1", "ab" * 20),),
    owner="pkg:deb/debian/golang-golang-x-sys-dev@0.1.0-1?arch=all&distro=debian-12",
)
LAYER = ReducedLayer(
    tar=b"\0" * 1024,
    findings=(
        FileFindings(
            "go/binary",
            "/usr/bin/app",
            (FULL, Package("x", "1", Ecosystem.GO, "pkg:golang/x@1", "go/binary")),
            (Relationship("pkg:golang/a@1", "pkg:golang/b@2"),),
            ("/usr/bin/app: odd but fine — ünïcode",),
        ),
    ),
    skipped=(("java/archive", "/big.jar: 9 bytes, over its limit"),),
    problems=(Problem("layer 0", "unsafe name '../x' clamped"),),
)


def test_every_package_field_is_in_the_cache_record() -> None:
    # A new Package field must be written and read back by layercache._package
    # (and by report.sbom.native.package_record), or warm scans would lose it.
    assert {f.name for f in fields(Package)} == {
        "name",
        "version",
        "ecosystem",
        "purl",
        "cataloger",
        "ecosystem_release",
        "source_name",
        "source_version",
        "arch",
        "licenses",
        "locations",
        "checksums",
        "owner",
    }


def test_an_entry_reads_back_exactly(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.store("k", LAYER)
    assert cache.load("k") == LAYER
    assert cache.load("other") is None
    assert LayerCache(None).load("k") is None


def test_without_a_directory_nothing_is_even_encoded(tmp_path: Path) -> None:
    unencodable = ReducedLayer(
        tar=b"",
        findings=(FileFindings("go/binary", "/app", (object(),), (), ()),),  # type: ignore[arg-type]
    )
    with pytest.raises(AttributeError):
        LayerCache(tmp_path).store("k", unencodable)  # encoding it fails ...
    LayerCache(None).store("k", unencodable)  # ... and `--no-cache` never tries


def entry(header: object, tar: bytes = b"") -> bytes:
    raw = orjson.dumps(header)
    return zstandard.ZstdCompressor().compress(struct.pack(">I", len(raw)) + raw + tar)


def good_header() -> dict[str, object]:
    return {
        "findings": [
            {
                "cataloger": "go/binary",
                "path": "/app",
                "packages": [
                    {
                        "name": "x",
                        "version": "1",
                        "ecosystem": "Go",
                        "ecosystem_release": None,
                        "purl": "pkg:golang/x@1",
                        "cataloger": "go/binary",
                        "source_name": None,
                        "source_version": None,
                        "arch": None,
                        "licenses": [],
                        "locations": [{"path": "/app", "layer": 1}],
                        "checksums": [],
                        "owner": None,
                    }
                ],
                "relationships": [],
                "problems": [],
            }
        ],
        "skipped": [],
        "problems": [],
    }


def tampered() -> list[bytes]:
    def with_package(**change: object) -> bytes:
        header = good_header()
        package = header["findings"][0]["packages"][0]  # type: ignore[index]
        package.update(change)
        return entry(header)

    return [
        b"not a cache entry",
        zstandard.ZstdCompressor().compress(b"\0\0"),
        entry([1, 2, 3]),
        entry({"findings": "x", "skipped": [], "problems": []}),
        with_package(name=7),
        with_package(ecosystem="NoSuchEcosystem"),
        with_package(licenses="MIT"),
        with_package(locations=[{"path": "/app", "layer": "1"}]),
        with_package(locations=[{"path": "/app", "layer": True}]),
        with_package(arch=["amd64"]),
        with_package(owner=5),
        entry({**good_header(), "skipped": [["only-one"]]}),
    ]


def test_the_good_header_reads() -> None:
    from seawall.pipeline.layercache import _decode

    decoded = _decode(entry(good_header(), b"tar"))
    assert decoded.tar == b"tar"
    assert decoded.findings[0].packages[0].locations == (Location("/app", 1),)


@pytest.mark.parametrize("data", tampered())
def test_a_tampered_entry_is_discarded(tmp_path: Path, data: bytes) -> None:
    cache = LayerCache(tmp_path)
    cache.store("k", LAYER)
    path = tmp_path / "layers" / "k.layer"
    path.write_bytes(data)
    assert cache.load("k") is None
    assert not path.exists()
