"""uv.lock: `[[package]]` entries and their `dependencies`.

Entries whose `source` is `editable` or `virtual` are the project and its
workspace members, not dependencies, and are not reported (nor are entries
without a version, e.g. dynamic-version path packages). A dependency is
`{name = …}`, with `version`/`source` only when several versions of the
name are locked. Edges come from `dependencies`, `optional-dependencies` and
`dev-dependencies`.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector
from seawall.catalog.lang.python.locked import (
    Locked,
    catalog_toml_locks,
    named_tables,
    tables,
    text,
)

_MAX_BYTES = 32 * 1024 * 1024
_PROJECT_SOURCES = frozenset({"editable", "virtual"})


class UvLockCataloger:
    """Packages locked by uv."""

    NAME: ClassVar[str] = "python/uv-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/uv.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return catalog_toml_locks(files, self.NAME, self.MAX_FILE_BYTES, _locked)


def _locked(document: dict[str, Any], path: str, out: Collector) -> list[Locked]:
    locked: list[Locked] = []
    for name, entry in named_tables(document, path, out):
        source = entry.get("source")
        if isinstance(source, dict) and _PROJECT_SOURCES.intersection(source):
            continue
        version = text(entry.get("version"))
        if version is None:
            continue
        dependencies = list(tables(entry.get("dependencies")))
        for group_key in ("optional-dependencies", "dev-dependencies"):
            groups = entry.get(group_key)
            if isinstance(groups, dict):
                for group in groups.values():
                    dependencies.extend(tables(group))
        edges = tuple(
            (dep_name, text(dep.get("version")))
            for dep in dependencies
            if (dep_name := text(dep.get("name"))) is not None
        )
        locked.append(Locked(name, version, edges))
    return locked
