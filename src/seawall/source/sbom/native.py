"""Reading seawall's native SBOM JSON (`seawall.sbom/v1`) back into the model.

The document is seawall's own, so anything not of the shape the schema
describes is refused as a whole rather than read in part.
"""

from pathlib import Path
from typing import Any

from seawall.model.image import Image
from seawall.model.package import Inventory, Relationship
from seawall.source.sbom.load import SbomDocumentError
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


def _list(path: Path, document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise SbomDocumentError(path, f"{key} is a {type(value).__name__}, not a list")
    return value


def read_native(path: Path, document: dict[str, Any]) -> tuple[Inventory, Image | None]:
    try:
        packages = tuple(
            to_package(validate(PackageRecord, item, f"packages[{i}]"), f"packages[{i}]")
            for i, item in enumerate(_list(path, document, "packages"))
        )
        relationships = []
        for i, item in enumerate(_list(path, document, "relationships")):
            if not (
                isinstance(item, dict)
                and isinstance(item.get("parent"), str)
                and isinstance(item.get("child"), str)
            ):
                raise RecordError(f"relationships[{i}]: needs string parent and child")
            relationships.append(Relationship(item["parent"], item["child"]))
        statuses = tuple(
            to_status(validate(StatusRecord, item, f"statuses[{i}]"))
            for i, item in enumerate(_list(path, document, "statuses"))
        )
        raw_distro = document.get("distro")
        distro = (
            None if raw_distro is None else to_distro(validate(DistroRecord, raw_distro, "distro"))
        )
        raw_subject = document.get("subject")
        image = (
            None
            if raw_subject is None
            else to_image(validate(ImageRecord, raw_subject, "subject"), "subject")
        )
    except RecordError as error:
        raise SbomDocumentError(path, str(error)) from None
    inventory = Inventory(
        packages=packages, distro=distro, relationships=tuple(relationships), statuses=statuses
    )
    return inventory, image
