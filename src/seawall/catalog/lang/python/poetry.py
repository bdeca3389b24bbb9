"""poetry.lock: every `[[package]]`, and `[package.dependencies]` as relationships.

Lock format 1.x keeps hashes in `[metadata.files]`, 2.x in each package's
`files`; neither matters here, and both list packages and dependencies the
same way. A dependency is a version string, a table, or (for per-marker
alternatives) an array of tables; only its name is needed. Packages of every
dependency group are reported (the lock does not say which groups an image
installed), as syft does. The project itself is not in the lock.
"""

from collections.abc import Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector
from seawall.catalog.lang.python.locked import Locked, catalog_toml_locks, tables, text

_MAX_BYTES = 32 * 1024 * 1024


class PoetryLockCataloger:
    """Packages locked by Poetry."""

    NAME: ClassVar[str] = "python/poetry-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/poetry.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return catalog_toml_locks(files, self.NAME, self.MAX_FILE_BYTES, _locked)


def _locked(document: dict[str, object], path: str, out: Collector) -> list[Locked]:
    locked: list[Locked] = []
    for index, entry in enumerate(tables(document.get("package")), start=1):
        name, version = text(entry.get("name")), text(entry.get("version"))
        if name is None or version is None:
            out.problem(path, f"package entry {index} has no name or version")
            continue
        dependencies = entry.get("dependencies")
        names = tuple(dependencies) if isinstance(dependencies, dict) else ()
        locked.append(Locked(name, version, tuple((dep, None) for dep in names)))
    return locked
