"""Unit behaviour of the shared pieces: digests, compression, JSON documents, platforms, names."""

import gzip
import io
import json
import os
from pathlib import Path

import pytest
import zstandard

from seawall.errors import InputError, LimitExceededError
from seawall.limits import Limits
from seawall.model.image import Platform, SourceKind
from seawall.source import mediatypes
from seawall.source.compression import detect_compression, open_layer_stream
from seawall.source.digest import VerifyingReader, parse_digest
from seawall.source.errors import (
    CorruptLayerError,
    DigestMismatchError,
    MalformedDocumentError,
    TargetError,
    UnsupportedMediaTypeError,
)
from seawall.source.manifest import (
    ImageIndex,
    ImageManifest,
    parse_config,
    parse_manifest_or_index,
)
from seawall.source.names import normalize_name
from seawall.source.platform import normalize_platform, parse_platform
from seawall.source.target import parse_target
from tests.support.imagebuild import build_index, sha256, simple_image, write_oci_layout

DATA = bytes(range(256)) * 4000 + b"tail"


@pytest.mark.parametrize(
    "text",
    [
        "sha256:abc",
        "sha256:" + "A" * 64,
        "md5:" + "0" * 32,
        "sha256:" + "0" * 63 + "/",
        "sha256:../../etc/passwd",
        "sha256:" + "0" * 64 + "\n",
        5,
    ],
)
def test_invalid_digests(text: object) -> None:
    with pytest.raises(MalformedDocumentError):
        parse_digest(text, what="x")


def test_valid_digests() -> None:
    assert str(parse_digest("sha256:" + "a" * 64, what="x")) == "sha256:" + "a" * 64
    assert parse_digest("sha512:" + "0" * 128, what="x").algorithm == "sha512"


def test_verifying_reader() -> None:
    good = VerifyingReader(io.BytesIO(DATA), parse_digest(sha256(DATA), what="x"), what="blob")
    assert good.read() == DATA
    assert good.verified
    bad = VerifyingReader(io.BytesIO(DATA + b"!"), parse_digest(sha256(DATA), what="x"), what="b")
    with pytest.raises(DigestMismatchError, match="b: digest mismatch"):
        bad.read()
    long = VerifyingReader(
        io.BytesIO(DATA), parse_digest(sha256(DATA), what="x"), what="b", expected_size=10
    )
    with pytest.raises(MalformedDocumentError, match="more than the 10 bytes"):
        long.read()


@pytest.mark.parametrize(
    ("blob", "compression"),
    [
        (gzip.compress(DATA), mediatypes.Compression.GZIP),
        (zstandard.ZstdCompressor().compress(DATA), mediatypes.Compression.ZSTD),
        (DATA, mediatypes.Compression.NONE),
    ],
)
def test_streams_round_trip_and_detection(blob: bytes, compression: mediatypes.Compression) -> None:
    assert detect_compression(blob[:8], what="x") is compression
    with open_layer_stream(io.BytesIO(blob), None, what="x", limits=Limits()) as stream:
        assert stream.read() == DATA


def test_multi_frame_and_multi_member_streams() -> None:
    frames = zstandard.ZstdCompressor(write_checksum=True).compress(DATA[:1000])
    frames += zstandard.ZstdCompressor(write_content_size=False).compress(DATA[1000:])
    stream = open_layer_stream(
        io.BytesIO(frames), mediatypes.OCI_LAYER_ZSTD, what="x", limits=Limits()
    )
    assert stream.read() == DATA
    members = gzip.compress(DATA[:1000]) + gzip.compress(DATA[1000:])
    stream = open_layer_stream(
        io.BytesIO(members), mediatypes.DOCKER_LAYER_GZIP, what="x", limits=Limits()
    )
    assert stream.read() == DATA


@pytest.mark.parametrize("cut", [5, 100, -1])
def test_truncated_zstd(cut: int) -> None:
    blob = zstandard.ZstdCompressor().compress(DATA)
    stream = open_layer_stream(io.BytesIO(blob[:cut]), None, what="layer 3", limits=Limits())
    with pytest.raises(CorruptLayerError, match="layer 3: the zstd layer is truncated"):
        stream.read()


def test_corrupt_gzip() -> None:
    blob = bytearray(gzip.compress(DATA))
    blob[40:60] = b"\xff" * 20
    stream = open_layer_stream(io.BytesIO(bytes(blob)), None, what="layer 0", limits=Limits())
    with pytest.raises(CorruptLayerError, match="layer 0"):
        stream.read()


def test_other_compressions_named() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match="bzip2"):
        detect_compression(b"BZh91AY", what="x")


def test_small_compressible_layers_pass_the_bomb_guard() -> None:
    # 2 MiB of zeros compress ~1000x; below the floor they are not a bomb.
    zeros = bytes(2 * 1024 * 1024)
    limits = Limits(max_compression_ratio=10, bomb_floor_bytes=4 * 1024 * 1024)
    assert (
        open_layer_stream(io.BytesIO(gzip.compress(zeros)), None, what="x", limits=limits).read()
        == zeros
    )
    with pytest.raises(LimitExceededError):
        open_layer_stream(
            io.BytesIO(gzip.compress(zeros)),
            None,
            what="x",
            limits=Limits(max_compression_ratio=10, bomb_floor_bytes=1024),
        ).read()


def test_parse_documents() -> None:
    image = simple_image()
    parsed = parse_manifest_or_index(image.data, what="m")
    assert isinstance(parsed, ImageManifest)
    assert parsed.config.digest == image.config_digest
    index = build_index([image], attestations=True)
    parsed_index = parse_manifest_or_index(index.data, what="i")
    assert isinstance(parsed_index, ImageIndex)
    assert (
        parsed_index.manifests[1].annotation("vnd.docker.reference.type") == "attestation-manifest"
    )
    config = parse_config(image.config, what="c")
    assert config.diff_ids == tuple(layer.diff_id for layer in image.layers)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"schemaVersion": 2, "config": [], "layers": []}, "'config' must be an object"),
        ({"schemaVersion": 2, "layers": []}, "missing 'config'"),
        ({"schemaVersion": 3, "layers": []}, "'schemaVersion' must be 2"),
        (
            {
                "schemaVersion": 2,
                "manifests": [{"mediaType": "x", "digest": "sha256:1", "size": 1}],
            },
            "invalid digest",
        ),
        (
            {
                "schemaVersion": 2,
                "manifests": [{"mediaType": "x", "digest": "sha256:" + "0" * 64, "size": True}],
            },
            "'size' must be a number",
        ),
    ],
)
def test_malformed_documents(document: dict[str, object], message: str) -> None:
    with pytest.raises(MalformedDocumentError, match=message):
        parse_manifest_or_index(json.dumps(document).encode(), what="doc")


def test_artifact_config_is_not_an_image() -> None:
    image = simple_image()
    doc = json.loads(image.data)
    doc["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json"
    with pytest.raises(UnsupportedMediaTypeError, match="not a container image"):
        parse_manifest_or_index(json.dumps(doc).encode(), what="doc")


def test_deep_json() -> None:
    with pytest.raises(MalformedDocumentError, match=r"nested too deeply|malformed"):
        parse_manifest_or_index(b"[" * 200_000 + b"]" * 200_000, what="doc")


def test_platforms() -> None:
    assert parse_platform("linux/arm64/v8") == Platform("linux", "arm64", "v8")
    assert normalize_platform(Platform("linux", "aarch64", "v8")) == Platform("linux", "arm64")
    assert normalize_platform(Platform("linux", "arm")) == Platform("linux", "arm", "v7")
    assert normalize_platform(Platform("linux", "x86_64")) == Platform("linux", "amd64")
    for bad in ["linux", "linux/", "a/b/c/d", "linux/amd 64"]:
        with pytest.raises(InputError, match="os/arch"):
            parse_platform(bad)


def test_names() -> None:
    assert normalize_name("alpine") == "docker.io/library/alpine:latest"
    assert normalize_name("me/app:1") == "docker.io/me/app:1"
    assert normalize_name("localhost:5000/app") == "localhost:5000/app:latest"
    assert normalize_name("Bad Name") is None


def test_targets(tmp_path: Path) -> None:
    image = simple_image()
    odd = tmp_path / "with:colon"
    root = write_oci_layout(odd, [(image, "v1")])
    target = parse_target(f"oci-dir:{root}:v1")
    assert (target.kind, target.path, target.selector) == (SourceKind.OCI_DIR, root, "v1")
    assert parse_target(f"oci-dir:{root}").selector is None
    assert parse_target("registry:ghcr.io/a/b:1").reference == "ghcr.io/a/b:1"
    assert parse_target("alpine:3.19").kind is SourceKind.REGISTRY
    assert parse_target(f"dir:{tmp_path}").kind is SourceKind.DIRECTORY
    assert parse_target(str(tmp_path)).kind is SourceKind.DIRECTORY
    with pytest.raises(TargetError, match="no such file"):
        parse_target(f"docker-archive:{tmp_path}/missing.tar:a:1")
    with pytest.raises(TargetError, match="no such file"):
        parse_target("./missing.tar")
    with pytest.raises(TargetError, match="nothing after"):
        parse_target("oci-dir:")


def test_a_bare_path_that_is_a_pipe_is_refused_not_read(tmp_path: Path) -> None:
    # Sniffing it would block until a writer came; an SBOM from a pipe is named sbom:PATH.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(TargetError, match=r"not a regular file or a directory.*sbom:PATH"):
        parse_target(str(fifo))
    assert parse_target(f"sbom:{fifo}").kind is SourceKind.SBOM


@pytest.mark.parametrize(
    ("media_type", "data"),
    [("application/vnd.example.layer.v1.tar+lz4", b"\x04\x22\x4d\x18"), (None, b"BZh91AY&SY")],
)
def test_a_refused_layer_stream_closes_its_blob(
    tmp_path: Path, media_type: str | None, data: bytes
) -> None:
    blob = tmp_path / "blob"
    blob.write_bytes(data + bytes(64))
    raw = blob.open("rb")
    with pytest.raises(InputError):
        open_layer_stream(raw, media_type, what="layer 0", limits=Limits())
    assert raw.closed


@pytest.mark.parametrize(
    "target",
    [
        "admin:S3cret-Passw0rd@registry.example:5000/app:1",
        "https://admin:S3cret-Passw0rd@registry.example/app:1",
        "registry:admin:S3cret-Passw0rd@registry.example/app:1",
    ],
)
def test_a_password_in_a_reference_is_refused_and_never_repeated(target: str) -> None:
    with pytest.raises(TargetError) as refused:
        parse_target(target)
    message = str(refused.value)
    assert "S3cret-Passw0rd" not in message
    assert "admin:***@registry.example" in message and "SEAWALL_REGISTRY_PASSWORD" in message


def test_a_tag_and_a_digest_are_not_a_password() -> None:
    reference = "nginx:1.25@sha256:" + "ab" * 32
    assert parse_target(reference).reference == reference
    assert parse_target("localhost:5000/app@sha256:" + "cd" * 32).kind is SourceKind.REGISTRY
