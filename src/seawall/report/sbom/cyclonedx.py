"""CycloneDX 1.6 JSON, built with cyclonedx-python-lib's model and JSON outputter.

Layout (CycloneDX 1.6 specification):

- `metadata.component` is the subject: a `container` for an image (name the
  reference, version and hash the manifest digest) or a `file` for a
  directory; `metadata.tools` names seawall and its version.
- One `library` component per package, `bom-ref` from `common.package_refs`;
  licences as SPDX ids where the string is one, a single compound SPDX
  expression alone, else licence names; checksums as `hashes` where
  CycloneDX has the algorithm.
- The distro is an `operating-system` component.
- `dependencies`: the subject depends on every component (it contains them),
  and each package on the packages its lockfile names.
- Everything else the model holds is a `seawall:` property, named in
  `seawall.model.sbom_fields` (which documents the vocabulary).

The library keeps components, licences and hashes in sorted sets; the
document puts them back in the inventory's order, so the output reads in the
order seawall found things and a reader restores the inventory exactly.
"""

import json
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from seawall import __version__
from seawall.model import sbom_fields as f
from seawall.model.image import Image
from seawall.model.package import Distro, Inventory, Package
from seawall.report.sbom.common import (
    SbomOptions,
    is_directory,
    layer_at,
    licence_kind,
    package_refs,
    relationship_pairs,
    subject_name,
)

_SUBJECT_REF = "seawall:subject"
_OS_REF = "seawall:os"


def _purl_field(purl: str) -> PackageURL | None:
    """The purl as the library's value, or None when it would not print back verbatim."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    return parsed if parsed.to_string() == purl else None


def _licences(package: Package) -> list[License]:
    kinds = [licence_kind(value) for value in package.licenses]
    if kinds == ["expression"]:
        return [LicenseExpression(package.licenses[0])]
    # CycloneDX 1.6 allows one expression or a list of licences, never both:
    # in a list, expressions become licence names.
    return [
        DisjunctiveLicense(id=value) if kind == "id" else DisjunctiveLicense(name=value)
        for value, kind in zip(package.licenses, kinds, strict=True)
    ]


def _hashes(package: Package) -> tuple[list[HashType], list[Property]]:
    hashes: list[HashType] = []
    leftovers: list[Property] = []
    for index, (algorithm, value) in enumerate(package.checksums):
        name = f.CYCLONEDX_HASH_ALGORITHMS.get(algorithm)
        if name is not None and f.is_hex_digest(algorithm, value):
            hashes.append(HashType(alg=HashAlgorithm(name), content=value))
        else:
            leftovers.append(
                Property(name=f.indexed(f.CHECKSUM, index), value=f"{algorithm}:{value}")
            )
    return hashes, leftovers


def _package_properties(package: Package, image: Image | None) -> list[Property]:
    props = [
        Property(name=f.CATALOGER, value=package.cataloger),
        Property(name=f.ECOSYSTEM, value=package.ecosystem.value),
    ]
    optional = (
        (f.ECOSYSTEM_RELEASE, package.ecosystem_release),
        (f.SOURCE_NAME, package.source_name),
        (f.SOURCE_VERSION, package.source_version),
        (f.ARCH, package.arch),
    )
    props.extend(Property(name=name, value=value) for name, value in optional if value is not None)
    for index, location in enumerate(package.locations):
        props.append(
            Property(name=f.indexed(f.LOCATION, index, f.LOCATION_PATH), value=location.path)
        )
        if location.layer is None:
            continue
        props.append(
            Property(
                name=f.indexed(f.LOCATION, index, f.LOCATION_LAYER_INDEX), value=str(location.layer)
            )
        )
        layer = layer_at(image, location.layer)
        if layer is None:
            continue
        for field, value in (
            (f.LOCATION_LAYER_DIGEST, layer.digest),
            (f.LOCATION_LAYER_DIFF_ID, layer.diff_id),
            (f.LOCATION_LAYER_CREATED_BY, layer.created_by),
        ):
            if value:
                props.append(Property(name=f.indexed(f.LOCATION, index, field), value=value))
    return props


def _package_component(package: Package, ref: str, image: Image | None) -> Component:
    hashes, checksum_props = _hashes(package)
    props = _package_properties(package, image) + checksum_props
    purl = _purl_field(package.purl)
    if purl is None:
        props.append(Property(name=f.PURL, value=package.purl))
    return Component(
        type=ComponentType.LIBRARY,
        name=package.name,
        version=package.version,
        purl=purl,
        bom_ref=ref,
        licenses=_licences(package),
        hashes=hashes,
        properties=props,
    )


def _os_component(distro: Distro) -> Component:
    props = [
        Property(name=name, value=value)
        for name, value in (
            (f.DISTRO_VERSION, distro.version),
            (f.DISTRO_CODENAME, distro.version_codename),
        )
        if value is not None
    ]
    props.extend(
        Property(name=f.indexed(f.DISTRO_ID_LIKE, index), value=value)
        for index, value in enumerate(distro.id_like)
    )
    return Component(
        type=ComponentType.OPERATING_SYSTEM,
        name=distro.id,
        version=distro.version_id,
        description=distro.pretty_name,
        bom_ref=_OS_REF,
        properties=props,
    )


def _image_properties(image: Image) -> list[Property]:
    props: list[Property] = []

    def add(name: str, value: str | None) -> None:
        if value is not None:
            props.append(Property(name=name, value=value))

    add(f"{f.IMAGE}:source-kind", image.source_kind.value)
    add(f"{f.IMAGE}:manifest-digest", image.manifest_digest)
    add(f"{f.IMAGE}:manifest-media-type", image.manifest_media_type)
    add(f"{f.IMAGE}:index-digest", image.index_digest)
    add(f"{f.IMAGE}:config-digest", image.config_digest)
    add(f"{f.IMAGE}:platform", None if image.platform is None else str(image.platform))
    add(f"{f.IMAGE}:created", image.created)
    add(f"{f.IMAGE}:author", image.author)
    add(f"{f.IMAGE}:description", image.description)
    for index, tag in enumerate(image.repo_tags):
        add(f.indexed(f"{f.IMAGE}:repo-tag", index), tag)
    for layer in image.layers:
        at = layer.index

        def layer_field(field: str, value: str | None, at: int = at) -> None:
            add(f.indexed(f.IMAGE_LAYER, at, field), value)

        layer_field("media-type", layer.media_type)
        layer_field("digest", layer.digest)
        layer_field("diff-id", layer.diff_id)
        layer_field("size", None if layer.size is None else str(layer.size))
        layer_field("created-by", layer.created_by)
        layer_field("foreign", "true" if layer.foreign else None)
        for url_index, url in enumerate(layer.urls):
            layer_field(f"url:{url_index}", url)
    return props


def _subject_component(image: Image) -> Component:
    hashes: list[HashType] = []
    digest = image.manifest_digest or ""
    algorithm, _, hex_value = digest.partition(":")
    if f.is_hex_digest(algorithm, hex_value) and algorithm in f.CYCLONEDX_HASH_ALGORITHMS:
        hashes.append(
            HashType(alg=HashAlgorithm(f.CYCLONEDX_HASH_ALGORITHMS[algorithm]), content=hex_value)
        )
    return Component(
        type=ComponentType.FILE if is_directory(image) else ComponentType.CONTAINER,
        name=subject_name(image),
        version=image.manifest_digest,
        bom_ref=_SUBJECT_REF,
        hashes=hashes,
        properties=_image_properties(image),
    )


def _status_properties(inventory: Inventory) -> list[Property]:
    props = [Property(name=f.PARTIAL, value="true" if inventory.partial else "false")]
    for index, status in enumerate(inventory.statuses):
        props.append(Property(name=f.indexed(f.STATUS, index, f.STATUS_NAME), value=status.name))
        props.append(
            Property(name=f.indexed(f.STATUS, index, f.STATUS_VERSION), value=str(status.version))
        )
        props.append(
            Property(
                name=f.indexed(f.STATUS, index, f.STATUS_FILES_READ), value=str(status.files_read)
            )
        )
        for problem_index, problem in enumerate(status.problems):
            props.append(
                Property(
                    name=f.indexed(f.STATUS, index, f"{f.STATUS_PROBLEM}:{problem_index}"),
                    value=problem,
                )
            )
    return props


def build_bom(inventory: Inventory, subject: Image | None, options: SbomOptions) -> Bom:
    """The cyclonedx-python-lib model of the inventory."""
    bom = Bom(serial_number=options.uuid())
    bom.metadata.timestamp = options.timestamp()
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name=f.TOOL_NAME, version=__version__)
    )
    bom.metadata.properties.update(_status_properties(inventory))
    refs = package_refs(inventory.packages)
    components = [
        _package_component(package, ref, subject)
        for package, ref in zip(inventory.packages, refs, strict=True)
    ]
    if inventory.distro is not None:
        components.append(_os_component(inventory.distro))
    bom.components.update(components)
    by_ref = {str(component.bom_ref): component for component in components}
    if subject is not None:
        root = _subject_component(subject)
        bom.metadata.component = root
        bom.register_dependency(root, components)
    for parent, child in relationship_pairs(inventory, refs):
        bom.register_dependency(by_ref[parent], [by_ref[child]])
    return bom


def _licence_value(item: dict[str, Any]) -> str:
    if "expression" in item:
        return str(item["expression"])
    licence = item.get("license", {})
    return str(licence.get("id", licence.get("name", "")))


def _restore_order(document: dict[str, Any], inventory: Inventory, refs: list[str]) -> None:
    """Put components, licences and hashes back in the inventory's order (see module doc)."""
    position = {ref: index for index, ref in enumerate(refs)}
    package_of = dict(zip(refs, inventory.packages, strict=True))
    components = document.get("components", [])
    components.sort(key=lambda item: position.get(item.get("bom-ref", ""), len(position)))
    for component in components:
        package = package_of.get(component.get("bom-ref", ""))
        if package is None:
            continue
        if "licenses" in component:
            order = {value: index for index, value in enumerate(package.licenses)}
            component["licenses"].sort(key=lambda item: order.get(_licence_value(item), 0))
        if "hashes" in component:
            hash_order = {value: index for index, (_, value) in enumerate(package.checksums)}
            component["hashes"].sort(key=lambda item: hash_order.get(item.get("content"), 0))


def render_cyclonedx(
    inventory: Inventory, subject: Image | None, options: SbomOptions | None = None
) -> str:
    """The inventory as a CycloneDX 1.6 JSON document."""
    options = options or SbomOptions()
    bom = build_bom(inventory, subject, options)
    document: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    _restore_order(document, inventory, package_refs(inventory.packages))
    return json.dumps(document, indent=2, ensure_ascii=False)
