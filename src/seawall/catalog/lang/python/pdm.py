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
from seawall.catalog.lang.documents import DocumentError, load_toml
from seawall.catalog.lang.python.locked import Locked, report, tables, text

_MAX_BYTES = 32 * 1024 * 1024
# PEP 508 `identifier`: starts and ends with a letter or digit.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


class PdmLockCataloger:
    """Packages locked by PDM."""

    NAME: ClassVar[str] = "python/pdm-lock"
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/pdm.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        for file in files:
            if not out.read(file, self.MAX_FILE_BYTES):
                continue
            try:
                document = load_toml(file.content)
            except DocumentError as exc:
                out.problem(file.path, str(exc))
                continue
            report(out, self.NAME, file, _locked(document, file.path, out))
        return out.result()


def _locked(document: dict[str, Any], path: str, out: Collector) -> list[Locked]:
    locked: list[Locked] = []
    for index, entry in enumerate(tables(document.get("package")), start=1):
        name = text(entry.get("name"))
        if name is None:
            out.problem(path, f"package entry {index} has no name")
            continue
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
