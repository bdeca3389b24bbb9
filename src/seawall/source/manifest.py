"""Reading manifests, indexes and image configs: bounded, strict, into model values.

JSON comes from hostile inputs, so a document is refused when it is larger
than its limit *before* it is read whole or parsed, duplicate keys are refused
(two parsers could otherwise see two different images), and every field is
type-checked with an error naming the document. Formats: OCI image spec
(manifest.md, image-index.md, config.md, descriptor.md) and docker's image
manifest v2.2; schema 1 is refused.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from seawall.errors import LimitExceededError
from seawall.model.image import HistoryEntry, ImageConfig, Layer, Platform
from seawall.source import mediatypes
from seawall.source.digest import validate_digest
from seawall.source.errors import MalformedDocumentError, UnsupportedMediaTypeError

# ---------------------------------------------------------------- bounded JSON


def read_bounded(stream: BinaryIO, *, limit: int, limit_name: str, what: str) -> bytes:
    """At most `limit` bytes of `stream`; one byte more raises `LimitExceededError`."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise LimitExceededError(what, limit_name, limit)
    return data


def check_declared_size(size: int | None, *, limit: int, limit_name: str, what: str) -> None:
    """Refuses a document whose declared size (descriptor, tar header) is over its limit."""
    if size is not None and size > limit:
        raise LimitExceededError(f"{what} ({size} bytes)", limit_name, limit)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(data: bytes, *, what: str) -> Any:
    """Parses a JSON document strictly (UTF-8, no duplicate keys, no NaN)."""
    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise MalformedDocumentError(f"{what}: not UTF-8 text; it is not a JSON document") from None
    except RecursionError:
        raise MalformedDocumentError(f"{what}: JSON nested too deeply") from None
    except ValueError as exc:
        raise MalformedDocumentError(f"{what}: malformed JSON ({exc})") from None


def load_object(data: bytes, *, what: str) -> dict[str, Any]:
    """A JSON document that must be an object."""
    value = load_json(data, what=what)
    if not isinstance(value, dict):
        raise MalformedDocumentError(f"{what}: expected a JSON object, got {_kind(value)}")
    return value


# ---------------------------------------------------------------- typed field access


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _field(doc: Mapping[str, Any], key: str, kind: type, what: str, *, required: bool) -> Any:
    value = doc.get(key)
    if value is None:
        if required:
            raise MalformedDocumentError(f"{what}: missing {key!r}")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedDocumentError(f"{what}: {key!r} must be {_kind(kind())}, got {_kind(value)}")
    return value


def _str(doc: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> str | None:
    value: str | None = _field(doc, key, str, what, required=required)
    return value


def _str_list(doc: Mapping[str, Any], key: str, what: str) -> tuple[str, ...] | None:
    value = _field(doc, key, list, what, required=False)
    if value is None:
        return None
    if not all(isinstance(item, str) for item in value):
        raise MalformedDocumentError(f"{what}: {key!r} must be an array of strings")
    return tuple(value)


def _str_map(doc: Mapping[str, Any], key: str, what: str) -> dict[str, str]:
    value = _field(doc, key, dict, what, required=False)
    if value is None:
        return {}
    if not all(isinstance(item, str) for item in value.values()):
        raise MalformedDocumentError(f"{what}: {key!r} must map strings to strings")
    return dict(value)


def _obj(doc: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> dict[str, Any]:
    value: dict[str, Any] | None = _field(doc, key, dict, what, required=required)
    return value or {}


# ---------------------------------------------------------------- descriptors


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A content descriptor (descriptor.md): what a manifest or index points at."""

    media_type: str
    digest: str
    size: int
    urls: tuple[str, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    platform: Platform | None = None
    artifact_type: str | None = None

    def annotation(self, key: str) -> str | None:
        """One annotation's value, if set."""
        return dict(self.annotations).get(key)


def parse_platform_object(value: object, *, what: str) -> Platform:
    """An OCI platform object (`{"os": ..., "architecture": ..., "variant": ...}`)."""
    if not isinstance(value, dict):
        raise MalformedDocumentError(f"{what}: 'platform' must be an object")
    os_ = _str(value, "os", what, required=True)
    arch = _str(value, "architecture", what, required=True)
    variant = _str(value, "variant", what)
    assert os_ is not None and arch is not None
    return Platform(os_, arch, variant or None)


def parse_descriptor(value: object, *, what: str) -> Descriptor:
    """A descriptor object, with its digest validated and its size checked."""
    if not isinstance(value, dict):
        raise MalformedDocumentError(f"{what}: a descriptor must be an object")
    media_type = _str(value, "mediaType", what, required=True)
    digest = validate_digest(value.get("digest"), what=what)
    size = _field(value, "size", int, what, required=True)
    if size < 0:
        raise MalformedDocumentError(f"{what}: negative size {size}")
    platform = value.get("platform")
    assert media_type is not None
    return Descriptor(
        media_type=media_type,
        digest=digest,
        size=size,
        urls=_str_list(value, "urls", what) or (),
        annotations=tuple(sorted(_str_map(value, "annotations", what).items())),
        platform=None if platform is None else parse_platform_object(platform, what=what),
        artifact_type=_str(value, "artifactType", what),
    )


# ---------------------------------------------------------------- manifests and indexes


@dataclass(frozen=True, slots=True)
class ImageManifest:
    """An image manifest: one config and its layers."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ImageIndex:
    """An image index or manifest list: manifests, usually one per platform."""

    media_type: str
    manifests: tuple[Descriptor, ...]
    annotations: tuple[tuple[str, str], ...] = ()


def _document_type(doc: Mapping[str, Any], declared: str | None, what: str) -> str:
    """The media type a manifest-like document has, checked against what pointed at it."""
    schema = doc.get("schemaVersion")
    inner = doc.get("mediaType")
    if (
        schema == 1
        or (isinstance(inner, str) and mediatypes.is_schema1(inner))
        or (declared is not None and mediatypes.is_schema1(declared))
    ):
        raise UnsupportedMediaTypeError(
            f"{what}: unsupported legacy schema 1 manifest; "
            "re-push the image with a current docker, buildah or skopeo to convert it"
        )
    if schema != 2:
        raise MalformedDocumentError(f"{what}: 'schemaVersion' must be 2, got {schema!r}")
    if inner is not None and not isinstance(inner, str):
        raise MalformedDocumentError(f"{what}: 'mediaType' must be a string")
    if inner is not None and declared is not None and inner != declared:
        raise MalformedDocumentError(
            f"{what}: the document says it is {inner!r} but was referenced as {declared!r}"
        )
    media_type = inner or declared
    if media_type is None:
        # OCI documents may omit mediaType (image-spec 1.0); tell them apart by shape.
        media_type = mediatypes.OCI_INDEX if "manifests" in doc else mediatypes.OCI_MANIFEST
    if not (mediatypes.is_manifest(media_type) or mediatypes.is_index(media_type)):
        raise UnsupportedMediaTypeError(
            f"{what}: unsupported media type {media_type!r}; expected an OCI or docker v2 "
            "image manifest or index"
        )
    return media_type


def parse_manifest_or_index(
    data: bytes, *, what: str, media_type: str | None = None
) -> ImageManifest | ImageIndex:
    """A manifest or index document. `media_type` is what its descriptor or server said."""
    doc = load_object(data, what=what)
    kind = _document_type(doc, media_type, what)
    annotations = tuple(sorted(_str_map(doc, "annotations", what).items()))
    if mediatypes.is_index(kind):
        entries = _field(doc, "manifests", list, what, required=True)
        return ImageIndex(
            media_type=kind,
            manifests=tuple(
                parse_descriptor(entry, what=f"{what} manifests[{i}]")
                for i, entry in enumerate(entries)
            ),
            annotations=annotations,
        )
    config = parse_descriptor(_obj(doc, "config", what, required=True), what=f"{what} config")
    if config.media_type not in mediatypes.CONFIG_TYPES:
        raise UnsupportedMediaTypeError(
            f"{what}: config media type {config.media_type!r} is not a container image "
            "(an artifact such as a helm chart or signature?)"
        )
    layers = _field(doc, "layers", list, what, required=True)
    return ImageManifest(
        media_type=kind,
        config=config,
        layers=tuple(
            parse_descriptor(entry, what=f"{what} layers[{i}]") for i, entry in enumerate(layers)
        ),
        annotations=annotations,
    )


def parse_manifest(data: bytes, *, what: str, media_type: str | None = None) -> ImageManifest:
    """A document that must be an image manifest."""
    parsed = parse_manifest_or_index(data, what=what, media_type=media_type)
    if not isinstance(parsed, ImageManifest):
        raise MalformedDocumentError(f"{what}: expected an image manifest, found an index")
    return parsed


def parse_index(data: bytes, *, what: str, media_type: str | None = None) -> ImageIndex:
    """A document that must be an image index or manifest list."""
    parsed = parse_manifest_or_index(data, what=what, media_type=media_type)
    if not isinstance(parsed, ImageIndex):
        raise MalformedDocumentError(f"{what}: expected an image index, found a manifest")
    return parsed


# ---------------------------------------------------------------- image config


@dataclass(frozen=True, slots=True)
class ParsedConfig:
    """The parts of an image config a source describes."""

    platform: Platform
    created: str | None
    author: str | None
    config: ImageConfig
    history: tuple[HistoryEntry, ...]
    diff_ids: tuple[str, ...]


def _env_pairs(values: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in values or ():
        name, _, value = item.partition("=")
        pairs.append((name, value))
    return tuple(pairs)


def parse_config(data: bytes, *, what: str) -> ParsedConfig:
    """An image config (config.md), docker's capitalised runtime keys included."""
    doc = load_object(data, what=what)
    runtime = _obj(doc, "config", what)
    rootfs = _obj(doc, "rootfs", what, required=True)
    if rootfs.get("type") != "layers":
        raise MalformedDocumentError(f"{what}: rootfs.type must be 'layers'")
    diff_ids = _str_list(rootfs, "diff_ids", f"{what} rootfs") or ()
    for i, diff_id in enumerate(diff_ids):
        validate_digest(diff_id, what=f"{what} rootfs.diff_ids[{i}]")
    history_items = _field(doc, "history", list, what, required=False) or []
    history = []
    for i, item in enumerate(history_items):
        where = f"{what} history[{i}]"
        if not isinstance(item, dict):
            raise MalformedDocumentError(f"{where}: must be an object")
        empty = _field(item, "empty_layer", bool, where, required=False)
        history.append(
            HistoryEntry(
                created_by=_str(item, "created_by", where),
                created=_str(item, "created", where),
                author=_str(item, "author", where),
                comment=_str(item, "comment", where),
                empty_layer=bool(empty),
            )
        )
    health = _obj(runtime, "Healthcheck", what)
    os_ = _str(doc, "os", what, required=True)
    arch = _str(doc, "architecture", what, required=True)
    assert os_ is not None and arch is not None
    image_config = ImageConfig(
        user=_str(runtime, "User", what) or None,
        working_dir=_str(runtime, "WorkingDir", what) or None,
        entrypoint=_str_list(runtime, "Entrypoint", what),
        cmd=_str_list(runtime, "Cmd", what),
        env=_env_pairs(_str_list(runtime, "Env", what)),
        exposed_ports=tuple(sorted(_obj(runtime, "ExposedPorts", what))),
        volumes=tuple(sorted(_obj(runtime, "Volumes", what))),
        labels=tuple(sorted(_str_map(runtime, "Labels", what).items())),
        stop_signal=_str(runtime, "StopSignal", what) or None,
        healthcheck=_str_list(health, "Test", f"{what} Healthcheck"),
    )
    return ParsedConfig(
        platform=Platform(os_, arch, _str(doc, "variant", what) or None),
        created=_str(doc, "created", what),
        author=_str(doc, "author", what),
        config=image_config,
        history=tuple(history),
        diff_ids=diff_ids,
    )


# ---------------------------------------------------------------- layers


def layer_commands(history: tuple[HistoryEntry, ...], count: int) -> tuple[str | None, ...]:
    """The `created_by` of each layer: the non-empty history entries, in order.

    When history and layers disagree in number (hand-made images) no line can
    be trusted to belong to its layer, so every layer gets None.
    """
    steps = tuple(entry.created_by for entry in history if not entry.empty_layer)
    return steps if len(steps) == count else (None,) * count


def manifest_layers(
    manifest: ImageManifest, config: ParsedConfig, *, what: str
) -> tuple[Layer, ...]:
    """The image's layers from its manifest and config (diff_ids, history, foreign flags)."""
    if len(config.diff_ids) != len(manifest.layers):
        raise MalformedDocumentError(
            f"{what}: the manifest lists {len(manifest.layers)} layers but the config "
            f"has {len(config.diff_ids)} diff_ids"
        )
    commands = layer_commands(config.history, len(manifest.layers))
    layers = []
    for i, (desc, diff_id, command) in enumerate(
        zip(manifest.layers, config.diff_ids, commands, strict=True)
    ):
        kind = mediatypes.layer_type(desc.media_type, what=f"{what} layer {i} ({desc.digest})")
        layers.append(
            Layer(
                index=i,
                media_type=desc.media_type,
                digest=desc.digest,
                diff_id=diff_id,
                size=desc.size,
                created_by=command,
                foreign=kind.foreign,
                urls=desc.urls,
            )
        )
    return tuple(layers)
