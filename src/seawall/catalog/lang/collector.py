"""Accumulating one cataloger's packages, relationships and problems into a CatalogResult.

The same package (same purl) found in several files, or twice in one file,
becomes one package with every location and licence it was seen with.
Relationships are kept only between packages the cataloger reported, once
each; problems are kept once each, in the order first recorded.
`Collector.documents` is the read loop every document cataloger shares: the
size limit, decoding, and a problem for each file that does not decode.

`gather` is the plainer accumulation of the catalogers that report every
occurrence as found: each file's findings in file order, nothing merged.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from seawall.catalog.base import CatalogFile, CatalogResult
from seawall.catalog.lang.documents import DocumentError
from seawall.model.package import Location, Package, Relationship

_Document = TypeVar("_Document")

Findings = tuple[Sequence[Package], Sequence[Relationship], Sequence[str]]
"""What one file held: packages, relationships, and problems (not yet naming the file)."""


def locate(file: CatalogFile) -> Location:
    """The location of evidence found in `file`."""
    return Location(path=file.path, layer=file.layer)


class Collector:
    """Build one CatalogResult, merging duplicates by purl."""

    def __init__(self) -> None:
        self._packages: dict[str, Package] = {}
        self._relationships: dict[Relationship, None] = {}
        # dict as an ordered set: one include cycle seen from two roots is one problem
        self._problems: dict[str, None] = {}
        self._files_read = 0

    def read(self, file: CatalogFile, max_bytes: int) -> bool:
        """Count a file as read; False (with a problem) when it is over the size limit.

        The pipeline does not hand over files over MAX_FILE_BYTES; this guards
        callers that do, and files fetched with `context.lookup`.
        """
        if len(file.content) > max_bytes:
            self.problem(file.path, f"{len(file.content)} bytes, over the {max_bytes}-byte limit")
            return False
        self._files_read += 1
        return True

    def documents(
        self,
        files: Sequence[CatalogFile],
        max_bytes: int,
        load: Callable[[bytes], _Document],
    ) -> Iterator[tuple[CatalogFile, _Document]]:
        """Each file within `max_bytes` that `load` decodes, with its decoded document.

        A file over the limit, or one `load` rejects with a DocumentError, is
        recorded as a problem on that file and passed over.
        """
        for file in files:
            if not self.read(file, max_bytes):
                continue
            try:
                document = load(file.content)
            except DocumentError as exc:
                self.problem(file.path, str(exc))
                continue
            yield file, document

    def add(self, package: Package) -> None:
        known = self._packages.get(package.purl)
        if known is None:
            self._packages[package.purl] = package
            return
        locations = known.locations + tuple(
            loc for loc in package.locations if loc not in known.locations
        )
        licenses = known.licenses + tuple(
            lic for lic in package.licenses if lic not in known.licenses
        )
        self._packages[package.purl] = replace(known, locations=locations, licenses=licenses)

    def relate(self, parent: str, child: str) -> None:
        if parent != child:
            self._relationships[Relationship(parent=parent, child=child)] = None

    def problem(self, path: str, message: str) -> None:
        self._problems[f"{path}: {message}"] = None

    def has(self, purl: str) -> bool:
        return purl in self._packages

    def result(self) -> CatalogResult:
        packages = sorted(self._packages.values(), key=lambda p: (p.name, p.version, p.purl))
        relationships = sorted(
            (
                rel
                for rel in self._relationships
                if rel.parent in self._packages and rel.child in self._packages
            ),
            key=lambda r: (r.parent, r.child),
        )
        return CatalogResult(
            packages=tuple(packages),
            relationships=tuple(relationships),
            problems=tuple(self._problems),
            files_read=self._files_read,
        )


def gather(files: Sequence[CatalogFile], find: Callable[[CatalogFile], Findings]) -> CatalogResult:
    """Every file's findings, concatenated in file order; each problem is prefixed by its path."""
    packages: list[Package] = []
    relationships: list[Relationship] = []
    problems: list[str] = []
    for file in files:
        found, edges, errors = find(file)
        packages.extend(found)
        relationships.extend(edges)
        problems.extend(f"{file.path}: {error}" for error in errors)
    return CatalogResult(
        packages=tuple(packages),
        relationships=tuple(relationships),
        problems=tuple(problems),
        files_read=len(files),
    )
