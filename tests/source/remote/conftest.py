"""Fixtures: test images in an OCI layout, and real registries holding them.

Each registry (anonymous, htpasswd, token) is started once per session and
filled with skopeo from the layout; tests that change a registry's storage
(tampering) start their own.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.source.remote.pushed import PushedImages
from tests.support.imagebuild import (
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    build_index,
    simple_image,
    write_oci_layout,
)
from tests.support.registry import PASSWORD, USERNAME, Registry, running_registry


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> PushedImages:
    single = simple_image(marker="single")
    multi = build_index(
        [
            simple_image(platform="linux/amd64", marker="multi"),
            simple_image(platform="linux/arm64/v8", marker="multi", compression="zstd"),
        ],
        attestations=True,
    )
    docker = build_image(
        ImageSpec(
            steps=[
                LayerSpec([Dir("etc"), File("etc/hostname", b"docker\n")], compression="gzip"),
                LayerSpec([File("etc/motd", b"hello\n")], compression="none"),
            ],
            flavour="docker",
        )
    )
    layout = tmp_path_factory.mktemp("images") / "layout"
    write_oci_layout(layout, [(single, "single"), (multi, "multi")])
    return PushedImages(layout, single, multi, docker)


@pytest.fixture(scope="session")
def anonymous_registry(
    tmp_path_factory: pytest.TempPathFactory, images: PushedImages
) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry-anonymous")) as registry:
        images.push_all(registry)
        yield registry


@pytest.fixture(scope="session")
def basic_registry(
    tmp_path_factory: pytest.TempPathFactory, images: PushedImages
) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry-basic"), "htpasswd") as registry:
        images.push_all(registry)
        yield registry


@pytest.fixture(scope="session")
def token_registry(
    tmp_path_factory: pytest.TempPathFactory, images: PushedImages
) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry-token"), "token") as registry:
        images.push_all(registry)
        yield registry


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials anywhere: no env variables, an empty DOCKER_CONFIG (returned)."""
    monkeypatch.delenv("SEAWALL_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("SEAWALL_REGISTRY_PASSWORD", raising=False)
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


@pytest.fixture
def env_credentials(monkeypatch: pytest.MonkeyPatch, no_credentials: Path) -> None:
    """The test registries' credentials in SEAWALL_REGISTRY_USERNAME/PASSWORD."""
    monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", USERNAME)
    monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", PASSWORD)
