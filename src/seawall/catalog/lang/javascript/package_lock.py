"""npm's package-lock.json and npm-shrinkwrap.json, lockfile versions 1, 2 and 3.

Version 1 (npm 5-6) is a tree: `dependencies` maps a name to `{version,
requires, dependencies}`, nesting where npm nested the install. Versions 2
and 3 (npm 7+) have a flat `packages` map keyed by install path
(`node_modules/a/node_modules/b`); version 2 carries both, and `packages` is
preferred. The root entry (`""`) and workspace folders are the project's own
code, and `link` entries point at them: none is a dependency. Edges follow
Node's module resolution from the requiring package's directory upwards
(`dependencies`/`requires`, `optionalDependencies`, `peerDependencies`).
Development packages (`dev: true`) are reported too: the lock cannot say
whether the image ran `npm ci --omit=dev`; syft reports them likewise.
Aliases (`npm:real@1.2.3`) report the real package. Versions that are not
releases (`file:`, `link:`, git URLs in version 1) are skipped.

Optional entries built for another platform (`"optional": true` with `os`/
`cpu`/`libc` that exclude the scanned image's, e.g. esbuild's 20-odd
`@esbuild/<os>-<cpu>` packages) were not installed by npm and are not
reported (see `platforms`). When the platform is unknown (a directory) every
entry is kept; version 1 lockfiles do not record `os`/`cpu`, so theirs are too.
"""

from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import load_json_object
from seawall.catalog.lang.javascript.names import declared_licenses, npm_package, split_spec
from seawall.catalog.lang.javascript.platforms import NodePlatform, excluded, node_platform
from seawall.catalog.purls import PurlError, shown
from seawall.model.package import Location, Package

# Monorepo lockfiles reach tens of MiB; the parsed form takes about ten times that.
_MAX_BYTES = 64 * 1024 * 1024
MAX_V1_DEPTH = 128
"""Nesting of a version-1 tree beyond which the file is treated as hostile."""
_MARKER = "node_modules/"
_EDGE_KEYS = ("dependencies", "optionalDependencies", "peerDependencies")


class PackageLockCataloger:
    """Packages locked by npm."""

    NAME: ClassVar[str] = "javascript/package-lock"
    VERSION: ClassVar[int] = 3
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        # A lockfile shipped inside an installed package describes its
        # author's checkout, not this install.
        return path.endswith(("/package-lock.json", "/npm-shrinkwrap.json")) and (
            "/node_modules/" not in path
        )

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        load = partial(load_json_object, kind="package-lock")
        platform = node_platform(context.platform, context.distro)
        for file, document in out.documents(files, self.MAX_FILE_BYTES, load):
            if isinstance(document.get("packages"), dict):
                self._packages_map(document["packages"], file, platform, out)
            elif isinstance(document.get("dependencies"), dict):
                self._dependency_tree(document["dependencies"], file, out)
            elif "lockfileVersion" not in document:
                out.problem(file.path, "not a package-lock (no lockfileVersion)")
        return out.result()

    def _packages_map(
        self,
        packages: dict[str, Any],
        file: CatalogFile,
        platform: NodePlatform | None,
        out: Collector,
    ) -> None:
        """Lockfile versions 2 and 3."""
        where = (locate(file),)
        purls: dict[str, str] = {}
        links: set[str] = set()
        for key, entry in packages.items():
            if not isinstance(entry, dict) or _MARKER not in key:
                continue  # the root project, a workspace folder, or junk
            if entry.get("link") is True:
                links.add(key)
                continue
            if entry.get("optional") is True and excluded(entry, platform):
                continue  # npm skipped it: built for another platform
            installed_as = key[key.rfind(_MARKER) + len(_MARKER) :]
            name = entry.get("name") if isinstance(entry.get("name"), str) else installed_as
            version = entry.get("version")
            if not isinstance(version, str) or not version or not isinstance(name, str):
                continue
            try:
                package = npm_package(name, version, self.NAME, where, declared_licenses(entry))
            except PurlError as error:
                out.problem(file.path, f"{shown(key)}: {error}")
                continue
            out.add(package)
            purls[key] = package.purl
        for key, parent in purls.items():
            entry = packages[key]
            for edge_key in _EDGE_KEYS:
                edges = entry.get(edge_key)
                for dependency in edges if isinstance(edges, dict) else ():
                    target = _resolve(key, dependency, purls, links)
                    if target is not None:
                        out.relate(parent, target)

    def _dependency_tree(self, root: dict[str, Any], file: CatalogFile, out: Collector) -> None:
        """Lockfile version 1: walk the nested tree without recursion."""
        where = (locate(file),)
        # (dependencies map, the scopes a name in it is looked up in, innermost first)
        todo: list[tuple[dict[str, Any], tuple[dict[str, Any], ...]]] = [(root, (root,))]
        while todo:
            level, scopes = todo.pop()
            if len(scopes) > MAX_V1_DEPTH:
                out.problem(file.path, f"dependencies nested deeper than {MAX_V1_DEPTH} levels")
                continue
            for name, entry in level.items():
                package = self._v1_package(name, entry, where, out)
                if package is None:
                    continue
                nested = entry.get("dependencies")
                own: dict[str, Any] = nested if isinstance(nested, dict) else {}
                chain = (own, *scopes)
                requires = entry.get("requires")
                for dependency in requires if isinstance(requires, dict) else ():
                    for scope in chain:
                        if dependency in scope:
                            target = self._v1_package(dependency, scope[dependency], where, None)
                            if target is not None:
                                out.relate(package.purl, target.purl)
                            break
                if own:
                    todo.append((own, chain))

    def _v1_package(
        self,
        name: str,
        entry: Any,
        where: tuple[Location, ...],
        out: Collector | None,
    ) -> Package | None:
        if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
            return None
        version: str = entry["version"]
        if version.startswith("npm:"):
            name, version = split_spec(version.removeprefix("npm:"))
        if not version or ":" in version or "/" in version:
            return None  # file:, link:, git URLs, tarball URLs: not registry releases
        try:
            package = npm_package(name, version, self.NAME, where)
        except PurlError as error:
            if out is not None:
                out.problem(where[0].path, str(error))
            return None
        if out is not None:
            out.add(package)
        return package


def _resolve(key: str, dependency: str, purls: dict[str, str], links: set[str]) -> str | None:
    """Node's lookup: `<dir>/node_modules/<dep>` from the package's directory up to the root."""
    base = key
    while True:
        candidate = f"{base}/{_MARKER}{dependency}" if base else f"{_MARKER}{dependency}"
        if candidate in purls:
            return purls[candidate]
        if candidate in links or not base:
            return None
        index = base.rfind(_MARKER)
        base = base[:index].rstrip("/") if index > 0 else ""
