"""Reading CycloneDX 1.4 to 1.6 JSON into the model.

A component seawall wrote (it has `seawall:ecosystem`) is restored exactly
from its fields and `seawall:` properties (vocabulary in
`seawall.model.sbom_fields`). Any other component is read best effort: its
purl gives ecosystem, name, version, release, arch and source package;
licences and hashes are taken as written; syft's `syft:location:<i>:path` and
trivy's `aquasecurity:trivy:SrcName`/`SrcVersion` properties are used when
present. Components that cannot become packages (no purl, a purl type seawall
has no ecosystem for, a malformed entry) are skipped with a recorded problem;
files, services and the like are not packages and are skipped silently.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from seawall.model import sbom_fields as f
from seawall.model.image import Image, Layer, Platform, SourceKind
from seawall.model.package import (
    DISTRO_ECOSYSTEMS,
    CatalogerStatus,
    Distro,
    Ecosystem,
    Inventory,
    Location,
    Package,
    Relationship,
)
from seawall.source.sbom.load import SbomDocumentError
from seawall.source.sbom.problems import Problems
from seawall.source.sbom.purls import osv_release, purl_facts

READER = "sbom/cyclonedx"
_HASH_NAMES = {spelled: model for model, spelled in f.CYCLONEDX_HASH_ALGORITHMS.items()}
_INDEXED = re.compile(r"^(?P<prefix>.+?):(?P<index>\d{1,9})(?::(?P<field>.+))?$")
_NOT_PACKAGES = frozenset(
    {"file", "operating-system", "container", "device", "firmware", "data", "platform"}
)
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")


class _Model(BaseModel):
    # defer_build: validators are built when a CycloneDX document is read, not on import.
    model_config = ConfigDict(
        strict=True, extra="ignore", frozen=True, populate_by_name=True, defer_build=True
    )


class _Property(_Model):
    name: str
    value: str | None = None


class _LicenceBody(_Model):
    id: str | None = None
    name: str | None = None


class _LicenceChoice(_Model):
    license: _LicenceBody | None = None
    expression: str | None = None


class _Hash(_Model):
    alg: str
    content: str


class _Component(_Model):
    type: str
    name: str
    version: str | None = None
    purl: str | None = None
    bom_ref: str | None = Field(default=None, alias="bom-ref")
    description: str | None = None
    licenses: list[_LicenceChoice] = []
    hashes: list[_Hash] = []
    properties: list[_Property] = []


class _Dependency(_Model):
    ref: str
    depends_on: list[str] = Field(default=[], alias="dependsOn")


class _Properties:
    """A component's properties: plain ones by name, indexed ones by (prefix, index, field)."""

    def __init__(self, properties: list[_Property]) -> None:
        self.plain: dict[str, str] = {}
        self.indexed: dict[str, dict[int, dict[str, str]]] = {}
        for prop in properties:
            if prop.value is None:
                continue
            self.plain.setdefault(prop.name, prop.value)
            match = _INDEXED.match(prop.name)
            if match:
                slot = self.indexed.setdefault(match.group("prefix"), {})
                slot.setdefault(int(match.group("index")), {})[match.group("field") or ""] = (
                    prop.value
                )

    def get(self, name: str) -> str | None:
        return self.plain.get(name)

    def series(self, prefix: str) -> list[dict[str, str]]:
        """The indexed entries under `prefix`, in index order."""
        entries = self.indexed.get(prefix, {})
        return [entries[index] for index in sorted(entries)]


def _objects(path: Path, value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SbomDocumentError(path, f"{what} is a {type(value).__name__}, not a list")
    return value


def _walk(path: Path, components: list[Any]) -> Iterator[tuple[str, Any]]:
    """Every component, nested ones (CycloneDX `components` of a component) included."""
    stack = [(f"components[{i}]", item) for i, item in enumerate(components)][::-1]
    while stack:
        where, item = stack.pop()
        yield where, item
        if isinstance(item, dict) and "components" in item:
            nested = _objects(path, item["components"], f"{where}.components")
            stack.extend([(f"{where}.components[{i}]", sub) for i, sub in enumerate(nested)][::-1])


def _licences(component: _Component) -> tuple[str, ...]:
    found: list[str] = []
    for choice in component.licenses:
        if choice.expression:
            found.append(choice.expression)
        elif choice.license is not None:
            value = choice.license.id or choice.license.name
            if value:
                found.append(value)
    return tuple(found)


def _hashes(component: _Component) -> list[tuple[str, str]]:
    return [
        (_HASH_NAMES.get(item.alg, item.alg.lower()), item.content) for item in component.hashes
    ]


def _own_checksums(component: _Component, props: _Properties) -> tuple[tuple[str, str], ...]:
    """Hashes and `seawall:checksum:<i>` properties, merged back into the model's order."""
    slots: dict[int, tuple[str, str]] = {}
    for index, entry in props.indexed.get(f.CHECKSUM, {}).items():
        algorithm, _, value = entry.get("", "").partition(":")
        slots[index] = (algorithm, value)
    hashes = iter(_hashes(component))
    merged: list[tuple[str, str]] = []
    for index in range(len(slots) + len(component.hashes)):
        item = slots[index] if index in slots else next(hashes, None)
        if item is not None:
            merged.append(item)
    return tuple(merged)


def _own_package(component: _Component, props: _Properties, where: str) -> Package:
    ecosystem_value = props.get(f.ECOSYSTEM) or ""
    try:
        ecosystem = Ecosystem(ecosystem_value)
    except ValueError:
        raise ValueError(f"{where}: unknown ecosystem {ecosystem_value[:40]!r}") from None
    purl = props.get(f.PURL) or component.purl
    if not purl:
        raise ValueError(f"{where}: no purl")
    locations = []
    for entry in props.series(f.LOCATION):
        layer = entry.get(f.LOCATION_LAYER_INDEX)
        if f.LOCATION_PATH not in entry or (layer is not None and not layer.isdigit()):
            raise ValueError(f"{where}: malformed {f.LOCATION} properties")
        locations.append(Location(entry[f.LOCATION_PATH], None if layer is None else int(layer)))
    return Package(
        name=component.name,
        version=component.version or "",
        ecosystem=ecosystem,
        purl=purl,
        cataloger=props.get(f.CATALOGER) or READER,
        ecosystem_release=props.get(f.ECOSYSTEM_RELEASE),
        source_name=props.get(f.SOURCE_NAME),
        source_version=props.get(f.SOURCE_VERSION),
        arch=props.get(f.ARCH),
        licenses=_licences(component),
        locations=tuple(locations),
        checksums=_own_checksums(component, props),
        owner=props.get(f.OWNER),
    )


def _foreign_package(
    component: _Component, props: _Properties, distro: Distro | None, where: str
) -> Package:
    if not component.purl:
        raise ValueError(f"{where}: {component.name[:80]!r} has no purl; skipped")
    facts = purl_facts(component.purl)
    if facts is None:
        raise ValueError(
            f"{where}: purl {component.purl[:120]!r} names no ecosystem seawall knows; skipped"
        )
    version = facts.version or component.version
    if not version:
        raise ValueError(f"{where}: {component.name[:80]!r} has no version; skipped")
    release = facts.release
    if release is None and distro is not None and facts.ecosystem in DISTRO_ECOSYSTEMS:
        release = osv_release(facts.ecosystem, distro.version_id)
    source_name = props.get("aquasecurity:trivy:SrcName") or facts.source_name
    source_version = props.get("aquasecurity:trivy:SrcVersion") or facts.source_version
    locations = tuple(
        Location(entry["path"]) for entry in props.series("syft:location") if "path" in entry
    )
    return Package(
        name=facts.name,
        version=version,
        ecosystem=facts.ecosystem,
        purl=component.purl,
        cataloger=READER,
        ecosystem_release=release,
        source_name=source_name,
        source_version=source_version or (version if source_name else None),
        arch=facts.arch,
        licenses=_licences(component),
        locations=locations,
        checksums=tuple(_hashes(component)),
    )


def _distro(component: _Component, props: _Properties) -> Distro:
    return Distro(
        id=component.name,
        version_id=component.version,
        pretty_name=component.description,
        version_codename=props.get(f.DISTRO_CODENAME),
        id_like=tuple(entry.get("", "") for entry in props.series(f.DISTRO_ID_LIKE)),
        version=props.get(f.DISTRO_VERSION),
    )


def _statuses(props: _Properties) -> tuple[CatalogerStatus, ...]:
    statuses = []
    for entry in props.series(f.STATUS):
        problems = {
            int(key.rpartition(":")[2]): value
            for key, value in entry.items()
            if key.startswith(f"{f.STATUS_PROBLEM}:") and key.rpartition(":")[2].isdigit()
        }
        version = entry.get(f.STATUS_VERSION, "0")
        files_read = entry.get(f.STATUS_FILES_READ, "0")
        statuses.append(
            CatalogerStatus(
                name=entry.get(f.STATUS_NAME, ""),
                version=int(version) if version.isdigit() else 0,
                files_read=int(files_read) if files_read.isdigit() else 0,
                problems=tuple(problems[index] for index in sorted(problems)),
            )
        )
    return tuple(statuses)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _image(component: _Component, props: _Properties) -> Image:
    def image_field(name: str) -> str | None:
        return props.get(f"{f.IMAGE}:{name}")

    default_kind = SourceKind.DIRECTORY if component.type == "file" else SourceKind.REGISTRY
    try:
        kind = SourceKind(image_field("source-kind") or default_kind.value)
    except ValueError:
        kind = default_kind
    platform = None
    raw_platform = image_field("platform")
    if raw_platform:
        parts = raw_platform.split("/")
        if len(parts) in (2, 3) and all(parts):
            platform = Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
    manifest_digest = image_field("manifest-digest")
    if manifest_digest is None and component.version and _DIGEST.match(component.version):
        manifest_digest = component.version
    layers = []
    for index, entry in sorted(props.indexed.get(f.IMAGE_LAYER, {}).items()):
        urls = {
            int(key[4:]): value
            for key, value in entry.items()
            if key.startswith("url:") and key[4:].isdigit()
        }
        layers.append(
            Layer(
                index=index,
                media_type=entry.get("media-type", ""),
                digest=entry.get("digest"),
                diff_id=entry.get("diff-id"),
                size=_int(entry.get("size")),
                created_by=entry.get("created-by"),
                foreign=entry.get("foreign") == "true",
                urls=tuple(urls[i] for i in sorted(urls)),
            )
        )
    tags = props.series(f"{f.IMAGE}:repo-tag")
    return Image(
        source_kind=kind,
        reference=component.name,
        manifest_digest=manifest_digest,
        manifest_media_type=image_field("manifest-media-type"),
        index_digest=image_field("index-digest"),
        config_digest=image_field("config-digest"),
        platform=platform,
        created=image_field("created"),
        author=image_field("author"),
        description=image_field("description"),
        repo_tags=tuple(entry.get("", "") for entry in tags),
        layers=tuple(layers),
    )


def _validated(model: type[_Model], item: Any, where: str) -> Any:
    try:
        return model.model_validate(item)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(entry)"
        raise ValueError(f"{where}: {field}: {first['msg']}; skipped") from None


def read_cyclonedx(path: Path, document: dict[str, Any]) -> tuple[Inventory, Image | None]:
    """The inventory (and subject image, if the document names one) a CycloneDX BOM describes."""
    problems = Problems()
    metadata = document.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise SbomDocumentError(path, "metadata is not an object")
    meta_props = _Properties(
        [
            prop
            for i, raw in enumerate(
                _objects(path, metadata.get("properties"), "metadata.properties")
            )
            if (prop := _checked(_Property, raw, f"metadata.properties[{i}]", problems)) is not None
        ]
    )
    image = None
    if metadata.get("component") is not None:
        subject = _checked(_Component, metadata["component"], "metadata.component", problems)
        if subject is not None and subject.type in ("container", "file"):
            image = _image(subject, _Properties(subject.properties))

    entries: list[tuple[str, _Component, _Properties]] = []
    distro: Distro | None = None
    for where, raw in _walk(path, _objects(path, document.get("components"), "components")):
        component = _checked(_Component, raw, where, problems)
        if component is None:
            continue
        props = _Properties(component.properties)
        if component.type == "operating-system":
            distro = distro or _distro(component, props)
            continue
        entries.append((where, component, props))

    packages: list[Package] = []
    purl_of_ref: dict[str, str] = {}
    for where, component, props in entries:
        own = props.get(f.ECOSYSTEM) is not None
        if (
            not own
            and component.type != "library"
            and (component.type in _NOT_PACKAGES or not component.purl)
        ):
            continue  # not a package: a file, the subject, a lockfile target without purl
        try:
            package = (
                _own_package(component, props, where)
                if own
                else _foreign_package(component, props, distro, where)
            )
        except ValueError as error:
            problems.add(str(error))
            continue
        packages.append(package)
        if component.bom_ref is not None:
            purl_of_ref.setdefault(component.bom_ref, package.purl)

    relationships: dict[Relationship, None] = {}
    for i, raw in enumerate(_objects(path, document.get("dependencies"), "dependencies")):
        dependency = _checked(_Dependency, raw, f"dependencies[{i}]", problems)
        if dependency is None or dependency.ref not in purl_of_ref:
            continue
        parent = purl_of_ref[dependency.ref]
        for child_ref in dependency.depends_on:
            child = purl_of_ref.get(child_ref)
            if child is not None and child != parent:
                relationships[Relationship(parent, child)] = None

    statuses = _statuses(meta_props)
    own_status = problems.status(READER)
    if own_status is not None:
        statuses += (own_status,)
    inventory = Inventory(
        packages=tuple(packages),
        distro=distro,
        relationships=tuple(sorted(relationships, key=lambda r: (r.parent, r.child))),
        statuses=statuses,
    )
    return inventory, image


def _checked(model: type[_Model], item: Any, where: str, problems: Problems) -> Any:
    try:
        return _validated(model, item, where)
    except ValueError as error:
        problems.add(str(error))
        return None
