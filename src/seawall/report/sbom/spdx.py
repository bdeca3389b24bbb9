"""SPDX 2.3 JSON, written directly (SPDX 2.3 specification, JSON serialisation).

Layout:

- The document (`SPDXRef-DOCUMENT`) DESCRIBES one package for the subject:
  `SPDXRef-Subject`, purpose CONTAINER for an image, FILE for a directory.
- The subject CONTAINS the operating system (`SPDXRef-OperatingSystem`,
  purpose OPERATING-SYSTEM) and one package per inventory package, whose
  SPDXID is `SPDXRef-Package-<name>-<digest of its reference>`, sanitised to
  the characters SPDX allows (letters, digits, `.`, `-`).
- Packages DEPENDS_ON each other as lockfiles state.
- A distribution package CONTAINS each language package whose files it
  installed (`Package.owner`: Debian's python3-requests CONTAINS PyPI
  requests), SPDX 2.3 §11.1's relationship for "A contains B".
- Each package: versionInfo, a PACKAGE-MANAGER purl externalRef, checksums
  SPDX has an algorithm for, licenseDeclared as a valid SPDX expression
  (licence names become `LicenseRef-` ids declared in
  hasExtractedLicensingInfos; several licences are joined with AND, as each
  applies to part of the package), sourceInfo saying where and in which
  layer it was found; supplier, downloadLocation, licenseConcluded and
  copyrightText NOASSERTION; filesAnalyzed false.
- Facts SPDX cannot hold exactly (cataloger, OSV ecosystem, source package,
  the licence strings as found, layer indexes, cataloger statuses) travel in
  annotations of type OTHER whose comment is a tag and a JSON record
  (`seawall.model.sbom_fields`), so a reader restores the inventory exactly.

documentNamespace: `https://spdx.org/spdxdocs/seawall/<subject>-<uuid>`, the
form the SPDX specification suggests (§6.5). The uuid is random for every
document, because SPDX requires the namespace to be unique per document and
two scans of one image are two documents; `SbomOptions.document_id` pins it.
"""

import hashlib
import json
import re
from typing import Any

from seawall import __version__
from seawall.model import sbom_fields as f
from seawall.model.image import Image
from seawall.model.package import Inventory, Package
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
from seawall.report.sbom.native import (
    distro_record,
    image_record,
    package_record,
    status_record,
)

NOASSERTION = "NOASSERTION"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
SUBJECT_ID = "SPDXRef-Subject"
OS_ID = "SPDXRef-OperatingSystem"
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9.-]+")
_PURL_SHAPE = re.compile(r"^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/\S+$")


def _sanitise(text: str) -> str:
    return _NOT_ID_CHARS.sub("-", text).strip("-") or "x"


class _Licences:
    """Turns the model's licence strings into SPDX expressions, collecting LicenseRef- ids."""

    def __init__(self) -> None:
        self._refs: dict[str, str] = {}
        self._taken: set[str] = set()

    def _ref(self, name: str) -> str:
        ref = self._refs.get(name)
        if ref is None:
            ref = f"LicenseRef-{_sanitise(name)[:64]}"
            if ref in self._taken:
                ref = f"{ref}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
            self._refs[name] = ref
            self._taken.add(ref)
        return ref

    def declared(self, licences: tuple[str, ...]) -> str:
        parts: list[str] = []
        for value in dict.fromkeys(licences):
            kind = licence_kind(value)
            if kind is LicenceKind.ID:
                parts.append(value)
            elif kind is LicenceKind.EXPRESSION:
                parts.append(f"({value})" if len(licences) > 1 else value)
            else:
                parts.append(self._ref(value))
        return " AND ".join(parts) if parts else NOASSERTION

    def extracted(self) -> list[dict[str, str]]:
        return [
            {"licenseId": ref, "name": name, "extractedText": name}
            for name, ref in self._refs.items()
        ]


def _annotation(tag: str, record: dict[str, Any], date: str) -> dict[str, str]:
    return {
        "annotationDate": date,
        "annotationType": "OTHER",
        "annotator": f"Tool: {f.TOOL_NAME}-{__version__}",
        "comment": f"{tag} {json.dumps(record, ensure_ascii=False, separators=(',', ':'))}",
    }


def _source_info(package: Package, image: Image | None) -> str:
    places: list[str] = []
    for location in package.locations:
        place = location.path
        if location.layer is not None:
            place += f" in layer {location.layer}"
            layer = layer_at(image, location.layer)
            if layer is not None and (layer.diff_id or layer.digest):
                place += f" ({layer.diff_id or layer.digest})"
        places.append(place)
    where = "; ".join(places) if places else "no recorded location"
    return f"found by seawall cataloger {package.cataloger} at: {where}"


def _checksums(package: Package) -> list[dict[str, str]]:
    return [
        {"algorithm": f.SPDX_CHECKSUM_ALGORITHMS[algorithm], "checksumValue": value}
        for algorithm, value in package.checksums
        if algorithm in f.SPDX_CHECKSUM_ALGORITHMS and f.is_hex_digest(algorithm, value)
    ]


def _package_ids(refs: list[str], packages: tuple[Package, ...]) -> list[str]:
    ids: list[str] = []
    seen: set[str] = set()
    for ref, package in zip(refs, packages, strict=True):
        digest = hashlib.sha256(ref.encode()).hexdigest()[:12]
        spdx_id = base = f"SPDXRef-Package-{_sanitise(package.name)[:80]}-{digest}"
        n = 1
        while spdx_id in seen:
            n += 1
            spdx_id = f"{base}-{n}"
        seen.add(spdx_id)
        ids.append(spdx_id)
    return ids


def _package(
    package: Package, spdx_id: str, image: Image | None, licences: _Licences, date: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SPDXID": spdx_id,
        "name": package.name,
        "versionInfo": package.version,
        "supplier": NOASSERTION,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": licences.declared(package.licenses),
        "copyrightText": NOASSERTION,
        "sourceInfo": _source_info(package, image),
        "primaryPackagePurpose": "LIBRARY",
        "annotations": [_annotation(f.ANNOTATION_PACKAGE, package_record(package), date)],
    }
    checksums = _checksums(package)
    if checksums:
        out["checksums"] = checksums
    if _PURL_SHAPE.match(package.purl):
        out["externalRefs"] = [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": package.purl,
            }
        ]
    return out


def _subject(image: Image | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SPDXID": SUBJECT_ID,
        "name": subject_name(image),
        "supplier": NOASSERTION,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "FILE" if image is None or is_directory(image) else "CONTAINER",
    }
    if image is not None and image.manifest_digest:
        out["versionInfo"] = image.manifest_digest
        algorithm, _, value = image.manifest_digest.partition(":")
        if algorithm in f.SPDX_CHECKSUM_ALGORITHMS and f.is_hex_digest(algorithm, value):
            out["checksums"] = [
                {"algorithm": f.SPDX_CHECKSUM_ALGORITHMS[algorithm], "checksumValue": value}
            ]
    return out


def sbom_to_spdx(
    inventory: Inventory, subject: Image | None, options: SbomOptions | None = None
) -> dict[str, Any]:
    """The SPDX 2.3 document as plain data."""
    options = options or SbomOptions()
    date = options.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ")
    name = subject_name(subject)
    licences = _Licences()
    refs = package_refs(inventory.packages)
    ids = _package_ids(refs, inventory.packages)
    packages = [_subject(subject)]
    relationships: list[dict[str, str]] = [
        {
            "spdxElementId": DOCUMENT_ID,
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": SUBJECT_ID,
        }
    ]
    distro = inventory.distro
    if distro is not None:
        os_package: dict[str, Any] = {
            "SPDXID": OS_ID,
            "name": distro.id,
            "supplier": NOASSERTION,
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": False,
            "licenseConcluded": NOASSERTION,
            "licenseDeclared": NOASSERTION,
            "copyrightText": NOASSERTION,
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        }
        if distro.version_id:
            os_package["versionInfo"] = distro.version_id
        if distro.pretty_name:
            os_package["description"] = distro.pretty_name
        packages.append(os_package)
        relationships.append(
            {
                "spdxElementId": SUBJECT_ID,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": OS_ID,
            }
        )
    for package, spdx_id in zip(inventory.packages, ids, strict=True):
        packages.append(_package(package, spdx_id, subject, licences, date))
        relationships.append(
            {
                "spdxElementId": SUBJECT_ID,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": spdx_id,
            }
        )
    id_of = dict(zip(refs, ids, strict=True))
    relationships.extend(
        {
            "spdxElementId": id_of[parent],
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": id_of[child],
        }
        for parent, child in relationship_pairs(inventory, refs)
    )
    id_of_purl: dict[str, str] = {}
    for package, spdx_id in zip(inventory.packages, ids, strict=True):
        id_of_purl.setdefault(package.purl, spdx_id)
    relationships.extend(
        {
            "spdxElementId": id_of_purl[package.owner],
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": spdx_id,
        }
        for package, spdx_id in zip(inventory.packages, ids, strict=True)
        if package.owner is not None and package.owner in id_of_purl
    )
    inventory_record = {
        "partial": inventory.partial,
        "distro": None if distro is None else distro_record(distro),
        "subject": None if subject is None else image_record(subject),
        "statuses": [status_record(status) for status in inventory.statuses],
    }
    document: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": name,
        "documentNamespace": (
            f"https://spdx.org/spdxdocs/seawall/{_sanitise(name)}-{options.uuid()}"
        ),
        "creationInfo": {
            "created": date,
            "creators": [f"Tool: {f.TOOL_NAME}-{__version__}"],
        },
        "annotations": [_annotation(f.ANNOTATION_INVENTORY, inventory_record, date)],
        "packages": packages,
        "relationships": relationships,
    }
    if inventory.partial:
        document["comment"] = "partial inventory: a cataloger recorded problems (see annotations)"
    extracted = licences.extracted()
    if extracted:
        document["hasExtractedLicensingInfos"] = extracted
    return document


def render_spdx(
    inventory: Inventory, subject: Image | None, options: SbomOptions | None = None
) -> str:
    """The inventory as an SPDX 2.3 JSON document."""
    return dumps_indented(sbom_to_spdx(inventory, subject, options))
