"""Reading SPDX 2.2/2.3 JSON into the model.

A package seawall wrote carries a `seawall.package/v1` annotation holding the
whole package record; it is restored from that exactly, and the document's
`seawall.inventory/v1` annotation restores distro, subject and cataloger
statuses. Any other package is read best effort: its PACKAGE-MANAGER purl
gives ecosystem, name, version, release, arch and source; licenseDeclared
(unless NOASSERTION or NONE) is kept as one expression; checksums as
written. The operating system is the package whose primaryPackagePurpose is
OPERATING-SYSTEM, the subject the CONTAINER the document DESCRIBES.
Relationships are DEPENDS_ON, and DEPENDENCY_OF read the other way round, in
document order.
"""

import json
import re
from pathlib import Path
from typing import Any

from seawall.model import sbom_fields as f
from seawall.model.image import Image, SourceKind
from seawall.model.package import (
    DISTRO_ECOSYSTEMS,
    CatalogerStatus,
    Distro,
    Inventory,
    Package,
    Relationship,
)
from seawall.source.sbom.load import SbomDocumentError
from seawall.source.sbom.problems import Problems
from seawall.source.sbom.purls import osv_release, purl_facts
from seawall.source.sbom.records import (
    DistroRecord,
    ImageRecord,
    PackageRecord,
    RecordError,
    StatusRecord,
    to_distro,
    to_image,
    to_package,
    to_status,
    validate,
)

READER = "sbom/spdx"
_CHECKSUM_NAMES = {spelled: model for model, spelled in f.SPDX_CHECKSUM_ALGORITHMS.items()}
_NO_LICENCE = frozenset({"NOASSERTION", "NONE", ""})
_DIGEST = re.compile(r"^[a-z0-9]+:[a-f0-9]{32,}$")


def _list(path: Path, value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SbomDocumentError(path, f"{what} is a {type(value).__name__}, not a list")
    return value


def _tagged(annotations: Any, tag: str) -> Any:
    """The JSON record of the first annotation whose comment starts with `tag`, or None."""
    if not isinstance(annotations, list):
        return None
    prefix = f"{tag} "
    for annotation in annotations:
        if not isinstance(annotation, dict):
            continue
        comment = annotation.get("comment")
        if isinstance(comment, str) and comment.startswith(prefix):
            try:
                return json.loads(comment[len(prefix) :])
            except (ValueError, RecursionError):
                raise RecordError(f"annotation {tag} is not valid JSON") from None
    return None


def _str(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) else None


def _purl(item: dict[str, Any]) -> str | None:
    refs = item.get("externalRefs")
    if not isinstance(refs, list):
        return None
    for ref in refs:
        if (
            isinstance(ref, dict)
            and ref.get("referenceType") == "purl"
            and isinstance(ref.get("referenceLocator"), str)
        ):
            return str(ref["referenceLocator"])
    return None


def _checksums(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for entry in item.get("checksums") or []:
        if isinstance(entry, dict):
            algorithm, value = _str(entry, "algorithm"), _str(entry, "checksumValue")
            if algorithm and value:
                found.append((_CHECKSUM_NAMES.get(algorithm, algorithm.lower()), value))
    return tuple(found)


def _foreign_package(item: dict[str, Any], distro: Distro | None, where: str) -> Package:
    name = _str(item, "name") or ""
    purl = _purl(item)
    if purl is None:
        raise ValueError(f"{where}: {name[:80]!r} has no purl; skipped")
    facts = purl_facts(purl)
    if facts is None:
        raise ValueError(f"{where}: purl {purl[:120]!r} names no ecosystem seawall knows; skipped")
    version = facts.version or _str(item, "versionInfo")
    if not version:
        raise ValueError(f"{where}: {name[:80]!r} has no version; skipped")
    release = facts.release
    if release is None and distro is not None and facts.ecosystem in DISTRO_ECOSYSTEMS:
        release = osv_release(facts.ecosystem, distro.version_id)
    declared = _str(item, "licenseDeclared") or ""
    return Package(
        name=facts.name,
        version=version,
        ecosystem=facts.ecosystem,
        purl=purl,
        cataloger=READER,
        ecosystem_release=release,
        source_name=facts.source_name,
        source_version=facts.source_version or (version if facts.source_name else None),
        arch=facts.arch,
        licenses=() if declared in _NO_LICENCE else (declared,),
        checksums=_checksums(item),
    )


def _subject_of(packages: list[Any], relationships: list[Any]) -> dict[str, Any] | None:
    described = {
        rel.get("relatedSpdxElement")
        for rel in relationships
        if isinstance(rel, dict) and rel.get("relationshipType") == "DESCRIBES"
    }
    for item in packages:
        if (
            isinstance(item, dict)
            and item.get("SPDXID") in described
            and item.get("primaryPackagePurpose") in ("CONTAINER", "FILE")
        ):
            return item
    return None


def read_spdx(path: Path, document: dict[str, Any]) -> tuple[Inventory, Image | None]:
    """The inventory (and subject image, if any) an SPDX document describes."""
    problems = Problems()
    raw_packages = _list(path, document.get("packages"), "packages")
    raw_relationships = _list(path, document.get("relationships"), "relationships")
    try:
        record = _tagged(document.get("annotations"), f.ANNOTATION_INVENTORY)
    except RecordError as error:
        raise SbomDocumentError(path, str(error)) from None
    statuses: tuple[CatalogerStatus, ...] = ()
    distro: Distro | None = None
    image: Image | None = None
    if isinstance(record, dict):
        try:
            statuses = tuple(
                to_status(validate(StatusRecord, item, f"statuses[{i}]"))
                for i, item in enumerate(_list(path, record.get("statuses"), "statuses"))
            )
            if record.get("distro") is not None:
                distro = to_distro(validate(DistroRecord, record["distro"], "distro"))
            if record.get("subject") is not None:
                image = to_image(validate(ImageRecord, record["subject"], "subject"), "subject")
        except RecordError as error:
            raise SbomDocumentError(path, f"{f.ANNOTATION_INVENTORY} annotation: {error}") from None
    else:
        for item in raw_packages:
            if isinstance(item, dict) and item.get("primaryPackagePurpose") == "OPERATING-SYSTEM":
                distro = Distro(
                    id=_str(item, "name") or "",
                    version_id=_str(item, "versionInfo"),
                    pretty_name=_str(item, "description"),
                )
                break
        subject = _subject_of(raw_packages, raw_relationships)
        if subject is not None:
            version = _str(subject, "versionInfo")
            image = Image(
                source_kind=SourceKind.DIRECTORY
                if subject.get("primaryPackagePurpose") == "FILE"
                else SourceKind.REGISTRY,
                reference=_str(subject, "name") or "",
                manifest_digest=version if version and _DIGEST.match(version) else None,
            )

    packages: list[Package] = []
    purl_of_id: dict[str, str] = {}
    for index, item in enumerate(raw_packages):
        where = f"packages[{index}]"
        if not isinstance(item, dict):
            problems.add(f"{where}: not an object; skipped")
            continue
        if item.get("primaryPackagePurpose") in ("OPERATING-SYSTEM", "CONTAINER") or (
            record is not None and item.get("SPDXID") == "SPDXRef-Subject"
        ):
            continue
        try:
            own = _tagged(item.get("annotations"), f.ANNOTATION_PACKAGE)
            if own is not None:
                package = to_package(validate(PackageRecord, own, where), where)
            else:
                package = _foreign_package(item, distro, where)
        except (RecordError, ValueError) as error:
            problems.add(str(error))
            continue
        packages.append(package)
        spdx_id = item.get("SPDXID")
        if isinstance(spdx_id, str):
            purl_of_id.setdefault(spdx_id, package.purl)

    relationships: dict[Relationship, None] = {}
    for item in raw_relationships:
        if not isinstance(item, dict):
            continue
        kind = item.get("relationshipType")
        left = purl_of_id.get(str(item.get("spdxElementId")))
        right = purl_of_id.get(str(item.get("relatedSpdxElement")))
        if left is None or right is None or left == right:
            continue
        if kind == "DEPENDS_ON":
            relationships[Relationship(left, right)] = None
        elif kind == "DEPENDENCY_OF":
            relationships[Relationship(right, left)] = None

    own_status = problems.status(READER)
    if own_status is not None:
        statuses += (own_status,)
    inventory = Inventory(
        packages=tuple(packages),
        distro=distro,
        relationships=tuple(relationships),
        statuses=statuses,
    )
    return inventory, image
