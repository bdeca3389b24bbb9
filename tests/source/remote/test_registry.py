"""Pulling from a real registry (Debian's docker-registry) filled by skopeo."""

import base64
import hashlib
import io
import json
import tarfile
import time
from pathlib import Path

import pytest

from seawall.model.image import Platform, SourceKind
from seawall.model.progress import ProgressTask
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.errors import DigestMismatchError, PlatformNotFoundError
from seawall.source.remote import open_registry_image
from seawall.source.remote.errors import (
    InsecureRegistryError,
    RegistryAuthError,
    RegistryNotFoundError,
)
from tests.source.remote.pushed import PushedImages, child
from tests.support.imagebuild import BuiltImage, simple_image, write_oci_layout
from tests.support.registry import IDENTITY_TOKEN, PASSWORD, USERNAME, Registry, running_registry


def pull(registry: Registry, name: str, cache: Path, **options: object) -> ImageSource:
    return open_registry_image(
        f"{registry.host}/{name}",
        SourceOptions(insecure=True, cache_dir=cache, **options),  # type: ignore[arg-type]
    )


def layer_files(source: ImageSource) -> list[dict[str, bytes]]:
    """Every layer's regular files, read through the source, checked against its diff_id."""
    result = []
    for layer, opener in source.layer_openers():
        with opener() as stream:
            data = stream.read()
        assert f"sha256:{hashlib.sha256(data).hexdigest()}" == layer.diff_id
        result.append(tar_files(data))
    return result


def assert_image(source: ImageSource, built: BuiltImage) -> None:
    image = source.image
    assert image.source_kind is SourceKind.REGISTRY
    assert image.manifest_digest == built.digest
    assert image.manifest_media_type == built.media_type
    assert image.config_digest == built.config_digest
    assert [layer.digest for layer in image.layers] == [layer.digest for layer in built.layers]
    assert [layer.diff_id for layer in image.layers] == [layer.diff_id for layer in built.layers]
    assert [layer.size for layer in image.layers] == [layer.size for layer in built.layers]
    assert layer_files(source) == [tar_files(layer.tar) for layer in built.layers]


def tar_files(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {
            info.name: tar.extractfile(info).read()  # type: ignore[union-attr]
            for info in tar.getmembers()
            if info.isfile()
        }


def test_anonymous_pull_describes_and_serves_the_image(
    anonymous_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    with pull(anonymous_registry, "app:v1", tmp_path) as source:
        assert_image(source, images.single)
        image = source.image
        assert image.reference == f"{anonymous_registry.host}/app:v1"
        assert image.repo_tags == (f"{anonymous_registry.host}/app:v1",)
        assert image.index_digest is None
        assert image.platform == Platform("linux", "amd64")
        assert image.config.entrypoint == ("/bin/sh", "-c")
        assert image.config.user == "1000:1000"
        assert image.config.exposed_ports == ("8080/tcp",)
        assert [entry.created_by for entry in image.history] == [
            "ADD rootfs.tar /",
            "ENV APP_TOKEN=not-a-secret",
            "COPY run /app/run",
            'CMD ["/app/run"]',
        ]
        assert [layer.created_by for layer in image.layers] == [
            "ADD rootfs.tar /",
            "COPY run /app/run",
        ]
        first = layer_files(source)[0]
        assert first["etc/marker"] == b"linux/amd64 single"


def test_pull_by_digest_and_docker_v22(
    anonymous_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    with pull(anonymous_registry, f"app@{images.single.digest}", tmp_path) as source:
        assert source.image.manifest_digest == images.single.digest
        assert source.image.repo_tags == ()
    with pull(anonymous_registry, "docker:v1", tmp_path) as source:
        assert_image(source, images.docker)
        assert layer_files(source) == [{"etc/hostname": b"docker\n"}, {"etc/motd": b"hello\n"}]


def test_multi_arch_index_chooses_the_platform(
    anonymous_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    with pull(anonymous_registry, "multi:v1", tmp_path) as source:
        assert source.image.index_digest == images.multi.digest
        assert_image(source, child(images.multi, "linux/amd64"))
        assert source.image.available_platforms == (
            Platform("linux", "amd64"),
            Platform("linux", "arm64", "v8"),
        )
    arm = Platform("linux", "arm64")  # containerd normalisation: v8 is arm64's default
    with pull(anonymous_registry, "multi:v1", tmp_path, platform=arm) as source:
        assert_image(source, child(images.multi, "linux/arm64/v8"))
        assert layer_files(source)[0]["etc/marker"] == b"linux/arm64/v8 multi"
    with pytest.raises(PlatformNotFoundError, match=r"linux/s390x.*linux/amd64, linux/arm64/v8"):
        pull(anonymous_registry, "multi:v1", tmp_path, platform=Platform("linux", "s390x"))


def test_missing_tag_and_repository(
    anonymous_registry: Registry, tmp_path: Path, no_credentials: Path
) -> None:
    with pytest.raises(RegistryNotFoundError, match=r"tag 'nope' not found in .*/app; it has: v1$"):
        pull(anonymous_registry, "app:nope", tmp_path)
    with pytest.raises(RegistryNotFoundError, match=r"repository .*/nothing-here not found"):
        pull(anonymous_registry, "nothing-here:v1", tmp_path)


def test_plain_http_registry_needs_insecure(
    anonymous_registry: Registry, tmp_path: Path, no_credentials: Path
) -> None:
    with pytest.raises(InsecureRegistryError, match=r"does not speak TLS.*--insecure"):
        open_registry_image(f"{anonymous_registry.host}/app:v1", SourceOptions(cache_dir=tmp_path))


def test_second_pull_is_served_from_the_cache(
    anonymous_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    blob_requests = "/v2/docker/blobs/"
    before = anonymous_registry.served(blob_requests)
    sizes: list[tuple[str, int | None, int]] = []

    class Sink:
        def task(self, description: str, total: int | None) -> ProgressTask:
            sizes.append((description, total, 0))
            index = len(sizes) - 1

            class Task:
                def advance(self, amount: int) -> None:
                    name, size, done = sizes[index]
                    sizes[index] = (name, size, done + amount)

                def close(self) -> None:
                    pass

            return Task()

    for _ in range(2):
        with pull(anonymous_registry, "docker:v1", tmp_path, progress=Sink()) as source:
            layer_files(source)
    blobs = [images.docker.config_digest, *(layer.digest for layer in images.docker.layers)]
    # One download per blob over both pulls, each reported with its full size.
    assert anonymous_registry.served(blob_requests) - before == len(blobs)
    assert sorted(total for _, total, _ in sizes) == sorted(
        [len(images.docker.config), *(layer.size for layer in images.docker.layers)]
    )
    assert all(done == total for _, total, done in sizes)
    for digest in blobs:
        assert (tmp_path / "blobs" / "sha256" / digest.removeprefix("sha256:")).is_file()


def test_corrupt_cache_entry_is_fetched_again(
    anonymous_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    with pull(anonymous_registry, "app:v1", tmp_path) as source:
        layer_files(source)
    target = images.single.layers[0]
    entry = tmp_path / "blobs" / "sha256" / target.digest.removeprefix("sha256:")
    corrupt = bytearray(entry.read_bytes())
    corrupt[len(corrupt) // 2] ^= 0xFF  # same size: only the digest can tell
    entry.write_bytes(bytes(corrupt))
    needle = f"/blobs/{target.digest}"
    before = anonymous_registry.served(needle)
    with pull(anonymous_registry, "app:v1", tmp_path) as source:
        assert_image(source, images.single)
    assert anonymous_registry.served(needle) == before + 1
    assert entry.read_bytes() == target.blob


def test_tampered_blob_in_the_registry_is_refused(tmp_path: Path, no_credentials: Path) -> None:
    image = simple_image(marker="tampered")
    write_oci_layout(tmp_path / "layout", [(image, "v1")])
    with running_registry(tmp_path / "registry") as registry:
        registry.push(tmp_path / "layout", "v1", "victim:v1")
        stored = registry.blob_file(image.layers[1].digest)
        data = bytearray(stored.read_bytes())
        data[-1] ^= 0x01
        stored.write_bytes(bytes(data))
        with (
            pull(registry, "victim:v1", tmp_path / "cache") as source,
            pytest.raises(DigestMismatchError, match=image.layers[1].digest),
        ):
            layer_files(source)
        # Nothing unverified is left in the cache.
        blob_dir = tmp_path / "cache" / "blobs" / "sha256"
        assert sorted(p.name for p in blob_dir.iterdir()) == sorted(
            digest.removeprefix("sha256:")
            for digest in (image.config_digest, image.layers[0].digest)
        )


# ---------------------------------------------------------------- basic auth


def test_basic_auth_with_environment_credentials(
    basic_registry: Registry, images: PushedImages, tmp_path: Path, env_credentials: None
) -> None:
    with pull(basic_registry, "app:v1", tmp_path) as source:
        assert_image(source, images.single)


def test_basic_auth_with_docker_config(
    basic_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    auth = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    (no_credentials / "config.json").write_text(
        json.dumps({"auths": {f"http://{basic_registry.host}/v2/": {"auth": auth}}})
    )
    with pull(basic_registry, "multi:v1", tmp_path) as source:
        assert_image(source, child(images.multi, "linux/amd64"))


def test_basic_auth_failures_never_show_the_password(
    basic_registry: Registry, tmp_path: Path, no_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(RegistryAuthError, match="requires a username and password") as missing:
        pull(basic_registry, "app:v1", tmp_path)
    assert "SEAWALL_REGISTRY_USERNAME" in str(missing.value)
    wrong = "hunter2-wrong-password"
    monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", USERNAME)
    monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", wrong)
    with pytest.raises(RegistryAuthError, match=r"authentication to registry .* failed") as failed:
        pull(basic_registry, "app:v1", tmp_path)
    message = str(failed.value)
    assert "SEAWALL_REGISTRY_USERNAME/SEAWALL_REGISTRY_PASSWORD" in message
    assert wrong not in message
    assert wrong not in repr(failed.value.args)
    assert base64.b64encode(f"{USERNAME}:{wrong}".encode()).decode() not in message


# ---------------------------------------------------------------- token auth


def test_token_auth_pull_reuses_its_token(
    token_registry: Registry, images: PushedImages, tmp_path: Path, env_credentials: None
) -> None:
    server = token_registry.token_server
    assert server is not None
    issued = len(server.issued)
    with pull(token_registry, "multi:v1", tmp_path) as source:
        assert_image(source, child(images.multi, "linux/amd64"))
    # Index, manifest, config and two layers: one token for all of them.
    assert server.issued[issued:] == [{"scopes": ["repository:multi:pull"], "refresh": False}]


def test_token_auth_with_an_identity_token(
    token_registry: Registry, images: PushedImages, tmp_path: Path, no_credentials: Path
) -> None:
    (no_credentials / "config.json").write_text(
        json.dumps({"auths": {token_registry.host: {"identitytoken": IDENTITY_TOKEN}}})
    )
    with pull(token_registry, "app:v1", tmp_path) as source:
        assert_image(source, images.single)
    assert token_registry.token_server is not None
    assert token_registry.token_server.issued[-1]["refresh"] is True


def test_token_auth_failures(
    token_registry: Registry, tmp_path: Path, no_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Anonymous: the token service hands out a token without access.
    with pytest.raises(RegistryAuthError, match="requires authentication"):
        pull(token_registry, "app:v1", tmp_path)
    wrong = "not-the-password-at-all"
    monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", USERNAME)
    monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", wrong)
    with pytest.raises(RegistryAuthError, match="token service refused") as failed:
        pull(token_registry, "app:v1", tmp_path)
    assert wrong not in str(failed.value)


# ---------------------------------------------------------------- TLS


def test_tls_registry_verified_against_its_ca(
    images: PushedImages, tmp_path: Path, no_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_registry(tmp_path / "registry", tls=True) as registry:
        registry.push(images.layout, "single", "app:v1")
        reference = f"{registry.host}/app:v1"
        with pytest.raises(InsecureRegistryError, match=r"not trusted.*SSL_CERT_FILE"):
            open_registry_image(reference, SourceOptions(cache_dir=tmp_path / "cache"))
        assert registry.ca_bundle is not None
        monkeypatch.setenv("SSL_CERT_FILE", str(registry.ca_bundle))
        with open_registry_image(reference, SourceOptions(cache_dir=tmp_path / "cache")) as source:
            assert_image(source, images.single)
        # --insecure also accepts an untrusted certificate (it never falls back to http here).
        monkeypatch.delenv("SSL_CERT_FILE")
        with open_registry_image(
            reference, SourceOptions(insecure=True, cache_dir=tmp_path / "cache")
        ) as source:
            assert source.image.manifest_digest == images.single.digest


def test_token_is_fetched_again_once_expired(
    token_registry: Registry, images: PushedImages, tmp_path: Path, env_credentials: None
) -> None:
    server = token_registry.token_server
    assert server is not None
    server.lifetime = 6  # seawall renews 5 s early: valid for 1 s
    try:
        with pull(token_registry, "app:v1", tmp_path) as source:
            issued = len(server.issued)
            time.sleep(1.1)
            layer_files(source)  # the layer downloads need a new token
            assert len(server.issued) == issued + 1
            layer_files(source)  # served from the cache: no request, no token
            assert len(server.issued) == issued + 1
    finally:
        server.lifetime = 300
