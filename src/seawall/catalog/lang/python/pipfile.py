"""Pipfile.lock (pipenv): the `default` and `develop` sections.

Each entry maps a name to `{"version": "==X", "hashes": […], "markers": …}`;
entries without a `==` version (VCS, editable or path installs) are not
releases and are skipped. Development packages are reported too: the lock
cannot say whether an image installed them (syft reports both sections).
The lock states no dependency edges.
"""

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import load_json_object
from seawall.catalog.lang.python.locked import text
from seawall.catalog.lang.python.names import pypi_package
from seawall.catalog.purls import PurlError

_MAX_BYTES = 16 * 1024 * 1024
_SECTIONS = ("default", "develop")


class PipfileLockCataloger:
    """Packages locked by pipenv."""

    NAME: ClassVar[str] = "python/pipfile-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/Pipfile.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        load = partial(load_json_object, kind="Pipfile.lock")
        for file, document in out.documents(files, self.MAX_FILE_BYTES, load):
            for section in _SECTIONS:
                entries = document.get(section)
                if not isinstance(entries, dict):
                    continue
                for name, entry in entries.items():
                    version = text(entry.get("version")) if isinstance(entry, dict) else None
                    if version is None or not version.startswith("=="):
                        continue
                    pinned = version.lstrip("=").strip()
                    if not pinned:
                        continue
                    try:
                        package = pypi_package(name, pinned, self.NAME, (locate(file),))
                    except PurlError as error:
                        out.problem(file.path, f"{section}: {error}")
                        continue
                    out.add(package)
        return out.result()
