"""The contract every cataloger fulfils."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from seawall.model.image import Platform
from seawall.model.package import Distro, Package, Relationship


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """A file a cataloger asked for: its path in the view, its bytes, the layer that wrote it."""

    path: str
    content: bytes
    layer: int | None = None


@dataclass(frozen=True, slots=True)
class CatalogContext:
    """What a cataloger may know besides its own files."""

    distro: Distro | None = None
    lookup: Callable[[str], CatalogFile | None] = field(default=lambda _path: None)
    """Fetch another wanted file by absolute path (e.g. a `-r` include of a requirements file)."""
    platform: Platform | None = None
    """The image's platform (`linux/amd64`); None when unknown, as for a directory, whose
    files may be installed anywhere: catalogers then keep what any platform would install."""


@dataclass(frozen=True, slots=True)
class CatalogResult:
    """What a cataloger found, and the problems it recorded instead of raising."""

    packages: tuple[Package, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    problems: tuple[str, ...] = ()
    files_read: int = 0
    owned: tuple[tuple[str, str], ...] = ()
    """(path, purl of the package that installed it), from a distribution package
    manager's file lists: how the pipeline tells that a language package's metadata
    (a dist-info, a package.json) belongs to a distribution package."""


class Cataloger(Protocol):
    """A named, versioned plugin that finds packages in the files it wants.

    Bump VERSION whenever the output for the same input changes: cached
    per-layer results carry it (DESIGN.md §2).
    """

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    MAX_FILE_BYTES: ClassVar[int]
    """Files larger than this are not handed to the cataloger (recorded as skipped)."""

    def wants(self, path: str) -> bool:
        """Cheap predicate on an absolute path: should this file be collected for me?"""
        ...

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        """Parse the wanted files; a malformed file is a problem in the result, not an exception."""
        ...
