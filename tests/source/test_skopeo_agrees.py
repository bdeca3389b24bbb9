"""Cross-checks with skopeo (Debian's package): the builder, skopeo and seawall agree."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.model.image import Platform
from seawall.source.base import SourceOptions
from seawall.source.registry import open_source
from tests.support.imagebuild import (
    build_index,
    simple_image,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)

pytestmark = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")


def _skopeo(*args: str) -> str:
    result = subprocess.run(
        ["skopeo", "--insecure-policy", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_skopeo_inspects_what_seawall_reads(tmp_path: Path) -> None:
    image = simple_image(compression="zstd")
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    inspected = json.loads(_skopeo("inspect", f"oci:{root}:v1"))
    with open_source(f"oci-dir:{root}:v1") as source:
        assert inspected["Digest"] == source.image.manifest_digest == image.digest
        assert inspected["Layers"] == [layer.digest for layer in source.image.layers]
        assert inspected["Env"] == [f"{k}={v}" for k, v in source.image.config.env]


def test_skopeo_chooses_the_same_platform(tmp_path: Path) -> None:
    index = build_index(
        [simple_image(marker="a"), simple_image(platform="linux/arm64/v8", marker="b")],
        attestations=True,
    )
    archive = write_oci_archive(tmp_path / "multi.tar", [(index, "multi")])
    raw = json.loads(
        _skopeo("inspect", "--override-arch", "arm64", "--raw", f"oci-archive:{archive}:multi")
    )
    assert raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    inspected = json.loads(
        _skopeo("inspect", "--override-arch", "arm64", f"oci-archive:{archive}:multi")
    )
    options = SourceOptions(platform=Platform("linux", "arm64"))
    with open_source(f"oci-archive:{archive}:multi", options) as source:
        # skopeo reports the digest of what the reference names (the index) and the
        # chosen image's layers.
        assert inspected["Digest"] == source.image.index_digest == index.digest
        assert inspected["Architecture"] == source.image.platform.architecture == "arm64"
        assert inspected["Layers"] == [layer.digest for layer in source.image.layers]


def test_docker_archive_written_by_skopeo(tmp_path: Path) -> None:
    """skopeo's docker-archive writer (as `docker save`) read back by seawall."""
    image = simple_image(compression="gzip")
    root = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    saved = tmp_path / "saved.tar"
    _skopeo("copy", f"oci:{root}:v1", f"docker-archive:{saved}:example.com/app:1")
    with open_source(f"docker-archive:{saved}:example.com/app:1") as source:
        assert source.image.config_digest == image.config_digest
        tars = []
        for _layer, opener in source.layer_openers():
            with opener() as stream:
                tars.append(stream.read())
        assert tars == [layer.tar for layer in image.layers]


def test_skopeo_reads_the_builders_docker_archive(tmp_path: Path) -> None:
    image = simple_image(compression="none", flavour="docker")
    saved = write_docker_archive(
        tmp_path / "save.tar", [(image, ["alpine:3.19"]), (simple_image(marker="x"), ["b:2"])]
    )
    out = tmp_path / "out"
    _skopeo("copy", f"docker-archive:{saved}:alpine:3.19", f"oci:{out}:copied")
    with (
        open_source(f"oci-dir:{out}:copied") as copied,
        open_source(f"docker-archive:{saved}:alpine:3.19") as original,
    ):
        # skopeo rewrites the config when it converts docker to OCI; the layers stay.
        assert copied.image.config.env == original.image.config.env
        assert [layer.diff_id for layer in copied.image.layers] == [
            layer.diff_id for layer in original.image.layers
        ]
