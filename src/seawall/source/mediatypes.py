"""Media types of manifests, indexes, configs and layers, in their docker and OCI names.

Sources: OCI image spec (media-types.md, layer.md), the docker image manifest
v2.2 spec, and containerd's `images/mediatypes.go` for the zstd and foreign
docker spellings that registries serve in practice.
"""

from dataclasses import dataclass
from enum import Enum

from seawall.source.errors import UnsupportedMediaTypeError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
# Deprecated by image-spec 1.1 but still written; their blobs may be absent.
OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar"
DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

# Schema 1 (deprecated since 2015, removed from docker 28): refused with a clear message.
DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED_MANIFEST = "application/vnd.docker.distribution.manifest.v1+prettyjws"

MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
CONFIG_TYPES = frozenset({OCI_CONFIG, DOCKER_CONFIG})
SCHEMA1_TYPES = frozenset({DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST})

ACCEPT_MANIFESTS: tuple[str, ...] = (OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST)
"""What a registry client asks for (the HTTP `Accept` header), most wanted first."""


class Compression(Enum):
    """How a layer blob is stored."""

    NONE = "none"
    GZIP = "gzip"
    ZSTD = "zstd"


@dataclass(frozen=True, slots=True)
class LayerType:
    """What a layer media type says about its blob."""

    compression: Compression
    foreign: bool = False
    """Non-distributable: the blob may live only at the descriptor's URLs."""


_LAYER_TYPES: dict[str, LayerType] = {
    OCI_LAYER: LayerType(Compression.NONE),
    OCI_LAYER_GZIP: LayerType(Compression.GZIP),
    OCI_LAYER_ZSTD: LayerType(Compression.ZSTD),
    OCI_LAYER_NONDIST: LayerType(Compression.NONE, foreign=True),
    OCI_LAYER_NONDIST_GZIP: LayerType(Compression.GZIP, foreign=True),
    OCI_LAYER_NONDIST_ZSTD: LayerType(Compression.ZSTD, foreign=True),
    DOCKER_LAYER: LayerType(Compression.NONE),
    DOCKER_LAYER_GZIP: LayerType(Compression.GZIP),
    DOCKER_LAYER_ZSTD: LayerType(Compression.ZSTD),
    DOCKER_FOREIGN_LAYER: LayerType(Compression.NONE, foreign=True),
    DOCKER_FOREIGN_LAYER_GZIP: LayerType(Compression.GZIP, foreign=True),
}


def layer_type(media_type: str, *, what: str) -> LayerType:
    """The compression and foreign flag a layer media type declares.

    Raises `UnsupportedMediaTypeError` for anything that is not a filesystem layer
    (helm charts, signatures, in-toto statements, unknown encodings).
    """
    found = _LAYER_TYPES.get(media_type)
    if found is None:
        raise UnsupportedMediaTypeError(
            f"{what}: unsupported layer media type {media_type!r}; "
            "seawall reads tar layers stored uncompressed, gzip or zstd"
        )
    return found


def is_manifest(media_type: str) -> bool:
    """An image manifest (OCI or docker v2.2)."""
    return media_type in MANIFEST_TYPES


def is_index(media_type: str) -> bool:
    """An image index or a docker manifest list."""
    return media_type in INDEX_TYPES


def is_schema1(media_type: str) -> bool:
    """A legacy docker schema 1 manifest."""
    return media_type in SCHEMA1_TYPES


def layer_media_type(compression: Compression, *, docker: bool) -> str:
    """The layer media type for a blob found by its bytes (legacy docker-archive layer.tar)."""
    if docker:
        return {
            Compression.NONE: DOCKER_LAYER,
            Compression.GZIP: DOCKER_LAYER_GZIP,
            Compression.ZSTD: DOCKER_LAYER_ZSTD,
        }[compression]
    return {
        Compression.NONE: OCI_LAYER,
        Compression.GZIP: OCI_LAYER_GZIP,
        Compression.ZSTD: OCI_LAYER_ZSTD,
    }[compression]
