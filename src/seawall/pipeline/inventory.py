"""Assemble the inventory from reduced layers: squash, detect the distro, run the catalogers.

The reduced layers are walked with the same squashing rules as the image
itself, so a file deleted or replaced by a later layer is not cataloged. Each
package's location names the layer that introduced it: the lowest layer of an
unbroken run of versions of its evidence file (each one overwriting the one
below) that all list the package, the way a `docker history` reader would say
which build step installed it.

The same package found by several catalogers (its installed metadata and the
lockfile or requirements file that asked for it) is one package: see
`_merge_duplicates`. A language package whose files a distribution package
installed names that package as its `owner`: see `_with_owners`.
"""

import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TypeVar

from seawall.catalog.base import CatalogContext, Cataloger, CatalogFile, CatalogResult
from seawall.catalog.os.release import detect_distro
from seawall.errors import InputError
from seawall.fs import FileTree, ImageWalk
from seawall.limits import Limits
from seawall.model.files import FileKind, Problem
from seawall.model.image import Layer, LayerOpener, Platform
from seawall.model.names import normalize_name
from seawall.model.package import (
    DISTRO_ECOSYSTEMS,
    CatalogerStatus,
    Inventory,
    Location,
    Package,
    Relationship,
)
from seawall.pipeline.reduce import FileFindings, ReducedLayer, Wants

if TYPE_CHECKING:
    from seawall.versions import VersionKey

_T = TypeVar("_T")
_REDUCED_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar"
FILES_STATUS = "files"
"""Status name under which problems reading the image's files are reported."""


# Named tuples, not dataclasses, for these two private records: a dataclass
# costs ~1 ms to create at import, which every cold run paid.


class _Version(NamedTuple):
    """One layer's version of a path in the reduced layers."""

    layer: int
    content: bytes
    hidden_by: int | None


class _Merged(NamedTuple):
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
    platform: Platform | None = None,
) -> Inventory:
    """The inventory of reduced layers given bottom first; `layered` False for a directory.

    `fallback` fetches a file no cataloger wanted but one asked for by path
    (a requirements file's `-r other.txt`); only directories can offer it.
    `platform` is the image's: catalogers drop what a package manager would
    not have installed on it (npm's optional packages for other platforms).
    A directory passes None: a source tree may be installed on any platform.
    """
    merged = _squash(reduced, wants, limits, layered=layered)
    lookup = _lookup(merged, fallback)
    distro = detect_distro(lookup)
    context = CatalogContext(distro=distro, lookup=lookup, platform=platform)
    introduced = _Introduced(merged, reduced, context, layered=layered)

    packages: list[Package] = []
    relationships: set[Relationship] = set()
    statuses: list[CatalogerStatus] = []
    skipped: dict[str, list[str]] = defaultdict(list)
    for layer in reduced:
        for name, message in layer.skipped:
            skipped[name].append(message)

    owned: dict[str, str] = {}
    files_of = _files_by_reader(wants, merged, lookup)
    for cataloger in wants.content:
        files = files_of.get(cataloger.NAME, [])
        result = cataloger.catalog(files, context) if files else CatalogResult()
        packages.extend(introduced.adjust(cataloger, p) for p in result.packages)
        relationships.update(result.relationships)
        for path, owner in result.owned:
            owned.setdefault(path, owner)
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
    kept, renamed = _merge_duplicates(packages)
    if owned:
        kept = _with_owners(kept, owned, merged.tree)
    edges = {
        Relationship(renamed.get(r.parent, r.parent), renamed.get(r.child, r.child))
        for r in relationships
    }
    return Inventory(
        packages=tuple(kept),
        distro=distro,
        relationships=tuple(
            sorted((r for r in edges if r.parent != r.child), key=lambda r: (r.parent, r.child))
        ),
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
            if entry.visible and wants.cataloged(info.path):
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


def _files_by_reader(wants: Wants, merged: _Merged, lookup: Lookup) -> dict[str, list[CatalogFile]]:
    """The files each reader wants, by NAME, sorted by path; one index look-up per path."""
    found: dict[str, list[CatalogFile]] = defaultdict(list)
    for path, file in merged.visible.items():
        for reader in wants.content_cap(path)[1]:
            found[reader.NAME].append(file)
    for link in merged.links:
        readers = wants.content_cap(link)[1]
        if readers and (target := lookup(link)) is not None:
            for reader in readers:
                found[reader.NAME].append(target)
    for files in found.values():
        files.sort(key=lambda file: file.path)
    return found


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


# Catalogers that read what was installed (a distribution's metadata, a
# node_modules package.json, a gemspec, a jar's pom.properties, a binary's
# build info), as opposed to a lockfile or manifest saying what should be.
_INSTALLED_EVIDENCE = frozenset(
    {
        "python/installed",
        "python/conda-meta",
        "javascript/node-modules",
        "go/binary",
        "java/archive",
        "rust/auditable",
        "ruby/gemspec",
        "php/installed-json",
        "dotnet/deps-json",
    }
)


def _merge_duplicates(packages: Sequence[Package]) -> tuple[list[Package], dict[str, str]]:
    """One package per identity, and the purls merged away (old purl -> kept purl).

    A language package's identity is its OSV ecosystem, its name as the
    ecosystem compares names, and its version up to the ecosystem's
    comparator (PyPI's `3.2` is `3.2.0`); a version the comparator rejects
    (Go's `(devel)`) is compared as written. The kept package takes its
    name, version, purl and cataloger from installed evidence when there is
    some (a dist-info beats the requirements file that pinned it), else from
    the first cataloger in registry order; it keeps every location, licence
    and checksum. Distribution packages merge only with the same cataloger
    and purl (dpkg's `libc6` for two architectures is two packages), and
    never with language packages.
    """
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, package in enumerate(packages):
        if package.ecosystem in DISTRO_ECOSYSTEMS:
            groups[("distro", package.cataloger, package.purl)].append(index)
        else:
            name = normalize_name(package.ecosystem.value, package.name)
            groups[(package.osv_ecosystem, name)].append(index)
    clusters: list[list[int]] = []
    for (kind, *_), indices in groups.items():
        clusters.extend([indices] if kind == "distro" else _same_versions(packages, indices))
    clusters.sort(key=lambda cluster: cluster[0])

    kept: list[Package] = []
    renamed: dict[str, str] = {}
    for cluster in clusters:
        members = [packages[index] for index in cluster]
        first = min(members, key=lambda p: p.cataloger not in _INSTALLED_EVIDENCE)
        others = [p for p in members if p is not first]
        kept.append(
            replace(
                first,
                locations=_unique([loc for p in (first, *others) for loc in p.locations]),
                licenses=_unique([lic for p in (first, *others) for lic in p.licenses]),
                checksums=_unique([c for p in (first, *others) for c in p.checksums]),
            )
        )
        renamed.update((p.purl, first.purl) for p in others if p.purl != first.purl)
    return kept, renamed


def _with_owners(packages: list[Package], owned: dict[str, str], tree: FileTree) -> list[Package]:
    """Language packages with the purl of the distribution package that installed them.

    `owned` maps a path to the purl of the installed distribution package
    whose file list names it (only packages of the visible package database
    own anything). A language package is owned when every one of its
    locations is: Debian's `requests` egg-info is, but once merged with a pip
    install of the same version elsewhere it is not, since that copy is
    PyPI's and PyPI's advisories apply to it. The owner is that of the first
    location. Paths are compared as listed and, when that fails, with
    symlinks resolved (a merged-/usr image lists `/bin/x` for `/usr/bin/x`);
    a listed path whose own last component is a link is not followed.
    """
    by_name: dict[str, list[str]] | None = None
    resolved: dict[str, str | None] = {}

    def owner_of(path: str) -> str | None:
        nonlocal by_name
        owner = owned.get(path)
        if owner is not None:
            return owner
        real = tree.resolve_path(path)
        if real is None:
            return None
        if by_name is None:
            # Built once, and only when some location is not listed as it is. A
            # listed path resolving to `real` ends in its name (directories, not
            # the file, are what merged-/usr links), so only those are resolved:
            # an rpm database lists every file, tens of thousands of them.
            by_name = {}
            for listed in owned:
                by_name.setdefault(listed[listed.rfind("/") + 1 :], []).append(listed)
        for listed in by_name.get(real[real.rfind("/") + 1 :], ()):
            if listed not in resolved:
                resolved[listed] = tree.resolve_path(listed)
            if resolved[listed] == real:
                return owned[listed]
        return None

    result: list[Package] = []
    for package in packages:
        if package.ecosystem not in DISTRO_ECOSYSTEMS and package.locations:
            owners = [owner_of(location.path) for location in package.locations]
            if all(owners):
                package = replace(package, owner=owners[0])
        result.append(package)
    return result


def _same_versions(packages: Sequence[Package], indices: list[int]) -> list[list[int]]:
    """`indices` (one ecosystem and name) split into runs of equal versions, in input order."""
    if len(indices) == 1:
        return [indices]
    # Imported here: an image without two copies of a language package never
    # compares versions, and the version schemes cost ~10 ms to import.
    from seawall.versions import key as version_key

    ecosystem = packages[indices[0]].ecosystem
    parsed: list[tuple[VersionKey, int]] = []
    verbatim: dict[str, list[int]] = defaultdict(list)
    for index in indices:
        version = packages[index].version
        try:
            parsed.append((version_key(ecosystem, version), index))
        except InputError:
            verbatim[version].append(index)
    # A stable sort puts equal versions next to each other, in input order:
    # O(n log n) however many versions of one name a hostile lockfile lists.
    parsed.sort(key=lambda pair: pair[0])
    runs: list[list[int]] = list(verbatim.values())
    for position, (parsed_key, index) in enumerate(parsed):
        if position and not parsed[position - 1][0] < parsed_key:
            runs[-1].append(index)
        else:
            runs.append([index])
    return [sorted(run) for run in runs]


def _unique(items: Sequence[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))
