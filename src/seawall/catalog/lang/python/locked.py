"""Reading Python lockfiles: their packages, and the dependency edges between them."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from seawall.catalog.base import CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import load_toml
from seawall.catalog.lang.python.names import normalize, pypi_package
from seawall.catalog.purls import PurlError


@dataclass(frozen=True, slots=True)
class Locked:
    """One locked package and the names (optionally versions) of what it depends on."""

    name: str
    version: str
    dependencies: tuple[tuple[str, str | None], ...] = ()
    """(name, version); version None links every locked version of that name."""


def report(out: Collector, cataloger: str, file: CatalogFile, locked: Iterable[Locked]) -> None:
    """Add every locked package, then an edge to each locked package a dependency names."""
    where = (locate(file),)
    entries: list[tuple[Locked, str]] = []
    by_name: dict[str, list[tuple[str, str]]] = {}
    for entry in locked:
        try:
            package = pypi_package(entry.name, entry.version, cataloger, where)
        except PurlError as error:
            out.problem(file.path, str(error))
            continue
        out.add(package)
        entries.append((entry, package.purl))
        by_name.setdefault(normalize(entry.name), []).append((entry.version, package.purl))
    for entry, parent in entries:
        for name, version in entry.dependencies:
            for candidate_version, purl in by_name.get(normalize(name), ()):
                if version is None or version == candidate_version:
                    out.relate(parent, purl)


def catalog_toml_locks(
    files: Sequence[CatalogFile],
    cataloger: str,
    max_bytes: int,
    locked: Callable[[dict[str, Any], str, Collector], list[Locked]],
) -> CatalogResult:
    """Report what `locked(document, path, out)` finds in each TOML lockfile."""
    out = Collector()
    for file, document in out.documents(files, max_bytes, load_toml):
        report(out, cataloger, file, locked(document, file.path, out))
    return out.result()


def named_tables(
    document: dict[str, Any], path: str, out: Collector
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, table) of each `[[package]]` table; a problem for each that has no name."""
    for index, entry in enumerate(tables(document.get("package")), start=1):
        name = text(entry.get("name"))
        if name is None:
            out.problem(path, f"package entry {index} has no name")
            continue
        yield name, entry


def text(value: Any) -> str | None:
    """A non-empty string from an untrusted document, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def tables(value: Any) -> list[dict[str, Any]]:
    """The tables of an array of tables, ignoring anything that is not a table."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
