"""What changed between two scans: findings introduced, fixed and unchanged, packages
added, removed and changed, grouped by the layer that carries them (`seawall.diff`)."""

from dataclasses import dataclass
from enum import Enum

from seawall.model.finding import Severity
from seawall.model.policy import FindingKind


@dataclass(frozen=True, slots=True)
class FindingRef:
    """A finding in a diff, with enough to name it without the scan it came from."""

    kind: FindingKind
    fingerprint: str
    id: str
    severity: Severity
    title: str
    """`nginx 1.22.1-9+deb12u9` for a vulnerability, the rule's or check's title otherwise."""
    layer: int | None
    """In the new image for introduced and unchanged findings, in the old one for fixed ones."""


class PackageChangeKind(Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class PackageChange:
    kind: PackageChangeKind
    name: str
    ecosystem: str
    purl: str
    """The new purl (the old one for a removed package)."""
    old_version: str | None
    new_version: str | None
    layer: int | None
    """In the new image, or the old one for a removed package."""


@dataclass(frozen=True, slots=True)
class LayerChanges:
    """What one layer brought (in the new image) or took away (a layer of the old image)."""

    side: str
    """`new` or `old`: which image's layer `index` counts in."""
    index: int | None
    """None groups what no layer is known for."""
    diff_id: str | None
    created_by: str | None
    in_both: bool
    """The other image has a layer with the same diff_id (a shared base layer)."""
    introduced: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    packages_added: tuple[str, ...] = ()
    packages_removed: tuple[str, ...] = ()
    packages_changed: tuple[str, ...] = ()
    """`name old → new`."""


@dataclass(frozen=True, slots=True)
class ScanDiff:
    old_subject: str
    new_subject: str
    introduced: tuple[FindingRef, ...]
    fixed: tuple[FindingRef, ...]
    unchanged: tuple[FindingRef, ...]
    packages: tuple[PackageChange, ...]
    layers: tuple[LayerChanges, ...]

    @property
    def improved(self) -> bool:
        """True when the change fixed something and introduced nothing."""
        return bool(self.fixed) and not self.introduced
