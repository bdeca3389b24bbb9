"""What every SBOM writer shares: options, stable package references, layer lookups."""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from seawall.model.image import Image, Layer, SourceKind
from seawall.model.package import Inventory, Package


@dataclass(frozen=True, slots=True)
class SbomOptions:
    """How to render one SBOM document.

    Both fields default to what a real run wants (now, a fresh random id);
    tests and reproducible builds pin them.
    """

    created: datetime | None = None
    """Creation time written into the document; None means now (UTC)."""
    document_id: uuid.UUID | None = None
    """CycloneDX serialNumber and the uuid in the SPDX namespace; None means a random uuid4."""

    def timestamp(self) -> datetime:
        created = self.created or datetime.now(UTC)
        return created.astimezone(UTC).replace(microsecond=0)

    def uuid(self) -> uuid.UUID:
        return self.document_id or uuid.uuid4()


def package_refs(packages: Sequence[Package]) -> list[str]:
    """One reference per package, unique in the document and stable across runs.

    The purl when no other package has it; otherwise the purl plus a digest of
    everything the package holds, so the same package gets the same reference
    in every scan. Exact duplicates get a counter.
    """
    counts: dict[str, int] = {}
    for package in packages:
        counts[package.purl] = counts.get(package.purl, 0) + 1
    refs: list[str] = []
    seen: set[str] = set()
    for package in packages:
        ref = package.purl
        if counts[package.purl] > 1:
            digest = hashlib.sha256(repr(package).encode()).hexdigest()[:16]
            ref = f"{package.purl}#{digest}"
        base, n = ref, 1
        while ref in seen:
            n += 1
            ref = f"{base}-{n}"
        seen.add(ref)
        refs.append(ref)
    return refs


def layer_at(image: Image | None, index: int | None) -> Layer | None:
    """The layer at `index` of the subject image, when the image has it."""
    if image is None or index is None or not 0 <= index < len(image.layers):
        return None
    layer = image.layers[index]
    return layer if layer.index == index else None


def subject_name(image: Image | None) -> str:
    """What the document is about, for humans: the image reference, or `unknown`."""
    return image.reference if image is not None and image.reference else "unknown"


def is_directory(image: Image | None) -> bool:
    return image is not None and image.source_kind is SourceKind.DIRECTORY


def relationship_pairs(inventory: Inventory, refs: Sequence[str]) -> list[tuple[str, str]]:
    """Relationships as (parent ref, child ref), for those whose both ends are packages.

    A purl shared by several packages resolves to the first of them, which is
    the one readers map the purl back from.
    """
    by_purl: dict[str, str] = {}
    for package, ref in zip(inventory.packages, refs, strict=True):
        by_purl.setdefault(package.purl, ref)
    pairs: dict[tuple[str, str], None] = {}
    for relationship in inventory.relationships:
        parent = by_purl.get(relationship.parent)
        child = by_purl.get(relationship.child)
        if parent is not None and child is not None:
            pairs[(parent, child)] = None
    return list(pairs)
