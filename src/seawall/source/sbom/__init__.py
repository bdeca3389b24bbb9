"""Reading SBOM documents as input: CycloneDX 1.4 to 1.6 JSON, SPDX 2.2/2.3 JSON, seawall JSON.

`read_sbom` turns a document back into an Inventory and, when the document
names one, the subject Image. Documents seawall wrote come back exactly as
written (for CycloneDX, relationships come back sorted by parent and child
purl: the format groups them by parent); documents from other tools are read
best effort, with what could not be used recorded as problems.
"""

from pathlib import Path

from seawall.limits import Limits
from seawall.model.image import Image
from seawall.model.package import Inventory
from seawall.source.sbom.load import SbomDocumentError, SbomFormat, detect, parse_json, read_bounded

__all__ = ["SbomDocumentError", "SbomFormat", "read_sbom"]


def read_sbom(path: Path, limits: Limits) -> tuple[Inventory, Image | None]:
    """The inventory an SBOM file describes, and its subject image if it names one.

    Raises SbomDocumentError (an InputError) for a file that is not a usable
    SBOM, LimitExceededError when it is over `limits.max_sbom_bytes`.
    """
    document = parse_json(path, read_bounded(path, limits))
    # Each reader is imported when a document of its format arrives, not with
    # this package: the layer cache imports `records` from here on every run.
    match detect(path, document):
        case SbomFormat.CYCLONEDX:
            from seawall.source.sbom.cyclonedx import read_cyclonedx

            return read_cyclonedx(path, document)
        case SbomFormat.SPDX:
            from seawall.source.sbom.spdx import read_spdx

            return read_spdx(path, document)
        case SbomFormat.NATIVE:
            from seawall.source.sbom.native import read_native

            return read_native(path, document)
