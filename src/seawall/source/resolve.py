"""From a top descriptor to one image: index → platform → manifest → config → `Image`.

Shared by every source that stores content by digest (OCI layouts, the
docker >= 25 archive layout, registries): the source supplies a way to open a
blob; this module bounds and verifies each document it reads, follows
(possibly nested) indexes to the platform asked for, and describes the image.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from seawall.limits import Limits
from seawall.model.image import Image, Platform, SourceKind
from seawall.source.digest import parse_digest, verify_bytes
from seawall.source.errors import MalformedDocumentError
from seawall.source.manifest import (
    Descriptor,
    ImageIndex,
    ImageManifest,
    ParsedConfig,
    check_declared_size,
    manifest_layers,
    parse_config,
    parse_manifest_or_index,
    read_bounded,
)
from seawall.source.platform import available_platforms, choose_manifest

BlobOpener = Callable[[Descriptor], BinaryIO]
"""Opens a blob's stored bytes; raises `BlobNotFoundError` when it is absent."""

MAX_INDEX_DEPTH = 4
"""Indexes nested deeper than this are refused (a loop or an attack, never a real image)."""


def read_document(
    open_blob: BlobOpener, descriptor: Descriptor, *, limit: int, limit_name: str, what: str
) -> bytes:
    """A small blob (manifest, index, config): size-capped before reading, then verified."""
    check_declared_size(descriptor.size, limit=limit, limit_name=limit_name, what=what)
    with open_blob(descriptor) as stream:
        data = read_bounded(stream, limit=limit, limit_name=limit_name, what=what)
    if len(data) != descriptor.size:
        raise MalformedDocumentError(
            f"{what}: {len(data)} bytes where its descriptor declares {descriptor.size}"
        )
    verify_bytes(data, parse_digest(descriptor.digest, what=what), what=what)
    return data


@dataclass(frozen=True, slots=True)
class ResolvedImage:
    """One image manifest, its config, and the index it was chosen from."""

    descriptor: Descriptor
    manifest: ImageManifest
    config: ParsedConfig
    index_digest: str | None
    available_platforms: tuple[Platform, ...]


def resolve_image(
    open_blob: BlobOpener,
    top: Descriptor,
    *,
    platform: Platform | None,
    limits: Limits,
    what: str,
    document: bytes | None = None,
) -> ResolvedImage:
    """Follows `top` (a manifest or an index) to one image and reads its config.

    `document` is `top`'s content when the caller already holds it (a registry
    answers the manifest request with it); it is verified all the same.
    """
    descriptor = top
    index_digest: str | None = None
    offered: tuple[Platform, ...] = ()
    for _depth in range(MAX_INDEX_DEPTH + 1):
        where = f"{what} {descriptor.digest}"
        if document is None:
            data = read_document(
                open_blob,
                descriptor,
                limit=limits.max_manifest_bytes,
                limit_name="max_manifest_bytes",
                what=where,
            )
        else:
            verify_bytes(document, parse_digest(descriptor.digest, what=where), what=where)
            data, document = document, None
        parsed = parse_manifest_or_index(data, what=where, media_type=descriptor.media_type)
        if isinstance(parsed, ImageIndex):
            index_digest = descriptor.digest
            offered = available_platforms(parsed) or offered
            descriptor = choose_manifest(parsed, platform, what=f"{what} index {index_digest}")
            continue
        config_what = f"{what} config {parsed.config.digest}"
        config_data = read_document(
            open_blob,
            parsed.config,
            limit=limits.max_config_bytes,
            limit_name="max_config_bytes",
            what=config_what,
        )
        return ResolvedImage(
            descriptor=descriptor,
            manifest=parsed,
            config=parse_config(config_data, what=config_what),
            index_digest=index_digest,
            available_platforms=offered,
        )
    raise MalformedDocumentError(f"{what}: indexes nested more than {MAX_INDEX_DEPTH} deep")


def describe_image(
    resolved: ResolvedImage,
    *,
    kind: SourceKind,
    reference: str,
    repo_tags: tuple[str, ...] = (),
    what: str,
) -> Image:
    """The model's description of a resolved image."""
    config = resolved.config
    return Image(
        source_kind=kind,
        reference=reference,
        manifest_digest=resolved.descriptor.digest,
        manifest_media_type=resolved.manifest.media_type,
        index_digest=resolved.index_digest,
        config_digest=resolved.manifest.config.digest,
        platform=config.platform,
        created=config.created,
        author=config.author,
        config=config.config,
        history=config.history,
        layers=manifest_layers(resolved.manifest, config, what=what),
        repo_tags=repo_tags,
        available_platforms=resolved.available_platforms,
    )
