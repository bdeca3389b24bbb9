"""What an image is: platform, config, history and layers, as read from a source.

These values describe an image; they hold no file contents and no open handles.
Config values (env, labels) are kept as written because analyzers need them;
reporters redact what must not be shown.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import Enum
from typing import BinaryIO


class SourceKind(Enum):
    """How the user handed the image over (the TARGET prefix)."""

    DOCKER_ARCHIVE = "docker-archive"
    OCI_DIR = "oci-dir"
    OCI_ARCHIVE = "oci-archive"
    REGISTRY = "registry"
    DIRECTORY = "dir"
    SBOM = "sbom"
    """A CycloneDX or SPDX document: an inventory without an image."""


@dataclass(frozen=True, slots=True)
class Platform:
    """An OCI platform: `os/architecture[/variant]`."""

    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One entry of the image config's `history` (OCI image spec, config.md)."""

    created_by: str | None = None
    created: str | None = None
    author: str | None = None
    comment: str | None = None
    empty_layer: bool = False


@dataclass(frozen=True, slots=True)
class Layer:
    """One filesystem layer of an image, bottom (index 0) to top."""

    index: int
    media_type: str
    digest: str | None
    """Digest of the blob as stored (compressed for gzip/zstd layers)."""
    diff_id: str | None
    """Digest of the uncompressed tar, from the config's `rootfs.diff_ids`."""
    size: int | None
    """Size of the blob as stored, in bytes."""
    created_by: str | None = None
    """The history `created_by` line of the build step that made this layer."""
    foreign: bool = False
    """Non-distributable layer: its blob is not in the image, only referenced."""
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """The runtime parts of an image config (OCI image spec, config.md)."""

    user: str | None = None
    working_dir: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    env: tuple[tuple[str, str], ...] = ()
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    stop_signal: str | None = None
    healthcheck: tuple[str, ...] | None = None
    """Docker's `Healthcheck.Test` when the image sets one."""

    @property
    def env_names(self) -> tuple[str, ...]:
        """Environment variable names, without their values."""
        return tuple(name for name, _ in self.env)


@dataclass(frozen=True, slots=True)
class Image:
    """Everything a source knows about one image before its layers are read."""

    source_kind: SourceKind
    reference: str
    """What the user asked for, normalised (e.g. `registry.example/app:1.2`)."""
    manifest_digest: str | None = None
    manifest_media_type: str | None = None
    index_digest: str | None = None
    """Digest of the index or manifest list the manifest was chosen from, if any."""
    config_digest: str | None = None
    platform: Platform | None = None
    created: str | None = None
    author: str | None = None
    config: ImageConfig = field(default_factory=ImageConfig)
    history: tuple[HistoryEntry, ...] = ()
    layers: tuple[Layer, ...] = ()
    repo_tags: tuple[str, ...] = ()
    available_platforms: tuple[Platform, ...] = ()
    """Platforms the index offered, when the image came from one."""
    description: str | None = None
    """A one-line human description when the source has one (a directory's os-release)."""


LayerOpener = Callable[[], AbstractContextManager[BinaryIO]]
"""Opens the uncompressed tar stream of one layer.

The stream's digest is checked as it is read; reading it to the end raises
if the bytes do not match what the manifest promised.
"""
