"""Composer packages: `php/composer-lock` (composer.lock) and `php/installed-json`
(vendor/composer/installed.json).

composer.lock holds `packages` and `packages-dev` arrays; installed.json is the same
package objects, as a bare array (Composer 1) or under `packages` (Composer 2). Each
object gives `name` (`vendor/project`), `version` as Composer resolved it (kept as
written, e.g. `v6.4.3`: the Packagist version comparator normalises the `v`),
`license` (SPDX ids) and `require`, whose keys that name another package of the same
file become relationships (platform requirements such as `php` or `ext-json` are not
packages). Development packages are reported too: they are installed.
"""

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.documents import DocumentError, load_json
from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import PurlError, spell_purl
from seawall.model.package import Ecosystem, Location, Package, Relationship


def composer_purl(name: str, version: str) -> str:
    """`pkg:composer/VENDOR/PROJECT@VERSION` (PurlError if none can be spelled)."""
    vendor, _, project = name.rpartition("/")
    return spell_purl("composer", project, version, namespace=vendor or None)


composer_package = PackageFactory(Ecosystem.PACKAGIST, composer_purl)
"""A Composer package found at the given locations."""


def _licenses(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _catalog(cataloger: str, entries: list[Any], file: CatalogFile) -> Findings:
    location = Location(file.path, file.layer)
    packages: list[Package] = []
    problems: list[str] = []
    requires: list[tuple[str, list[str]]] = []
    purls: dict[str, str] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        version = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            problems.append(f"package #{index + 1} has no name or version")
            continue
        assert isinstance(entry, dict)
        try:
            package = composer_package(
                name, version, cataloger, (location,), _licenses(entry.get("license"))
            )
        except PurlError as error:
            problems.append(f"package #{index + 1}: {error}")
            continue
        purl = package.purl
        purls[name.lower()] = purl
        packages.append(package)
        require = entry.get("require")
        if isinstance(require, dict):
            requires.append((purl, [key.lower() for key in require if isinstance(key, str)]))
    relationships = [
        Relationship(parent, purls[child])
        for parent, children in requires
        for child in children
        if child in purls
    ]
    return packages, relationships, problems


def _run(
    cataloger: str, files: Sequence[CatalogFile], entries_of: Callable[[Any], list[Any] | None]
) -> CatalogResult:
    def find(file: CatalogFile) -> Findings:
        try:
            document = load_json(file.content)
        except DocumentError as error:
            return [], [], [f"not JSON ({error})"]
        entries = entries_of(document)
        if entries is None:
            return [], [], ["no package list where Composer writes one"]
        return _catalog(cataloger, entries, file)

    return gather(files, find)


def _lock_entries(document: Any) -> list[Any] | None:
    if not isinstance(document, dict):
        return None
    runtime, dev = document.get("packages", []), document.get("packages-dev") or []
    if not isinstance(runtime, list) or not isinstance(dev, list):
        return None
    return runtime + dev


def _installed_entries(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("packages"), list):
        packages: list[Any] = document["packages"]
        return packages
    return None


_MAX_FILE_BYTES = 32 * 1024 * 1024


class ComposerLockCataloger:
    """PHP packages locked by composer.lock (`packages` and `packages-dev`)."""

    NAME: ClassVar[str] = "php/composer-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_FILE_BYTES
    """Lock files of large applications are a few MiB."""

    def wants(self, path: str) -> bool:
        return path.endswith("/composer.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return _run(self.NAME, files, _lock_entries)


class InstalledJsonCataloger:
    """PHP packages installed in vendor/, from vendor/composer/installed.json (v1 and v2)."""

    NAME: ClassVar[str] = "php/installed-json"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_FILE_BYTES
    """installed.json is about the size of composer.lock."""

    def wants(self, path: str) -> bool:
        return path.endswith("/vendor/composer/installed.json")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return _run(self.NAME, files, _installed_entries)
