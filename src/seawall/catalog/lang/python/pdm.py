"""pdm.lock: `[[package]]` entries, with `dependencies` as PEP 508 strings.

pdm writes a second entry for a package locked with extras (same name and
version, plus `extras = […]`); both describe one release and are merged. An
entry without a version (a local path or editable project) is skipped. Only
the name of a dependency string is needed, so it is read as the leading
PEP 508 name rather than parsed in full.
"""

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector
from seawall.catalog.lang.python.locked import Locked, catalog_toml_locks, named_tables, text

_MAX_BYTES = 32 * 1024 * 1024
# PEP 508 `identifier`: starts and ends with a letter or digit.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


class PdmLockCataloger:
    """Packages locked by PDM."""

    NAME: ClassVar[str] = "python/pdm-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/pdm.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return catalog_toml_locks(files, self.NAME, self.MAX_FILE_BYTES, _locked)


def _locked(document: dict[str, Any], path: str, out: Collector) -> list[Locked]:
    locked: list[Locked] = []
    for name, entry in named_tables(document, path, out):
        version = text(entry.get("version"))
        if version is None:
            continue
        raw = entry.get("dependencies")
        names: list[tuple[str, str | None]] = []
        for requirement in raw if isinstance(raw, list) else ():
            match = _NAME.match(requirement) if isinstance(requirement, str) else None
            if match:
                names.append((match.group(1), None))
        locked.append(Locked(name, version, tuple(names)))
    return locked
