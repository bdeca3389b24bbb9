"""The hostile-input corpus: each case is built here and must fail with a clear InputError."""

import gzip
import json
import tarfile
from pathlib import Path

import pytest

from seawall.errors import InputError, LimitExceededError
from seawall.limits import Limits
from seawall.source.base import SourceOptions
from seawall.source.errors import (
    BlobNotFoundError,
    CorruptLayerError,
    DigestMismatchError,
    ImageNotFoundError,
    MalformedDocumentError,
    PlatformNotFoundError,
    UnsafeArchiveError,
    UnsupportedMediaTypeError,
)
from seawall.source.registry import open_source
from tests.support.imagebuild import (
    File,
    ImageSpec,
    LayerSpec,
    Member,
    Raw,
    build_image,
    build_index,
    canonical_json,
    docker_archive_members,
    oci_layout_members,
    simple_image,
    write_lying_tar,
    write_oci_layout,
    write_tar,
)


def _one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message
    return message


def _read_all(target: str, options: SourceOptions | None = None) -> None:
    with open_source(target, options) as source:
        for _layer, opener in source.layer_openers():
            with opener() as stream:
                stream.read()


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "blobs/../../x"])
def test_escaping_member_names(tmp_path: Path, name: str) -> None:
    members = [*docker_archive_members([(simple_image(), ["a:1"])]), Raw(name, content=b"x")]
    path = write_tar(tmp_path / "evil.tar", members)
    with pytest.raises(UnsafeArchiveError, match="refusing the archive") as info:
        open_source(f"docker-archive:{path}")
    assert str(path) in _one_line(info.value)


def test_duplicate_member_is_refused(tmp_path: Path) -> None:
    members = docker_archive_members([(simple_image(), ["a:1"])])
    path = write_tar(tmp_path / "dup.tar", [*members, Member("manifest.json", b"[]")])
    with pytest.raises(UnsafeArchiveError, match="appears twice"):
        open_source(f"docker-archive:{path}")


def test_member_symlink_out_of_archive(tmp_path: Path) -> None:
    members = [
        m if m.name != "manifest.json" else Member("manifest.json", symlink="../../etc/passwd")
        for m in docker_archive_members([(simple_image(), ["a:1"])])
    ]
    path = write_tar(tmp_path / "link.tar", members)
    with pytest.raises(UnsafeArchiveError, match="links outside"):
        open_source(f"docker-archive:{path}")


def test_huge_manifest_refused_before_reading(tmp_path: Path) -> None:
    # A 100 MB manifest.json (a sparse file): refused from its tar header, never read or parsed.
    size = 100 * 1024 * 1024
    path = write_lying_tar(tmp_path / "big.tar", "manifest.json", size, b"[")
    with open(path, "r+b") as handle:
        handle.truncate(512 + size + 1024)
    with pytest.raises(LimitExceededError, match="max_manifest_bytes") as info:
        open_source(f"docker-archive:{path}")
    assert "104857600 bytes" in str(info.value)


def test_huge_config_refused(tmp_path: Path) -> None:
    image = simple_image()
    limits = Limits(max_config_bytes=len(image.config) - 1)
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    with pytest.raises(LimitExceededError, match="max_config_bytes"):
        open_source(f"oci-dir:{root}:v1", SourceOptions(limits=limits))


def test_huge_blob_behind_small_descriptor_is_bounded(tmp_path: Path) -> None:
    # The descriptor claims a small config; the blob on disk is huge: reading stops at the limit.
    image = simple_image()
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    blob = root / "blobs/sha256" / image.config_digest[7:]
    blob.write_bytes(b" " * (9 * 1024 * 1024))
    with pytest.raises(LimitExceededError, match="max_config_bytes"):
        open_source(f"oci-dir:{root}:v1")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"{not json", "malformed JSON"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"[1, 2]", "expected a non-empty array|expected a JSON object|must be an object"),
        (b'[{"Config": 5, "Layers": []}]', "'Config' must be a string"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_manifest_json(tmp_path: Path, document: bytes, message: str) -> None:
    path = write_tar(tmp_path / "bad.tar", [Member("manifest.json", document)])
    with pytest.raises(MalformedDocumentError, match=message) as info:
        open_source(f"docker-archive:{path}")
    assert "manifest.json" in _one_line(info.value)


def _layout_with_index(tmp_path: Path, manifest: dict[str, object]) -> Path:
    image = simple_image()
    data = canonical_json(manifest)
    from tests.support.imagebuild import sha256

    index = canonical_json(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": manifest.get(
                        "mediaType", "application/vnd.oci.image.manifest.v1+json"
                    ),
                    "digest": sha256(data),
                    "size": len(data),
                    "annotations": {"org.opencontainers.image.ref.name": "v1"},
                }
            ],
        }
    )
    members = [m for m in oci_layout_members([(image, None)]) if m.name != "index.json"]
    members += [Member("index.json", index), Member(f"blobs/sha256/{sha256(data)[7:]}", data)]
    return write_tar(tmp_path / "layout.tar", members)


def test_unknown_layer_media_type(tmp_path: Path) -> None:
    image = simple_image()
    manifest = json.loads(image.data)
    manifest["layers"][0]["mediaType"] = "application/vnd.example.layer.v1.tar+lz4"
    path = _layout_with_index(tmp_path, manifest)
    with pytest.raises(UnsupportedMediaTypeError, match="unsupported layer media type"):
        open_source(f"oci-archive:{path}:v1")


def test_unknown_manifest_media_type(tmp_path: Path) -> None:
    image = simple_image()
    manifest = json.loads(image.data)
    manifest["mediaType"] = "application/vnd.example.thing+json"
    path = _layout_with_index(tmp_path, manifest)
    with pytest.raises(UnsupportedMediaTypeError, match="unsupported media type"):
        open_source(f"oci-archive:{path}:v1")


def test_schema1_manifest(tmp_path: Path) -> None:
    manifest = {
        "schemaVersion": 1,
        "mediaType": "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "name": "x",
        "fsLayers": [],
    }
    path = _layout_with_index(tmp_path, manifest)
    with pytest.raises(UnsupportedMediaTypeError, match="unsupported legacy schema 1"):
        open_source(f"oci-archive:{path}:v1")


def test_manifest_pointing_at_missing_blob(tmp_path: Path) -> None:
    image = simple_image()
    members = [
        m
        for m in oci_layout_members([(image, "v1")])
        if m.name != f"blobs/sha256/{image.layers[1].digest[7:]}"
    ]
    path = write_tar(tmp_path / "missing.tar", members)
    with pytest.raises(BlobNotFoundError, match=r"layer 1 \(sha256:[0-9a-f]{64}\) is missing"):
        open_source(f"oci-archive:{path}")
    members = [
        m
        for m in oci_layout_members([(image, "v1")])
        if m.name != f"blobs/sha256/{image.config_digest[7:]}"
    ]
    path = write_tar(tmp_path / "noconfig.tar", members)
    with pytest.raises(BlobNotFoundError, match="does not hold"):
        open_source(f"oci-archive:{path}")


def test_tampered_layer_is_a_digest_mismatch(tmp_path: Path) -> None:
    image = simple_image(compression="none")
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    blob = root / "blobs/sha256" / image.layers[0].digest[7:]
    data = bytearray(blob.read_bytes())
    data[600] ^= 0x01  # same size, different content
    blob.write_bytes(bytes(data))
    with pytest.raises(DigestMismatchError, match="digest mismatch") as info:
        _read_all(f"oci-dir:{root}:v1")
    assert image.layers[0].digest in _one_line(info.value)


def test_tampered_layer_detected_even_if_reader_stops_early(tmp_path: Path) -> None:
    image = simple_image(compression="gzip")
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    blob = root / "blobs/sha256" / image.layers[0].digest[7:]
    blob.write_bytes(gzip.compress(image.layers[0].tar + b"\0" * 512, mtime=0))
    with open_source(f"oci-dir:{root}:v1") as source:
        _layer, opener = source.layer_openers()[0]
        with pytest.raises(InputError, match=r"digest mismatch|declares"), opener() as stream:
            stream.read(512)  # the context exit reads the rest and verifies


def test_tampered_legacy_layer_tar(tmp_path: Path) -> None:
    image = simple_image(compression="none", flavour="docker")
    members = docker_archive_members([(image, ["a:1"])])
    tampered = []
    for member in members:
        if member.name.endswith("layer.tar") and member.data == image.layers[1].tar:
            member = Member(member.name, member.data.replace(b"#!/bin/sh", b"#!/bin/zz"))
        tampered.append(member)
    path = write_tar(tmp_path / "save.tar", tampered)
    with pytest.raises(DigestMismatchError):
        _read_all(f"docker-archive:{path}")


def test_tampered_config(tmp_path: Path) -> None:
    image = simple_image(flavour="docker")
    members = [
        Member(m.name, m.data.replace(b"1000:1000", b"0000:0000"))
        if m.name.endswith(".json") and m.name != "manifest.json"
        else m
        for m in docker_archive_members([(image, ["a:1"])])
    ]
    path = write_tar(tmp_path / "save.tar", members)
    with pytest.raises(DigestMismatchError):
        open_source(f"docker-archive:{path}")


def test_truncated_gzip_layer(tmp_path: Path) -> None:
    image = simple_image(compression="gzip", flavour="docker")
    members = [
        Member(m.name, m.data[: len(m.data) // 2]) if m.name.endswith("layer.tar") else m
        for m in docker_archive_members([(image, ["a:1"])])
    ]
    path = write_tar(tmp_path / "save.tar", members)
    with pytest.raises(CorruptLayerError, match="truncated or corrupt") as info:
        _read_all(f"docker-archive:{path}")
    assert "layer 0" in _one_line(info.value)


def test_gzip_bomb(tmp_path: Path) -> None:
    # A correctly digested layer that inflates ~1000x: stopped by the ratio limit.
    bomb = build_image(
        ImageSpec(steps=[LayerSpec([File("zeros", bytes(8 * 1024 * 1024))], compression="gzip")])
    )
    assert bomb.layers[0].size * 50 < len(bomb.layers[0].tar)
    root = write_oci_layout(tmp_path / "layout", [(bomb, "v1")])
    limits = Limits(max_compression_ratio=50, bomb_floor_bytes=1024 * 1024)
    with pytest.raises(LimitExceededError, match="max_compression_ratio=50"):
        _read_all(f"oci-dir:{root}:v1", SourceOptions(limits=limits))
    _read_all(f"oci-dir:{root}:v1")  # the default limits let it through


def test_layer_over_max_layer_bytes(tmp_path: Path) -> None:
    image = simple_image(compression="none")
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    with pytest.raises(LimitExceededError, match="max_layer_bytes"):
        _read_all(f"oci-dir:{root}:v1", SourceOptions(limits=Limits(max_layer_bytes=4096)))


def test_no_matching_platform(tmp_path: Path) -> None:
    index = build_index(
        [simple_image(platform="linux/arm64"), simple_image(platform="linux/ppc64le")]
    )
    root = write_oci_layout(tmp_path / "layout", [(index, "v1")])
    with pytest.raises(
        PlatformNotFoundError, match="available: linux/arm64, linux/ppc64le"
    ) as info:
        open_source(f"oci-dir:{root}:v1")
    assert "--platform" in _one_line(info.value)


def test_too_many_members(tmp_path: Path) -> None:
    members = [File(f"junk/{i}", b"") for i in range(200)]
    path = write_tar(tmp_path / "many.tar", members)
    with pytest.raises(LimitExceededError, match="max_archive_members=100"):
        open_source(f"docker-archive:{path}", SourceOptions(limits=Limits(max_archive_members=100)))


def test_oversized_pax_header_is_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "pax.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("manifest.json")
        info.pax_headers = {"comment": "x" * 300_000}
        tar.addfile(info)
    limits = Limits(max_meta_header_bytes=64 * 1024)
    with pytest.raises(LimitExceededError, match="max_meta_header_bytes"):
        open_source(f"docker-archive:{path}", SourceOptions(limits=limits))


def test_truncated_outer_archive(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "save.tar", docker_archive_members([(simple_image(), ["a:1"])]))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MalformedDocumentError):
        open_source(f"docker-archive:{path}")


def test_invalid_digest_cannot_name_a_path(tmp_path: Path) -> None:
    image = simple_image()
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    index = json.loads((root / "index.json").read_bytes())
    index["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    (root / "index.json").write_bytes(json.dumps(index).encode())
    with pytest.raises(MalformedDocumentError, match="invalid digest"):
        open_source(f"oci-dir:{root}:v1")


def test_blob_symlink_out_of_layout(tmp_path: Path) -> None:
    image = simple_image()
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    outside = tmp_path / "outside"
    blob = root / "blobs/sha256" / image.config_digest[7:]
    outside.write_bytes(blob.read_bytes())
    blob.unlink()
    blob.symlink_to(outside)
    with pytest.raises(UnsafeArchiveError, match="links outside the layout"):
        open_source(f"oci-dir:{root}:v1")


def test_compressed_outer_archive(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "save.tar", docker_archive_members([(simple_image(), ["a:1"])]))
    gz = tmp_path / "save.tar.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(MalformedDocumentError, match="decompress it first"):
        open_source(f"docker-archive:{gz}")


@pytest.mark.parametrize("key", ["GNU.sparse.map", "GNU.sparse.size"])
def test_malformed_sparse_number_in_the_outer_archive(tmp_path: Path, key: str) -> None:
    # tarfile parses these PAX records with int() and let ValueError escape.
    path = tmp_path / "sparse.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("manifest.json")
        info.pax_headers = {key: "1,x"}
        tar.addfile(info)
    with pytest.raises(MalformedDocumentError, match="not a readable tar archive") as info_:
        open_source(f"docker-archive:{path}")
    assert str(path) in _one_line(info_.value)


def test_blob_symlink_loop_in_layout(tmp_path: Path) -> None:
    image = simple_image()
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    blob = root / "blobs/sha256" / image.digest[7:]
    blob.unlink()
    blob.symlink_to(blob.name)  # resolving it loops: pathlib raised RuntimeError
    with pytest.raises(UnsafeArchiveError, match="symbolic link loop") as info:
        open_source(f"oci-dir:{root}:v1")
    assert image.digest[7:] in _one_line(info.value)


def _no_control_characters(error: BaseException) -> None:
    message = _one_line(error)
    assert "\x1b" not in message
    assert message.isprintable()


def test_control_characters_in_names_are_escaped_in_messages(tmp_path: Path) -> None:
    image = simple_image(flavour="docker")
    evil = "cfg\n\x1b[31mforged line"
    members = docker_archive_members([(image, ["evil\x1b[2J:1"])])
    manifest = json.loads(next(m for m in members if m.name == "manifest.json").data)
    manifest[0]["Config"] = evil
    members = [m for m in members if m.name != "manifest.json"]
    members += [Member("manifest.json", canonical_json(manifest)), Member(evil, b"{bad json")]
    path = write_tar(tmp_path / "save.tar", members)
    with pytest.raises(ImageNotFoundError, match="evil") as not_found:
        open_source(f"docker-archive:{path}:other:1")
    _no_control_characters(not_found.value)
    with pytest.raises(MalformedDocumentError, match="malformed JSON") as malformed:
        open_source(f"docker-archive:{path}")
    _no_control_characters(malformed.value)
    archive = write_oci_layout(tmp_path / "layout", [(simple_image(), "v1\n\x1b[2J")])
    with pytest.raises(ImageNotFoundError, match="no image tagged") as untagged:
        open_source(f"oci-dir:{archive}:v2")
    _no_control_characters(untagged.value)
