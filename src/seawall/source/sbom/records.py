"""seawall's own JSON records (native SBOM, SPDX annotations), validated and turned into the model.

The shapes are those `seawall.report.sbom.native` writes and
`sbom.schema.json` describes; pydantic checks every type (strict: no string
to number coercion) at this trust boundary.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from seawall.model.image import Image, Layer, Platform, SourceKind
from seawall.model.package import CatalogerStatus, Distro, Ecosystem, Location, Package

_Model = TypeVar("_Model", bound=BaseModel)


class _Record(BaseModel):
    # defer_build: validators are built on first use, not when every command
    # imports this module (through the layer cache).
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, defer_build=True)


class LocationRecord(_Record):
    path: str
    layer: int | None = None


class ChecksumRecord(_Record):
    algorithm: str
    value: str


class PackageRecord(_Record):
    name: str
    version: str
    ecosystem: str
    ecosystem_release: str | None = None
    purl: str
    cataloger: str
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    licenses: list[str] = []
    locations: list[LocationRecord] = []
    checksums: list[ChecksumRecord] = []
    owner: str | None = None


class DistroRecord(_Record):
    id: str
    version_id: str | None = None
    pretty_name: str | None = None
    version_codename: str | None = None
    id_like: list[str] = []
    version: str | None = None


class StatusRecord(_Record):
    name: str
    version: int
    files_read: int = 0
    problems: list[str] = []


class PlatformRecord(_Record):
    os: str
    architecture: str
    variant: str | None = None


class LayerRecord(_Record):
    index: int
    media_type: str
    digest: str | None = None
    diff_id: str | None = None
    size: int | None = None
    created_by: str | None = None
    foreign: bool = False
    urls: list[str] = []


class ImageRecord(_Record):
    source_kind: str
    reference: str
    manifest_digest: str | None = None
    manifest_media_type: str | None = None
    index_digest: str | None = None
    config_digest: str | None = None
    platform: PlatformRecord | None = None
    created: str | None = None
    author: str | None = None
    repo_tags: list[str] = []
    description: str | None = None
    layers: list[LayerRecord] = []


class RecordError(ValueError):
    """A record that does not have the shape seawall writes; the message says where."""


def validate(model: type[_Model], data: Any, where: str) -> _Model:
    """`data` as `model`, or RecordError naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise RecordError(f"{where}: {field}: {first['msg']}") from None


def ecosystem_of(value: str, where: str) -> Ecosystem:
    try:
        return Ecosystem(value)
    except ValueError:
        raise RecordError(f"{where}: unknown ecosystem {value[:40]!r}") from None


def to_package(record: PackageRecord, where: str) -> Package:
    return Package(
        name=record.name,
        version=record.version,
        ecosystem=ecosystem_of(record.ecosystem, where),
        purl=record.purl,
        cataloger=record.cataloger,
        ecosystem_release=record.ecosystem_release,
        source_name=record.source_name,
        source_version=record.source_version,
        arch=record.arch,
        licenses=tuple(record.licenses),
        locations=tuple(Location(loc.path, loc.layer) for loc in record.locations),
        checksums=tuple((item.algorithm, item.value) for item in record.checksums),
        owner=record.owner,
    )


def to_distro(record: DistroRecord) -> Distro:
    return Distro(
        id=record.id,
        version_id=record.version_id,
        pretty_name=record.pretty_name,
        version_codename=record.version_codename,
        id_like=tuple(record.id_like),
        version=record.version,
    )


def to_status(record: StatusRecord) -> CatalogerStatus:
    return CatalogerStatus(
        name=record.name,
        version=record.version,
        files_read=record.files_read,
        problems=tuple(record.problems),
    )


def to_image(record: ImageRecord, where: str) -> Image:
    try:
        kind = SourceKind(record.source_kind)
    except ValueError:
        raise RecordError(f"{where}: unknown source kind {record.source_kind[:40]!r}") from None
    platform = record.platform
    return Image(
        source_kind=kind,
        reference=record.reference,
        manifest_digest=record.manifest_digest,
        manifest_media_type=record.manifest_media_type,
        index_digest=record.index_digest,
        config_digest=record.config_digest,
        platform=None
        if platform is None
        else Platform(platform.os, platform.architecture, platform.variant),
        created=record.created,
        author=record.author,
        repo_tags=tuple(record.repo_tags),
        description=record.description,
        layers=tuple(
            Layer(
                index=layer.index,
                media_type=layer.media_type,
                digest=layer.digest,
                diff_id=layer.diff_id,
                size=layer.size,
                created_by=layer.created_by,
                foreign=layer.foreign,
                urls=tuple(layer.urls),
            )
            for layer in record.layers
        ),
    )
