"""Every local format and layer compression, read back and compared byte for byte."""

from pathlib import Path

import pytest

from seawall.model.image import Platform, SourceKind
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.errors import ImageNotFoundError, PlatformNotFoundError, TargetError
from seawall.source.registry import open_source
from tests.support.imagebuild import (
    BuiltImage,
    Compression,
    EmptyStep,
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    build_index,
    simple_image,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)


def _layer_tars(source: ImageSource) -> list[bytes]:
    tars = []
    for _layer, opener in source.layer_openers():
        with opener() as stream:
            tars.append(stream.read())
    return tars


def _assert_same_image(source: ImageSource, built: BuiltImage, *, manifest: bool = True) -> None:
    image = source.image
    assert image.config_digest == built.config_digest
    assert [layer.diff_id for layer in image.layers] == [layer.diff_id for layer in built.layers]
    assert [layer.created_by for layer in image.layers] == ["ADD rootfs.tar /", "COPY run /app/run"]
    assert _layer_tars(source) == [layer.tar for layer in built.layers]
    if manifest:
        assert image.manifest_digest == built.digest
        assert [layer.digest for layer in image.layers] == [layer.digest for layer in built.layers]
        assert [layer.size for layer in image.layers] == [layer.size for layer in built.layers]
        assert [layer.media_type for layer in image.layers] == [
            layer.media_type for layer in built.layers
        ]
    config = image.config
    assert config.entrypoint == ("/bin/sh", "-c")
    assert config.cmd == ("/app/run",)
    assert config.user == "1000:1000"
    assert config.working_dir == "/app"
    assert config.exposed_ports == ("8080/tcp",)
    assert config.env_names == ("PATH", "APP_TOKEN")
    assert config.labels == (("org.opencontainers.image.title", "simple"),)
    assert config.healthcheck == ("CMD", "/app/run", "--health")
    assert image.platform == Platform("linux", "amd64")
    assert [entry.empty_layer for entry in image.history] == [False, True, False, True]


COMPRESSIONS: list[Compression] = ["none", "gzip", "zstd"]


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_oci_dir(tmp_path: Path, compression: Compression) -> None:
    built = simple_image(compression=compression)
    write_oci_layout(tmp_path / "layout", [(built, "v1")])
    with open_source(f"oci-dir:{tmp_path / 'layout'}:v1") as source:
        assert source.image.source_kind is SourceKind.OCI_DIR
        assert source.image.repo_tags == ("v1",)
        _assert_same_image(source, built)


@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize("flavour", ["oci", "docker"])
def test_oci_archive(tmp_path: Path, compression: Compression, flavour: str) -> None:
    built = simple_image(compression=compression, flavour=flavour)  # type: ignore[arg-type]
    write_oci_archive(tmp_path / "image.tar", [(built, "v1")])
    with open_source(f"oci-archive:{tmp_path / 'image.tar'}") as source:
        assert source.image.source_kind is SourceKind.OCI_ARCHIVE
        assert source.image.manifest_media_type == built.media_type
        _assert_same_image(source, built)


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_docker_archive_legacy(tmp_path: Path, compression: Compression) -> None:
    built = simple_image(compression=compression, flavour="docker")
    path = write_docker_archive(tmp_path / "save.tar", [(built, ["alpine:3.19"])])
    with open_source(f"docker-archive:{path}") as source:
        image = source.image
        assert image.source_kind is SourceKind.DOCKER_ARCHIVE
        assert image.reference == "docker.io/library/alpine:3.19"
        assert image.repo_tags == ("alpine:3.19",)
        assert image.manifest_digest is None
        assert [layer.media_type for layer in image.layers] == [
            layer.media_type for layer in built.layers
        ]
        # Uncompressed layer.tar is its own diff: its digest is known without hashing.
        expected = [layer.diff_id if compression == "none" else None for layer in built.layers]
        assert [layer.digest for layer in image.layers] == expected
        _assert_same_image(source, built, manifest=False)


def test_docker_archive_docker25_layout(tmp_path: Path) -> None:
    built = simple_image(compression="none")
    path = write_docker_archive(tmp_path / "save.tar", [(built, ["alpine:3.19"])], layout="oci")
    with open_source(str(path)) as source:
        assert source.image.source_kind is SourceKind.DOCKER_ARCHIVE
        _assert_same_image(source, built)


def _two_images() -> tuple[BuiltImage, BuiltImage]:
    return simple_image(marker="one"), simple_image(marker="two", compression="zstd")


@pytest.mark.parametrize("layout", ["legacy", "oci"])
def test_docker_archive_chooses_by_tag(tmp_path: Path, layout: str) -> None:
    one, two = _two_images()
    path = write_docker_archive(
        tmp_path / "save.tar",
        [(one, ["alpine:3.19", "alpine:latest"]), (two, ["registry.example:5000/team/app:2"])],
        layout=layout,  # type: ignore[arg-type]
    )
    with open_source(f"docker-archive:{path}:alpine") as source:
        assert source.image.config_digest == one.config_digest
    with open_source(f"docker-archive:{path}:docker.io/library/alpine:3.19") as source:
        assert source.image.config_digest == one.config_digest
    with open_source(f"docker-archive:{path}:registry.example:5000/team/app:2") as source:
        assert source.image.config_digest == two.config_digest
        assert _layer_tars(source) == [layer.tar for layer in two.layers]
    with open_source(f"docker-archive:{path}:@1") as source:
        assert source.image.config_digest == two.config_digest
    with pytest.raises(ImageNotFoundError, match=r"alpine:3\.19, alpine:latest, registry"):
        open_source(f"docker-archive:{path}:nginx:1")
    with pytest.raises(ImageNotFoundError, match="holds 2 images"):
        open_source(f"docker-archive:{path}")
    # Digits int() refuses are a name that is not there; a TARGET too long to look up
    # names nothing.
    with pytest.raises(ImageNotFoundError, match="no image tagged '@²'"):
        open_source(f"docker-archive:{path}:@\u00b2")
    with pytest.raises(TargetError, match=r"…: cannot be looked up \(File name too long\)"):
        open_source(f"docker-archive:{path}:@{'9' * 5000}")


def test_oci_layout_tags(tmp_path: Path) -> None:
    one, two = _two_images()
    root = write_oci_layout(tmp_path / "layout", [(one, "one"), (two, "two")])
    with open_source(f"oci-dir:{root}:two") as source:
        assert source.image.config_digest == two.config_digest
    with pytest.raises(ImageNotFoundError, match=r"no image tagged 'three'.*one, two"):
        open_source(f"oci-dir:{root}:three")
    with pytest.raises(ImageNotFoundError, match="choose one"):
        open_source(f"oci-dir:{root}")


def _multi_arch(flavour: str) -> tuple[BuiltImage, BuiltImage, BuiltImage, object]:
    amd = simple_image(platform="linux/amd64", marker="amd")
    arm = simple_image(platform="linux/arm64/v8", marker="arm")
    armv7 = simple_image(platform="linux/arm/v7", marker="armv7")
    index = build_index([amd, arm, armv7], flavour=flavour, attestations=True)  # type: ignore[arg-type]
    return amd, arm, armv7, index


@pytest.mark.parametrize("flavour", ["oci", "docker"])
def test_multi_arch_index(tmp_path: Path, flavour: str) -> None:
    amd, arm, armv7, index = _multi_arch(flavour)
    root = write_oci_layout(tmp_path / "layout", [(index, "multi")])  # type: ignore[list-item]
    target = f"oci-dir:{root}:multi"
    with open_source(target) as source:
        image = source.image
        assert image.manifest_digest == amd.digest
        assert image.index_digest == index.digest  # type: ignore[attr-defined]
        # Attestations (unknown/unknown) are not offered.
        assert [str(p) for p in image.available_platforms] == [
            "linux/amd64",
            "linux/arm64/v8",
            "linux/arm/v7",
        ]
    # containerd normalisation: arm64 means arm64/v8, arm means arm/v7.
    for wanted, expected in [
        (Platform("linux", "arm64"), arm),
        (Platform("linux", "aarch64", "v8"), arm),
        (Platform("linux", "arm"), armv7),
    ]:
        with open_source(target, SourceOptions(platform=wanted)) as source:
            assert source.image.manifest_digest == expected.digest
            assert _layer_tars(source) == [layer.tar for layer in expected.layers]
    with pytest.raises(
        PlatformNotFoundError,
        match=r"no image for platform linux/s390x; "
        r"available: linux/amd64, linux/arm64/v8, linux/arm/v7",
    ):
        open_source(target, SourceOptions(platform=Platform("linux", "s390x")))


def test_index_json_as_platform_index(tmp_path: Path) -> None:
    """buildx `--output type=oci` style: index.json lists the platform manifests directly."""
    amd, arm, _armv7, _index = _multi_arch("oci")
    root = write_oci_layout(tmp_path / "layout", [(amd, None), (arm, None)])
    with open_source(f"oci-dir:{root}", SourceOptions(platform=Platform("linux", "arm64"))) as s:
        assert s.image.manifest_digest == arm.digest
        assert len(s.image.available_platforms) == 2


def test_only_attestations_and_one_image(tmp_path: Path) -> None:
    arm = simple_image(platform="linux/arm64")
    index = build_index([arm], attestations=True)
    root = write_oci_layout(tmp_path / "layout", [(index, "latest")])
    with pytest.raises(PlatformNotFoundError, match="available: linux/arm64"):
        open_source(f"oci-dir:{root}:latest")


def test_foreign_layers_reported_not_fatal(tmp_path: Path) -> None:
    spec = ImageSpec(
        steps=[
            LayerSpec(
                [File("Windows/base", b"x")],
                created_by="windows base",
                foreign=True,
                urls=("https://mcr.example/base.tar.gz",),
            ),
            EmptyStep("ENV A=b"),
            LayerSpec([File("app", b"y")], created_by="COPY app /"),
        ]
    )
    for flavour in ("oci", "docker"):
        built = build_image(ImageSpec(steps=spec.steps, flavour=flavour))  # type: ignore[arg-type]
        root = write_oci_layout(tmp_path / flavour, [(built, "v1")])
        with open_source(f"oci-dir:{root}:v1") as source:
            layers = source.image.layers
            assert [layer.foreign for layer in layers] == [True, False]
            assert layers[0].urls == ("https://mcr.example/base.tar.gz",)
            assert layers[0].created_by == "windows base"
            assert [layer for layer, _ in source.layer_openers()] == [layers[1]]
            assert _layer_tars(source) == [built.layers[1].tar]
    built = build_image(ImageSpec(steps=spec.steps, flavour="docker"))
    path = write_docker_archive(tmp_path / "save.tar", [(built, ["win:1"])])
    with open_source(f"docker-archive:{path}") as source:
        assert [layer.foreign for layer in source.image.layers] == [True, False]
        assert _layer_tars(source) == [built.layers[1].tar]


def test_bare_paths_are_detected(tmp_path: Path) -> None:
    built = simple_image()
    layout = write_oci_layout(tmp_path / "layout", [(built, "v1")])
    archive = write_oci_archive(tmp_path / "oci.tar", [(built, "v1")])
    saved = write_docker_archive(tmp_path / "save.tar", [(built, ["a:1"])])
    for path, kind in [
        (layout, SourceKind.OCI_DIR),
        (archive, SourceKind.OCI_ARCHIVE),
        (saved, SourceKind.DOCKER_ARCHIVE),
    ]:
        with open_source(str(path)) as source:
            assert source.image.source_kind is kind
            assert source.image.config_digest == built.config_digest


def test_directory_source(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "usr/lib").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "usr/lib/os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    with open_source(f"dir:{root}") as source:
        assert source.image.source_kind is SourceKind.DIRECTORY
        assert source.image.description == "Debian GNU/Linux 12 (bookworm)"
        assert source.layer_openers() == []


def test_directory_os_release_link_never_leaves_root(tmp_path: Path) -> None:
    outside = tmp_path / "host-os-release"
    outside.write_text('PRETTY_NAME="the host"\n')
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").symlink_to(outside)  # absolute: must be re-rooted, so missing
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/os-release").symlink_to("../../../../host-os-release")
    with open_source(f"dir:{root}") as source:
        assert source.image.description is None
