"""Assemble the inventory from reduced layers: squash, detect the distro, run the catalogers.

The reduced layers are walked with the same squashing rules as the image
itself, so a file deleted or replaced by a later layer is not cataloged. Each
package's location names the layer that introduced it: the lowest layer of an
unbroken run of versions of its evidence file (each one overwriting the one
below) that all list the package, the way a `docker history` reader would say
which build step installed it.
"""

import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import BinaryIO, TypeVar

from seawall.catalog.base import CatalogContext, Cataloger, CatalogFile, CatalogResult
from seawall.catalog.os.release import detect_distro
from seawall.fs import FileTree, ImageWalk
from seawall.limits import Limits
from seawall.model.files import FileKind, Problem
from seawall.model.image import Layer, LayerOpener
from seawall.model.package import (
    CatalogerStatus,
    Inventory,
    Location,
    Package,
    Relationship,
)
from seawall.pipeline.reduce import FileFindings, ReducedLayer, Wants

_T = TypeVar("_T")
_REDUCED_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar"
FILES_STATUS = "files"
"""Status name under which problems reading the image's files are reported."""


@dataclass(frozen=True, slots=True)
class _Version:
    layer: int
    content: bytes
    hidden_by: int | None


@dataclass
class _Merged:
    """The reduced layers squashed: visible files, every version of each path, the tree."""

    visible: dict[str, CatalogFile]
    versions: dict[str, list[_Version]]
    tree: FileTree
    links: list[str]
    problems: list[Problem]


Lookup = Callable[[str], CatalogFile | None]


def build_inventory(
    reduced: Sequence[ReducedLayer],
    wants: Wants,
    limits: Limits,
    *,
    layered: bool,
    fallback: Lookup | None = None,
) -> Inventory:
    """The inventory of reduced layers given bottom first; `layered` False for a directory.

    `fallback` fetches a file no cataloger wanted but one asked for by path
    (a requirements file's `-r other.txt`); only directories can offer it.
    """
    merged = _squash(reduced, wants, limits, layered=layered)
    lookup = _lookup(merged, fallback)
    distro = detect_distro(lookup)
    context = CatalogContext(distro=distro, lookup=lookup)
    introduced = _Introduced(merged, reduced, context, layered=layered)

    packages: list[Package] = []
    relationships: set[Relationship] = set()
    statuses: list[CatalogerStatus] = []
    skipped: dict[str, list[str]] = defaultdict(list)
    for layer in reduced:
        for name, message in layer.skipped:
            skipped[name].append(message)

    for cataloger in wants.content:
        files = _files_for(cataloger, merged, lookup)
        result = cataloger.catalog(files, context) if files else CatalogResult()
        packages.extend(introduced.adjust(cataloger, p) for p in result.packages)
        relationships.update(result.relationships)
        statuses.append(
            CatalogerStatus(
                cataloger.NAME,
                cataloger.VERSION,
                files_read=result.files_read or len(files),
                problems=(*result.problems, *skipped[cataloger.NAME]),
            )
        )
    for cataloger in wants.file_local:
        findings = _visible_findings(cataloger.NAME, merged, reduced, layered=layered)
        for found in findings:
            packages.extend(introduced.adjust(cataloger, p) for p in found.packages)
            relationships.update(found.relationships)
        statuses.append(
            CatalogerStatus(
                cataloger.NAME,
                cataloger.VERSION,
                files_read=len(findings),
                problems=(
                    *(problem for found in findings for problem in found.problems),
                    *skipped[cataloger.NAME],
                ),
            )
        )
    file_problems = [
        *(problem for layer in reduced for problem in layer.problems),
        *merged.problems,
    ]
    statuses.append(CatalogerStatus(FILES_STATUS, 1, problems=tuple(str(p) for p in file_problems)))
    return Inventory(
        packages=tuple(_merge_duplicates(packages)),
        distro=distro,
        relationships=tuple(sorted(relationships, key=lambda r: (r.parent, r.child))),
        statuses=tuple(statuses),
    )


def _squash(
    reduced: Sequence[ReducedLayer], wants: Wants, limits: Limits, *, layered: bool
) -> _Merged:
    pairs = [
        (Layer(index, _REDUCED_MEDIA_TYPE, None, None, len(layer.tar)), _opener(layer.tar))
        for index, layer in enumerate(reduced)
    ]
    walk = ImageWalk(pairs, limits)
    visible: dict[str, CatalogFile] = {}
    versions: dict[str, list[_Version]] = defaultdict(list)
    links: list[str] = []
    for entry in walk:
        info = entry.info
        if info.kind is FileKind.SYMLINK:
            if entry.visible and any(c.wants(info.path) for c in wants.content):
                links.append(info.path)
            continue
        if info.kind is not FileKind.REGULAR or not entry.readable:
            continue
        with entry.open() as reader:
            content = reader.read()
        layer = info.layer if layered else None
        if entry.visible:
            visible[info.path] = CatalogFile(info.path, content, layer)
        if layered and info.layer is not None:
            versions[info.path].append(_Version(info.layer, content, entry.hidden_by))
    return _Merged(visible, dict(versions), walk.tree, links, walk.problems)


def _opener(tar: bytes) -> LayerOpener:
    @contextmanager
    def open_reduced() -> Iterator[BinaryIO]:
        yield io.BytesIO(tar)

    return open_reduced


def _lookup(merged: _Merged, fallback: Lookup | None) -> Lookup:
    """Fetch a visible file by path, following symlinks inside the root."""

    def lookup(path: str) -> CatalogFile | None:
        found = merged.visible.get(path)
        if found is not None:
            return found
        resolved = merged.tree.resolve_path(path)
        target = merged.visible.get(resolved) if resolved and resolved != path else None
        if target is not None:
            return CatalogFile(path, target.content, target.layer)
        return fallback(path) if fallback is not None else None

    return lookup


def _files_for(cataloger: Cataloger, merged: _Merged, lookup: Lookup) -> list[CatalogFile]:
    files = [file for path, file in merged.visible.items() if cataloger.wants(path)]
    for link in merged.links:
        if cataloger.wants(link) and (file := lookup(link)) is not None:
            files.append(file)
    files.sort(key=lambda file: file.path)
    return files


def _visible_findings(
    name: str, merged: _Merged, reduced: Sequence[ReducedLayer], *, layered: bool
) -> list[FileFindings]:
    """File-local findings whose file is the visible version of its path."""
    kept: list[FileFindings] = []
    for index, layer in enumerate(reduced):
        for found in layer.findings:
            if found.cataloger != name:
                continue
            visible = merged.visible.get(found.path)
            if visible is not None and visible.layer == (index if layered else None):
                kept.append(found)
    return kept


class _Introduced:
    """Finds the layer that introduced a package by reading older versions of its evidence."""

    def __init__(
        self,
        merged: _Merged,
        reduced: Sequence[ReducedLayer],
        context: CatalogContext,
        *,
        layered: bool,
    ) -> None:
        self._merged = merged
        self._reduced = reduced
        self._context = context
        self._layered = layered
        self._present: dict[tuple[str, str, int], frozenset[str]] = {}

    def adjust(self, cataloger: Cataloger, package: Package) -> Package:
        if not self._layered:
            return package
        locations = tuple(self._location(cataloger, package, loc) for loc in package.locations)
        return replace(package, locations=locations)

    def _location(self, cataloger: Cataloger, package: Package, location: Location) -> Location:
        chain = self._merged.versions.get(location.path)
        if not chain or len(chain) < 2 or location.layer is None:
            return location
        by_layer = {version.layer: version for version in chain}
        introduced = location.layer
        current = by_layer.get(location.layer)
        while current is not None:
            below = max(
                (v for v in chain if v.layer < current.layer and v.hidden_by == current.layer),
                key=lambda v: v.layer,
                default=None,
            )
            if below is None or package.purl not in self._purls(cataloger, location.path, below):
                break
            introduced = below.layer
            current = below
        return Location(location.path, introduced)

    def _purls(self, cataloger: Cataloger, path: str, version: _Version) -> frozenset[str]:
        key = (cataloger.NAME, path, version.layer)
        if key not in self._present:
            self._present[key] = frozenset(self._catalog_version(cataloger, path, version))
        return self._present[key]

    def _catalog_version(self, cataloger: Cataloger, path: str, version: _Version) -> set[str]:
        findings = [
            found
            for found in self._reduced[version.layer].findings
            if found.cataloger == cataloger.NAME and found.path == path
        ]
        if findings:
            return {p.purl for found in findings for p in found.packages}
        file = CatalogFile(path, version.content, version.layer)
        result = cataloger.catalog([file], self._context)
        return {p.purl for p in result.packages}


def _merge_duplicates(packages: Sequence[Package]) -> list[Package]:
    """One package per (cataloger, purl): the same package found in several files."""
    merged: dict[tuple[str, str], Package] = {}
    for package in packages:
        key = (package.cataloger, package.purl)
        seen = merged.get(key)
        if seen is None:
            merged[key] = package
            continue
        merged[key] = replace(
            seen,
            locations=_unique((*seen.locations, *package.locations)),
            licenses=_unique((*seen.licenses, *package.licenses)),
            checksums=_unique((*seen.checksums, *package.checksums)),
        )
    return list(merged.values())


def _unique(items: Sequence[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))
