"""pnpm-lock.yaml, lockfile versions 5.x (pnpm 7), 6.x (pnpm 8) and 9.x (pnpm 9+).

Package keys, by lockfile version:
- 5.x: `/name/1.2.3`, `/@scope/name/1.2.3`, peers appended as `_peer@1.0.0+other@2.0.0`;
- 6.x: `/name@1.2.3`, peers appended in parentheses `(peer@1.0.0)(other@2.0.0)`;
- 9.x: `name@1.2.3` in `packages` (metadata), and with the peer suffix in
  `snapshots`, which also holds the dependencies.
The same release installed for different peers is one package. Non-registry
packages (git, tarballs) carry explicit `name` and `version` fields, which
win over the key. Dependency references are a version (`1.2.3`, with peers
suffix), an alias (`/real/1.2.3`, `/real@1.2.3`, `real@1.2.3`) or a local
`link:`/`file:` path, which is not a package. Importers (the project and
its workspaces) are not packages. Development packages are reported too.

An optional package whose `os`/`cpu`/`libc` exclude the scanned platform was
not installed by pnpm and is not reported (see `platforms`); in 9.x those
fields are in `packages` and `optional: true` in `snapshots`. With the
platform unknown (a directory) every package is kept.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import load_yaml_documents
from seawall.catalog.lang.javascript.names import npm_package, npm_purl, split_spec
from seawall.catalog.lang.javascript.platforms import NodePlatform, excluded, node_platform
from seawall.catalog.purls import PurlError

_MAX_BYTES = 64 * 1024 * 1024
_EDGE_KEYS = ("dependencies", "optionalDependencies")
_TRUE = (True, "true")


class PnpmLockCataloger:
    """Packages locked by pnpm."""

    NAME: ClassVar[str] = "javascript/pnpm-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/pnpm-lock.yaml") and "/node_modules/" not in path

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        target = node_platform(context.platform, context.distro)
        for file, documents in out.documents(files, self.MAX_FILE_BYTES, load_yaml_documents):
            # pnpm 10 may put an environment document before the lockfile proper.
            locks = [doc for doc in documents if isinstance(doc, dict) and "lockfileVersion" in doc]
            if not locks:
                out.problem(file.path, "not a pnpm lockfile (no lockfileVersion)")
                continue
            lock = locks[-1]
            major = _major(lock["lockfileVersion"])
            if major is None:
                out.problem(file.path, "unrecognised lockfileVersion")
                continue
            self._report(lock, major, file, target, out)
        return out.result()

    def _report(
        self,
        lock: dict[str, Any],
        major: int,
        file: CatalogFile,
        target: NodePlatform | None,
        out: Collector,
    ) -> None:
        where = (locate(file),)
        # In 9.x `packages` holds metadata and `snapshots` the resolved graph;
        # before, `packages` holds both.
        sections = [lock.get("packages")]
        if major >= 9:
            sections.append(lock.get("snapshots"))
        nodes: list[tuple[tuple[str, str], dict[str, Any]]] = []
        for section in sections:
            for key, entry in section.items() if isinstance(section, dict) else ():
                fields = entry if isinstance(entry, dict) else {}
                identity = _identify(key, fields, major)
                if identity is not None:
                    nodes.append((identity, fields))
        # The YAML reader keeps scalars as text: `optional: true` reads as "true".
        optional = {identity for identity, fields in nodes if fields.get("optional") in _TRUE}
        foreign = {identity for identity, fields in nodes if excluded(fields, target)}
        skipped = optional & foreign  # pnpm did not install them: built for another platform
        for identity, fields in nodes:
            if identity in skipped:
                continue
            try:
                parent = npm_package(identity[0], identity[1], self.NAME, where)
            except PurlError as error:
                out.problem(file.path, str(error))
                continue
            out.add(parent)
            for edge_key in _EDGE_KEYS:
                edges = fields.get(edge_key)
                for name, reference in edges.items() if isinstance(edges, dict) else ():
                    if not isinstance(reference, str):
                        continue
                    child = _reference(name, reference, major)
                    try:
                        child_purl = npm_purl(*child) if child is not None else None
                    except PurlError:
                        # No package with this name can have been reported: no edge lost.
                        child_purl = None
                    if child_purl is not None:
                        out.relate(parent.purl, child_purl)


def _major(value: Any) -> int | None:
    head = str(value).strip("'\"").split(".", 1)[0]
    return int(head) if head.isdigit() and len(head) < 4 else None


def _identify(key: str, fields: dict[str, Any], major: int) -> tuple[str, str] | None:
    name, version = fields.get("name"), fields.get("version")
    if isinstance(name, str) and name and isinstance(version, str) and version:
        return name, version
    return _parse_key(key, major)


def _parse_key(key: str, major: int) -> tuple[str, str] | None:
    """`/name/1.2.3_peer` (5.x), `/name@1.2.3(peer)` (6.x), `name@1.2.3(peer)` (9.x)."""
    bare = key.removeprefix("/")
    if major < 6:
        if bare.startswith("@"):
            scope, _, rest = bare.partition("/")
            base, _, version = rest.partition("/")
            name = f"{scope}/{base}"
        else:
            name, _, version = bare.partition("/")
        version = version.split("_", 1)[0]
    else:
        name, version = split_spec(bare.split("(", 1)[0])
    if not name or not _is_release(version):
        return None  # a tarball, git or local key without explicit name/version
    return name, version


def _reference(name: str, reference: str, major: int) -> tuple[str, str] | None:
    """The (name, version) a dependency reference points at, or None for local links."""
    if reference[:1].isdigit():
        version = reference.split("_" if major < 6 else "(", 1)[0]
        return (name, version) if _is_release(version) else None
    return _parse_key(reference, major)


def _is_release(version: str) -> bool:
    """A registry version (`1.2.3`, `1.0.0-rc.1`), not a path or URL."""
    return bool(version) and version[0].isdigit() and "/" not in version and ":" not in version
