"""docker-archive: the tar `docker save` writes, read in place.

Layout (moby image/tarexport): `manifest.json` lists images as
`{"Config", "RepoTags", "Layers", "LayerSources"}`; before docker 25 the config
is `<hex>.json` and each layer `<v1 id>/layer.tar`, since docker 25 both are
`blobs/sha256/<hex>` of an embedded OCI layout (`index.json`), whose manifest
then gives the layers' media types and the manifest digest. Several images
may share one archive: one is chosen by `NAME:TAG` (docker-normalised) or
`@N` (its position, as skopeo allows).

Verification: the config must hash to the digest its name carries; a layer
stored under `blobs/<alg>/<hex>` is checked against that digest, a legacy
`layer.tar` against its config diff_id (over the uncompressed stream).
"""

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from seawall.errors import InputError
from seawall.model.image import Image, Layer, SourceKind
from seawall.source import mediatypes
from seawall.source.archive import TarArchive
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.compression import detect_compression
from seawall.source.digest import digest_bytes, parse_digest, verify_bytes
from seawall.source.errors import (
    BlobNotFoundError,
    ImageNotFoundError,
    MalformedDocumentError,
    shown,
)
from seawall.source.layerstream import StoredLayer, open_stored_layer
from seawall.source.manifest import (
    Descriptor,
    ImageIndex,
    ImageManifest,
    layer_commands,
    load_json,
    parse_config,
    parse_descriptor,
    parse_manifest_or_index,
)
from seawall.source.names import normalize_name
from seawall.source.platform import is_attestation
from seawall.source.resolve import ResolvedImage, describe_image

_BLOB_PATH = re.compile(r"\Ablobs/(sha256|sha512)/([0-9a-f]+)\Z")
_LEGACY_CONFIG = re.compile(r"\A([0-9a-f]{64})\.json\Z")
_MAX_LAYOUT_DOCUMENTS = 1000


@dataclass(frozen=True, slots=True)
class _Entry:
    """One image of manifest.json."""

    config: str
    repo_tags: tuple[str, ...]
    layers: tuple[str, ...]
    layer_sources: dict[str, Descriptor]


def _parse_manifest_json(data: bytes, *, what: str) -> list[_Entry]:
    doc = load_json(data, what=what)
    if not isinstance(doc, list) or not doc:
        raise MalformedDocumentError(f"{what}: expected a non-empty array of images")
    entries = []
    for i, item in enumerate(doc):
        where = f"{what} [{i}]"
        if not isinstance(item, dict):
            raise MalformedDocumentError(f"{where}: must be an object")
        config = item.get("Config")
        layers = item.get("Layers")
        tags = item.get("RepoTags") or []
        sources = item.get("LayerSources") or {}
        if not isinstance(config, str):
            raise MalformedDocumentError(f"{where}: 'Config' must be a string")
        if not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
            raise MalformedDocumentError(f"{where}: 'Layers' must be an array of strings")
        if not isinstance(tags, list) or not all(isinstance(x, str) for x in tags):
            raise MalformedDocumentError(f"{where}: 'RepoTags' must be an array of strings")
        if not isinstance(sources, dict):
            raise MalformedDocumentError(f"{where}: 'LayerSources' must be an object")
        entries.append(
            _Entry(
                config=config,
                repo_tags=tuple(tags),
                layers=tuple(layers),
                layer_sources={
                    key: parse_descriptor(value, what=f"{where} LayerSources {shown(key)}")
                    for key, value in sources.items()
                },
            )
        )
    return entries


def _choose(entries: list[_Entry], selector: str | None, *, what: str) -> _Entry:
    listed = ", ".join(shown(tag) for entry in entries for tag in entry.repo_tags) or "(no tags)"
    if selector is None:
        if len(entries) == 1:
            return entries[0]
        raise ImageNotFoundError(
            f"{what}: holds {len(entries)} images ({listed}); choose one with "
            "docker-archive:PATH:NAME:TAG or docker-archive:PATH:@N"
        )
    number = selector[1:]
    if selector.startswith("@") and number.isascii() and number.isdigit() and len(number) <= 19:
        position = int(number)
        if position < len(entries):
            return entries[position]
        raise ImageNotFoundError(
            f"{what}: no image @{position}; it holds {len(entries)} (@0 to @{len(entries) - 1})"
        )
    wanted = normalize_name(selector)
    for entry in entries:
        if wanted is not None and any(normalize_name(tag) == wanted for tag in entry.repo_tags):
            return entry
    raise ImageNotFoundError(f"{what}: no image tagged {selector!r}; the archive holds: {listed}")


def _blob_digest(path: str) -> str | None:
    match = _BLOB_PATH.match(path)
    if match is None:
        return None
    return str(parse_digest(f"{match.group(1)}:{match.group(2)}", what=path))


class DockerArchiveSource(ImageSource):
    """One image of a `docker save` tar."""

    def __init__(self, path: Path, selector: str | None, options: SourceOptions) -> None:
        self.path = path
        self.options = options
        limits = options.limits
        what = f"docker-archive {path}"
        self._what = what
        self._archive = TarArchive.open(path, limits=limits, what=what)
        data = self._archive.read_member(
            "manifest.json", limit=limits.max_manifest_bytes, limit_name="max_manifest_bytes"
        )
        entry = _choose(
            _parse_manifest_json(data, what=f"{what} manifest.json"), selector, what=what
        )
        self._entry = entry
        config_data = self._archive.read_member(
            entry.config, limit=limits.max_config_bytes, limit_name="max_config_bytes"
        )
        config_digest = self._check_config(entry.config, config_data)
        reference = (
            (normalize_name(selector) if selector and not selector.startswith("@") else None)
            or (normalize_name(entry.repo_tags[0]) if entry.repo_tags else None)
            or str(path)
        )
        resolved = self._embedded_manifest(config_digest)
        if resolved is not None:
            self.image = describe_image(
                resolved,
                kind=SourceKind.DOCKER_ARCHIVE,
                reference=reference,
                repo_tags=entry.repo_tags,
                what=what,
            )
            stored = tuple(_blob_digest(path) for path in entry.layers)
            if stored != tuple(layer.digest for layer in self.image.layers):
                raise MalformedDocumentError(
                    f"{what}: manifest.json and the embedded OCI manifest list different layers"
                )
        else:
            self.image = self._describe_legacy(entry, config_data, config_digest, reference)
        self._layer_paths = entry.layers

    def _check_config(self, name: str, data: bytes) -> str:
        """The config's digest, verified against the digest its member name carries."""
        what = f"{self._what} {shown(name)}"
        named = _blob_digest(name)
        legacy = _LEGACY_CONFIG.match(name)
        if named is None and legacy is not None:
            named = f"sha256:{legacy.group(1)}"
        if named is not None:
            verify_bytes(data, parse_digest(named, what=what), what=what)
            return named
        return digest_bytes(data)

    def _embedded_manifest(self, config_digest: str) -> ResolvedImage | None:
        """The docker >= 25 OCI manifest whose config is `config_digest`, if the archive has one."""
        archive, limits = self._archive, self.options.limits
        if not (archive.has("index.json") and archive.has("oci-layout")):
            return None
        top = archive.read_member(
            "index.json", limit=limits.max_manifest_bytes, limit_name="max_manifest_bytes"
        )
        index = parse_manifest_or_index(top, what=f"{self._what} index.json")
        pending = list(index.manifests) if isinstance(index, ImageIndex) else []
        seen = 0
        while pending and seen < _MAX_LAYOUT_DOCUMENTS:
            descriptor = pending.pop(0)
            seen += 1
            if is_attestation(descriptor) or not (
                mediatypes.is_manifest(descriptor.media_type)
                or mediatypes.is_index(descriptor.media_type)
            ):
                continue
            where = f"{self._what} {descriptor.digest}"
            try:
                data = self._read_blob_document(descriptor, where)
            except BlobNotFoundError:
                continue  # docker saves one platform of a multi-platform image
            parsed = parse_manifest_or_index(data, what=where, media_type=descriptor.media_type)
            if isinstance(parsed, ImageIndex):
                pending.extend(parsed.manifests)
            elif parsed.config.digest == config_digest:
                return self._resolved(descriptor, parsed)
        return None

    def _read_blob_document(self, descriptor: Descriptor, what: str) -> bytes:
        digest = parse_digest(descriptor.digest, what=what)
        limits = self.options.limits
        data = self._archive.read_member(
            f"blobs/{digest.algorithm}/{digest.hex}",
            limit=limits.max_manifest_bytes,
            limit_name="max_manifest_bytes",
        )
        verify_bytes(data, digest, what=what)
        return data

    def _resolved(self, descriptor: Descriptor, manifest: ImageManifest) -> ResolvedImage:
        limits = self.options.limits
        data = self._archive.read_member(
            self._entry.config, limit=limits.max_config_bytes, limit_name="max_config_bytes"
        )
        return ResolvedImage(
            descriptor=descriptor,
            manifest=manifest,
            config=parse_config(data, what=f"{self._what} {shown(self._entry.config)}"),
            index_digest=None,
            available_platforms=(),
        )

    def _describe_legacy(
        self, entry: _Entry, config_data: bytes, config_digest: str, reference: str
    ) -> Image:
        config = parse_config(config_data, what=f"{self._what} {shown(entry.config)}")
        if len(config.diff_ids) != len(entry.layers):
            raise MalformedDocumentError(
                f"{self._what}: manifest.json lists {len(entry.layers)} layers but the config "
                f"has {len(config.diff_ids)} diff_ids"
            )
        commands = layer_commands(config.history, len(entry.layers))
        layers = []
        for i, (path, diff_id, command) in enumerate(
            zip(entry.layers, config.diff_ids, commands, strict=True)
        ):
            source = entry.layer_sources.get(diff_id) or entry.layer_sources.get(
                _blob_digest(path) or ""
            )
            if source is not None:
                layers.append(
                    Layer(
                        index=i,
                        media_type=source.media_type,
                        digest=source.digest,
                        diff_id=diff_id,
                        size=source.size,
                        created_by=command,
                        foreign=True,
                        urls=source.urls,
                    )
                )
                continue
            member = self._archive.resolve(path)
            compression = detect_compression(
                self._archive.head(path, 8), what=f"{self._what} {shown(path)}"
            )
            stored = _blob_digest(path)
            if stored is None and compression is mediatypes.Compression.NONE:
                stored = diff_id  # an uncompressed layer.tar is its own diff
            layers.append(
                Layer(
                    index=i,
                    media_type=mediatypes.layer_media_type(compression, docker=True),
                    digest=stored,
                    diff_id=diff_id,
                    size=member.size,
                    created_by=command,
                )
            )
        return Image(
            source_kind=SourceKind.DOCKER_ARCHIVE,
            reference=reference,
            config_digest=config_digest,
            platform=config.platform,
            created=config.created,
            author=config.author,
            config=config.config,
            history=config.history,
            layers=tuple(layers),
            repo_tags=entry.repo_tags,
        )

    def open_layer(self, layer: Layer) -> AbstractContextManager[BinaryIO]:
        return open_stored_layer(self._stored_layer(layer), self.options.limits, self._ahead)

    def _stored_layer(self, layer: Layer) -> StoredLayer:
        what = f"{self._what} layer {layer.index} ({layer.digest or layer.diff_id})"
        if layer.foreign:
            raise InputError(
                f"{what}: a foreign (non-distributable) layer is not in the archive; "
                f"it is only referenced at {', '.join(layer.urls) or 'no URL'}"
            )
        path = self._layer_paths[layer.index]
        return StoredLayer(
            self._archive.locate(path),
            media_type=layer.media_type,
            digest=layer.digest,
            size=layer.size,
            diff_id=layer.diff_id,
            what=what,
        )


def open_docker_archive(
    path: Path, selector: str | None, options: SourceOptions
) -> DockerArchiveSource:
    """The image of `path` chosen by `selector` (`NAME:TAG`, `@N`, or None for the only one)."""
    return DockerArchiveSource(path, selector, options)
