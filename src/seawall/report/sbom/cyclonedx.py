"""CycloneDX 1.6 JSON, written directly as plain data (CycloneDX 1.6 specification, JSON schema).

Layout:

- `metadata.component` is the subject: a `container` for an image (name the
  reference, version and hash the manifest digest) or a `file` for a
  directory; `metadata.tools` names seawall and its version.
- One `library` component per package, in inventory order, `bom-ref` from
  `common.package_refs`; licences, in the package's order, as SPDX ids where
  the string is one, a single compound SPDX expression alone, else licence
  names; checksums as `hashes` where CycloneDX has the algorithm. The purl
  field holds the purl only when it is in canonical form (it prints back
  verbatim from a parse), as the specification requires a conforming purl;
  otherwise the purl travels as the `seawall:purl` property.
- The distro is an `operating-system` component, after the packages.
- `dependencies`: one entry per component (CycloneDX 1.6 asks that
  components without dependencies be listed with none), the subject depending
  on every component (it contains them), and each package on the packages its
  lockfile names.
- Everything else the model holds is a `seawall:` property, named in
  `seawall.model.sbom_fields` (which documents the vocabulary).

Keys follow the schema's order of properties, so the document reads as the
specification lists fields.
"""

from collections.abc import Iterable
from typing import Any

from packageurl import PackageURL

from seawall import __version__
from seawall.model import sbom_fields as f
from seawall.model.image import Image
from seawall.model.package import Distro, Inventory, Package
from seawall.report.jsontext import dumps_indented
from seawall.report.sbom.common import (
    SbomOptions,
    is_directory,
    layer_at,
    package_refs,
    relationship_pairs,
    subject_name,
)
from seawall.report.sbom.licences import LicenceKind, licence_kind
from seawall.report.scan.common import with_masked_steps

SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"
SPEC_VERSION = "1.6"
_SUBJECT_REF = "seawall:subject"
_OS_REF = "seawall:os"

_Record = dict[str, Any]


def _prop(name: str, value: str) -> _Record:
    return {"name": name, "value": value}


def _is_canonical_purl(purl: str) -> bool:
    """True when `purl` parses and prints back verbatim, i.e. is in canonical form."""
    try:
        return bool(PackageURL.from_string(purl).to_string() == purl)
    except ValueError:
        return False


def _licences(licences: Iterable[str]) -> list[_Record]:
    # An empty string names no licence (and CycloneDX wants an id or a name).
    values = [value for value in licences if value]
    kinds = [licence_kind(value) for value in values]
    if kinds == [LicenceKind.EXPRESSION]:
        return [{"expression": values[0]}]
    # CycloneDX 1.6 allows one expression or a list of licences, never both:
    # in a list, expressions become licence names.
    return [
        {"license": {"id": value} if kind is LicenceKind.ID else {"name": value}}
        for value, kind in zip(values, kinds, strict=True)
    ]


def _hashes(package: Package) -> tuple[list[_Record], list[_Record]]:
    """`hashes` for the checksums CycloneDX can carry, properties (by model index) for the rest."""
    hashes: list[_Record] = []
    leftovers: list[_Record] = []
    for index, (algorithm, value) in enumerate(package.checksums):
        name = f.CYCLONEDX_HASH_ALGORITHMS.get(algorithm)
        if name is not None and f.is_hex_digest(algorithm, value):
            hashes.append({"alg": name, "content": value})
        else:
            leftovers.append(_prop(f.indexed(f.CHECKSUM, index), f"{algorithm}:{value}"))
    return hashes, leftovers


def _package_properties(package: Package, image: Image | None) -> list[_Record]:
    props = [_prop(f.CATALOGER, package.cataloger), _prop(f.ECOSYSTEM, package.ecosystem.value)]
    for name, optional in (
        (f.ECOSYSTEM_RELEASE, package.ecosystem_release),
        (f.SOURCE_NAME, package.source_name),
        (f.SOURCE_VERSION, package.source_version),
        (f.ARCH, package.arch),
        (f.OWNER, package.owner),
    ):
        if optional is not None:
            props.append(_prop(name, optional))
    for index, location in enumerate(package.locations):
        props.append(_prop(f.indexed(f.LOCATION, index, f.LOCATION_PATH), location.path))
        if location.layer is None:
            continue
        props.append(
            _prop(f.indexed(f.LOCATION, index, f.LOCATION_LAYER_INDEX), str(location.layer))
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
                props.append(_prop(f.indexed(f.LOCATION, index, field), value))
    return props


def _package_component(package: Package, ref: str, image: Image | None) -> _Record:
    hashes, checksum_props = _hashes(package)
    props = _package_properties(package, image) + checksum_props
    canonical = _is_canonical_purl(package.purl)
    if not canonical:
        props.append(_prop(f.PURL, package.purl))
    component: _Record = {
        "type": "library",
        "bom-ref": ref,
        "name": package.name,
        "version": package.version,
    }
    if hashes:
        component["hashes"] = hashes
    licences = _licences(package.licenses)
    if licences:
        component["licenses"] = licences
    if canonical:
        component["purl"] = package.purl
    component["properties"] = props
    return component


def _os_component(distro: Distro) -> _Record:
    component: _Record = {"type": "operating-system", "bom-ref": _OS_REF, "name": distro.id}
    if distro.version_id is not None:
        component["version"] = distro.version_id
    if distro.pretty_name is not None:
        component["description"] = distro.pretty_name
    props = [
        _prop(name, value)
        for name, value in (
            (f.DISTRO_VERSION, distro.version),
            (f.DISTRO_CODENAME, distro.version_codename),
        )
        if value is not None
    ]
    props.extend(
        _prop(f.indexed(f.DISTRO_ID_LIKE, index), value)
        for index, value in enumerate(distro.id_like)
    )
    if props:
        component["properties"] = props
    return component


def _image_properties(image: Image) -> list[_Record]:
    props: list[_Record] = []

    def add(name: str, value: str | None) -> None:
        if value is not None:
            props.append(_prop(name, value))

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


def _subject_component(image: Image) -> _Record:
    component: _Record = {
        "type": "file" if is_directory(image) else "container",
        "bom-ref": _SUBJECT_REF,
        "name": subject_name(image),
    }
    if image.manifest_digest is not None:
        component["version"] = image.manifest_digest
    algorithm, _, hex_value = (image.manifest_digest or "").partition(":")
    alg = f.CYCLONEDX_HASH_ALGORITHMS.get(algorithm)
    if alg is not None and f.is_hex_digest(algorithm, hex_value):
        component["hashes"] = [{"alg": alg, "content": hex_value}]
    props = _image_properties(image)
    if props:
        component["properties"] = props
    return component


def _status_properties(inventory: Inventory) -> list[_Record]:
    props = [_prop(f.PARTIAL, "true" if inventory.partial else "false")]
    for index, status in enumerate(inventory.statuses):
        props.append(_prop(f.indexed(f.STATUS, index, f.STATUS_NAME), status.name))
        props.append(_prop(f.indexed(f.STATUS, index, f.STATUS_VERSION), str(status.version)))
        props.append(_prop(f.indexed(f.STATUS, index, f.STATUS_FILES_READ), str(status.files_read)))
        props.extend(
            _prop(f.indexed(f.STATUS, index, f"{f.STATUS_PROBLEM}:{problem_index}"), problem)
            for problem_index, problem in enumerate(status.problems)
        )
    return props


def _dependencies(
    inventory: Inventory, refs: list[str], components: list[_Record], root: bool
) -> list[_Record]:
    """The dependency graph: the subject first, then every component in document order."""
    children: dict[str, list[str]] = {component["bom-ref"]: [] for component in components}
    for parent, child in relationship_pairs(inventory, refs):
        children[parent].append(child)
    graph: list[_Record] = []
    if root:
        graph.append({"ref": _SUBJECT_REF, "dependsOn": list(children)})
    for ref, depends_on in children.items():
        graph.append({"ref": ref, "dependsOn": depends_on} if depends_on else {"ref": ref})
    return graph


def build_document(
    inventory: Inventory, subject: Image | None, options: SbomOptions
) -> dict[str, Any]:
    """The CycloneDX 1.6 document of the inventory, as JSON-ready plain data (build steps
    masked: `with_masked_steps`)."""
    if subject is not None:
        subject = with_masked_steps(subject)
    metadata: _Record = {
        "timestamp": options.timestamp().isoformat(),
        "tools": {
            "components": [{"type": "application", "name": f.TOOL_NAME, "version": __version__}]
        },
    }
    if subject is not None:
        metadata["component"] = _subject_component(subject)
    metadata["properties"] = _status_properties(inventory)
    refs = package_refs(inventory.packages)
    components = [
        _package_component(package, ref, subject)
        for package, ref in zip(inventory.packages, refs, strict=True)
    ]
    if inventory.distro is not None:
        components.append(_os_component(inventory.distro))
    return {
        "$schema": SCHEMA_URL,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{options.uuid()}",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": _dependencies(inventory, refs, components, subject is not None),
    }


def render_cyclonedx(
    inventory: Inventory, subject: Image | None, options: SbomOptions | None = None
) -> str:
    """The inventory as a CycloneDX 1.6 JSON document."""
    document = build_document(inventory, subject, options or SbomOptions())
    return dumps_indented(document)
