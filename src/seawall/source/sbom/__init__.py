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
from seawall.source.sbom.cyclonedx import read_cyclonedx
from seawall.source.sbom.load import SbomDocumentError, SbomFormat, detect, parse_json, read_bounded
from seawall.source.sbom.native import read_native
from seawall.source.sbom.spdx import read_spdx

__all__ = ["SbomDocumentError", "SbomFormat", "read_sbom"]

_READERS = {
    SbomFormat.CYCLONEDX: read_cyclonedx,
    SbomFormat.SPDX: read_spdx,
    SbomFormat.NATIVE: read_native,
}


def read_sbom(path: Path, limits: Limits) -> tuple[Inventory, Image | None]:
    """The inventory an SBOM file describes, and its subject image if it names one.

    Raises SbomDocumentError (an InputError) for a file that is not a usable
    SBOM, LimitExceededError when it is over `limits.max_sbom_bytes`.
    """
    document = parse_json(path, read_bounded(path, limits))
    return _READERS[detect(path, document)](path, document)
