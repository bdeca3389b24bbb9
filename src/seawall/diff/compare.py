"""`diff(old, new)`: findings by fingerprint, packages by identity, both grouped by layer.

Findings are the same finding when their fingerprints are equal (DESIGN.md
§4: derived from what a finding is, not when it was seen). Packages are the
same package when ecosystem, name (case-folded), architecture and evidence
path agree: that is a package "changed" when only its version moved (an
`apt-get upgrade`, a lockfile bump), and two copies of one library in two
virtual environments stay two packages.

Layers: introduced and unchanged findings and added or changed packages are
grouped under the new image's layer that carries them; fixed findings and
removed packages under the old image's layer. A layer whose diff_id the
other image also has is marked `in_both` (a shared base layer).
"""

from collections.abc import Iterable

from seawall.model.diff import (
    FindingRef,
    LayerChanges,
    PackageChange,
    PackageChangeKind,
    ScanDiff,
)
from seawall.model.image import Image
from seawall.model.package import Package
from seawall.model.policy import FindingKind
from seawall.model.scan import ScanResult

_PackageKey = tuple[str, str, str, str]


def _refs(result: ScanResult) -> dict[str, FindingRef]:
    refs: dict[str, FindingRef] = {}
    for v in result.vulnerabilities:
        refs[v.fingerprint] = FindingRef(
            FindingKind.VULNERABILITY,
            v.fingerprint,
            v.id,
            v.severity,
            f"{v.package.name} {v.package.version}",
            v.layer,
        )
    for s in result.secrets:
        where = s.location.path or s.location.field or s.location.source.value
        refs[s.fingerprint] = FindingRef(
            FindingKind.SECRET,
            s.fingerprint,
            s.rule_id,
            s.severity,
            f"{s.title} in {where}",
            s.location.layer,
        )
    for m in result.misconfigurations:
        refs[m.fingerprint] = FindingRef(
            FindingKind.MISCONFIGURATION, m.fingerprint, m.check_id, m.severity, m.title, m.layer
        )
    return refs


def _order(refs: Iterable[FindingRef]) -> tuple[FindingRef, ...]:
    return tuple(
        sorted(refs, key=lambda r: (-r.severity.rank, r.kind.value, r.id, r.title, r.fingerprint))
    )


def _key(package: Package) -> _PackageKey:
    evidence = package.locations[0].path if package.locations else ""
    return (package.ecosystem.value, package.name.casefold(), package.arch or "", evidence)


def _layer(package: Package) -> int | None:
    return package.locations[0].layer if package.locations else None


def _packages(old: ScanResult, new: ScanResult) -> list[PackageChange]:
    before: dict[_PackageKey, Package] = {}
    for package in old.inventory.packages:
        before.setdefault(_key(package), package)
    after: dict[_PackageKey, Package] = {}
    for package in new.inventory.packages:
        after.setdefault(_key(package), package)
    changes = []
    for key, package in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(
                PackageChange(
                    PackageChangeKind.ADDED,
                    package.name,
                    package.osv_ecosystem,
                    package.purl,
                    None,
                    package.version,
                    _layer(package),
                )
            )
        elif previous.version != package.version:
            changes.append(
                PackageChange(
                    PackageChangeKind.CHANGED,
                    package.name,
                    package.osv_ecosystem,
                    package.purl,
                    previous.version,
                    package.version,
                    _layer(package),
                )
            )
    for key, package in before.items():
        if key not in after:
            changes.append(
                PackageChange(
                    PackageChangeKind.REMOVED,
                    package.name,
                    package.osv_ecosystem,
                    package.purl,
                    package.version,
                    None,
                    _layer(package),
                )
            )
    changes.sort(key=lambda c: (c.kind.value, c.ecosystem, c.name.casefold(), c.purl))
    return changes


def _diff_ids(image: Image | None) -> set[str]:
    return {layer.diff_id for layer in image.layers if layer.diff_id} if image else set()


def _layers(
    old: ScanResult,
    new: ScanResult,
    introduced: tuple[FindingRef, ...],
    fixed: tuple[FindingRef, ...],
    packages: list[PackageChange],
) -> tuple[LayerChanges, ...]:
    groups: dict[tuple[str, int | None], dict[str, list[str]]] = {}

    def add(side: str, index: int | None, field: str, value: str) -> None:
        groups.setdefault((side, index), {}).setdefault(field, []).append(value)

    for ref in introduced:
        add("new", ref.layer, "introduced", ref.fingerprint)
    for ref in fixed:
        add("old", ref.layer, "fixed", ref.fingerprint)
    for change in packages:
        if change.kind is PackageChangeKind.ADDED:
            add("new", change.layer, "packages_added", f"{change.name} {change.new_version}")
        elif change.kind is PackageChangeKind.REMOVED:
            add("old", change.layer, "packages_removed", f"{change.name} {change.old_version}")
        else:
            add(
                "new",
                change.layer,
                "packages_changed",
                f"{change.name} {change.old_version} → {change.new_version}",
            )
    shared = {"new": _diff_ids(old.image), "old": _diff_ids(new.image)}
    images = {"new": new.image, "old": old.image}
    out = []
    for (side, index), fields in sorted(
        groups.items(), key=lambda item: (item[0][0] != "new", item[0][1] is None, item[0][1] or 0)
    ):
        image = images[side]
        layer = (
            image.layers[index]
            if image and index is not None and 0 <= index < len(image.layers)
            else None
        )
        diff_id = layer.diff_id if layer else None
        out.append(
            LayerChanges(
                side=side,
                index=index,
                diff_id=diff_id,
                created_by=layer.created_by if layer else None,
                in_both=diff_id is not None and diff_id in shared[side],
                introduced=tuple(fields.get("introduced", ())),
                fixed=tuple(fields.get("fixed", ())),
                packages_added=tuple(fields.get("packages_added", ())),
                packages_removed=tuple(fields.get("packages_removed", ())),
                packages_changed=tuple(fields.get("packages_changed", ())),
            )
        )
    return tuple(out)


def _subject(result: ScanResult) -> str:
    if result.image is None:
        return f"scan of {result.scanned_at}"
    return result.image.reference


def diff(old: ScanResult, new: ScanResult) -> ScanDiff:
    """What `new` introduced, fixed and kept compared with `old` (see the module docstring)."""
    before, after = _refs(old), _refs(new)
    introduced = _order(ref for fp, ref in after.items() if fp not in before)
    fixed = _order(ref for fp, ref in before.items() if fp not in after)
    unchanged = _order(ref for fp, ref in after.items() if fp in before)
    packages = _packages(old, new)
    return ScanDiff(
        old_subject=_subject(old),
        new_subject=_subject(new),
        introduced=introduced,
        fixed=fixed,
        unchanged=unchanged,
        packages=tuple(packages),
        layers=_layers(old, new, introduced, fixed, packages),
    )
