"""The registry image source: a reference pulled into an `ImageSource`.

Resolves the reference to a manifest (through an index when there is one,
choosing the platform with seawall.source.platform), reads the config through
the blob cache, and describes the image with the shared manifest parsers.
Layers are downloaded on first open, verified, cached, and served
decompressed through seawall.source.compression.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO

from seawall.errors import InputError
from seawall.model.image import Image, Layer, Platform, SourceKind
from seawall.source import mediatypes
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.compression import open_layer_stream
from seawall.source.errors import MalformedDocumentError
from seawall.source.manifest import (
    ImageIndex,
    ImageManifest,
    check_declared_size,
    manifest_layers,
    parse_config,
    parse_manifest,
    parse_manifest_or_index,
    read_bounded,
)
from seawall.source.platform import available_platforms, choose_manifest
from seawall.source.remote.blobcache import BlobCache
from seawall.source.remote.client import FetchedManifest, RegistryClient
from seawall.source.remote.credentials import find_credentials
from seawall.source.remote.reference import Reference, parse_reference

_DOCUMENT_TYPES = mediatypes.MANIFEST_TYPES | mediatypes.INDEX_TYPES | mediatypes.SCHEMA1_TYPES


def open_registry_image(reference: str, options: SourceOptions) -> ImageSource:
    """Pull the description of image `reference` from its registry (OCI distribution API v2).

    Raises `InvalidReferenceError`, the `RegistryError` family (authentication,
    not found, unavailable, TLS), `DigestMismatchError`, `LimitExceededError`
    and the shared manifest errors, each naming the image and what to do.
    """
    ref = parse_reference(reference)
    client = RegistryClient(
        ref,
        credentials=find_credentials(ref.host),
        insecure=options.insecure,
        limits=options.limits,
    )
    cache = BlobCache(options.cache_dir)
    try:
        image = _describe(client, cache, ref, options)
    except BaseException:
        client.close()
        cache.close()
        raise
    return RegistrySource(image, client, cache, options)


class RegistrySource(ImageSource):
    """An image in a registry; layers are fetched into the blob cache when opened."""

    def __init__(
        self, image: Image, client: RegistryClient, cache: BlobCache, options: SourceOptions
    ) -> None:
        self.image = image
        self._client = client
        self._cache = cache
        self._options = options

    def __repr__(self) -> str:
        return f"RegistrySource({self.image.reference!r})"

    def open_layer(self, layer: Layer) -> AbstractContextManager[BinaryIO]:
        what = f"layer {layer.index} ({layer.digest}) of {self.image.reference}"
        if layer.foreign:
            raise InputError(
                f"{what} is non-distributable (foreign): its blob is not in the registry"
            )
        if layer.digest is None or layer.size is None:
            raise MalformedDocumentError(f"{what}: no digest or size in the manifest")
        return self._open(layer, layer.digest, layer.size, what)

    @contextmanager
    def _open(self, layer: Layer, digest: str, size: int, what: str) -> Iterator[BinaryIO]:
        blob = self._cache.open(
            digest,
            size,
            lambda: self._client.open_blob(digest, size, what),
            what=what,
            progress=self._options.progress,
        )
        # The blob was verified (digest and size) before it was handed over.
        with open_layer_stream(
            blob, layer.media_type, what=what, limits=self._options.limits
        ) as stream:
            yield stream

    def close(self) -> None:
        self._client.close()
        self._cache.close()


def _describe(
    client: RegistryClient, cache: BlobCache, ref: Reference, options: SourceOptions
) -> Image:
    limits = options.limits
    what = f"manifest of {ref}"
    fetched = client.get_manifest(ref.manifest_ref)
    document = parse_manifest_or_index(fetched.data, what=what, media_type=_declared_type(fetched))
    index_digest: str | None = None
    offered: tuple[Platform, ...] = ()
    if isinstance(document, ImageIndex):
        index_digest = fetched.digest
        offered = available_platforms(document)
        entry = choose_manifest(document, options.platform, what=f"index of {ref}")
        what = f"manifest {entry.digest} of {ref}"
        check_declared_size(
            entry.size, limit=limits.max_manifest_bytes, limit_name="max_manifest_bytes", what=what
        )
        fetched = client.get_manifest(entry.digest)
        if len(fetched.data) != entry.size:
            raise MalformedDocumentError(
                f"{what}: {len(fetched.data)} bytes where the index declares {entry.size}"
            )
        document = parse_manifest(fetched.data, what=what, media_type=entry.media_type)
    manifest: ImageManifest = document

    config_desc = manifest.config
    config_what = f"config {config_desc.digest} of {ref}"
    check_declared_size(
        config_desc.size,
        limit=limits.max_config_bytes,
        limit_name="max_config_bytes",
        what=config_what,
    )
    with cache.open(
        config_desc.digest,
        config_desc.size,
        lambda: client.open_blob(config_desc.digest, config_desc.size, config_what),
        what=config_what,
        progress=options.progress,
    ) as handle:
        raw_config = read_bounded(
            handle, limit=limits.max_config_bytes, limit_name="max_config_bytes", what=config_what
        )
    config = parse_config(raw_config, what=config_what)
    return Image(
        source_kind=SourceKind.REGISTRY,
        reference=str(ref),
        manifest_digest=fetched.digest,
        manifest_media_type=manifest.media_type,
        index_digest=index_digest,
        config_digest=config_desc.digest,
        platform=config.platform,
        created=config.created,
        author=config.author,
        config=config.config,
        history=config.history,
        layers=manifest_layers(manifest, config, what=f"image {ref}"),
        repo_tags=(f"{ref.name}:{ref.tag}",) if ref.tag is not None else (),
        available_platforms=offered,
    )


def _declared_type(fetched: FetchedManifest) -> str | None:
    """The server's Content-Type, when it names a manifest type (some send generic JSON)."""
    content_type = fetched.content_type
    return content_type if content_type in _DOCUMENT_TYPES else None
