"""yarn.lock, classic (yarn 1, its own syntax) and berry (yarn 2+, YAML with `__metadata`).

Classic entries answer descriptors (`name@range`) and give the resolved
`version`; an alias descriptor (`alias@npm:real@range`) reports the real
package. `file:` and `link:` descriptors are local folders and are skipped.

Berry entries carry `resolution: "name@npm:1.2.3"`, which names the real
package even for aliases. `workspace:`, `link:`, `portal:`, `file:` and
`exec:` resolutions are the project's own code or local folders and are
skipped; a `patch:` resolution is the patched registry release it wraps
(`resolve@patch:resolve@npm%3A1.22.1#…` is resolve 1.22.1) and merges with
it; other protocols (git, tarball URLs) report the entry's `version`.

Edges: each `dependencies`/`optionalDependencies` item `name range` is the
descriptor `name@range` (berry lockfiles before version 6 omit the default
`npm:` protocol from the range, so both spellings are tried), looked up
among the entries' descriptors.
"""

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar
from urllib.parse import unquote

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import DocumentError, decode_text, load_yaml_documents
from seawall.catalog.lang.javascript.names import npm_package, split_spec
from seawall.catalog.lang.javascript.yarn_classic import parse_yarn_v1
from seawall.catalog.purls import PurlError
from seawall.model.package import Location

_MAX_BYTES = 64 * 1024 * 1024
_LOCAL_PROTOCOLS = ("workspace:", "link:", "portal:", "file:", "exec:")
_EDGE_KEYS = ("dependencies", "optionalDependencies")
_MAX_PATCH_LEVELS = 4
# One lockfile entry: the descriptors it answers, and its fields.
_Entry = tuple[tuple[str, ...], dict[str, Any]]


class YarnLockCataloger:
    """Packages locked by yarn (classic and berry)."""

    NAME: ClassVar[str] = "javascript/yarn-lock"
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return path.endswith("/yarn.lock") and "/node_modules/" not in path

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        for file, entries in out.documents(files, self.MAX_FILE_BYTES, _entries):
            self._report(entries, (locate(file),), out)
        return out.result()

    def _report(
        self,
        entries: Iterable[_Entry],
        where: tuple[Location, ...],
        out: Collector,
    ) -> None:
        by_descriptor: dict[str, str] = {}
        found: list[tuple[str, dict[str, Any]]] = []
        for descriptors, fields in entries:
            identity = _identify(descriptors, fields)
            if identity is None:
                continue
            try:
                package = npm_package(identity[0], identity[1], self.NAME, where)
            except PurlError as error:
                out.problem(where[0].path, str(error))
                continue
            out.add(package)
            found.append((package.purl, fields))
            for descriptor in descriptors:
                by_descriptor[descriptor] = package.purl
        for parent, fields in found:
            for key in _EDGE_KEYS:
                edges = fields.get(key)
                for name, spec in edges.items() if isinstance(edges, dict) else ():
                    if not isinstance(spec, str):
                        continue
                    child = by_descriptor.get(f"{name}@{spec}") or by_descriptor.get(
                        f"{name}@npm:{spec}"
                    )
                    if child is not None:
                        out.relate(parent, child)


def _entries(content: bytes) -> list[_Entry]:
    """The entries of a classic or berry lockfile (DocumentError when it is neither)."""
    text = decode_text(content)
    if _is_berry(text):
        return _berry_entries(content)
    return [(entry.descriptors, entry.fields) for entry in parse_yarn_v1(text)]


def _is_berry(text: str) -> bool:
    """Berry lockfiles are YAML with a top-level `__metadata` mapping."""
    return any(line.startswith(("__metadata:", '"__metadata":')) for line in text.splitlines()[:50])


def _berry_entries(content: bytes) -> list[_Entry]:
    documents = load_yaml_documents(content)
    if not documents or not isinstance(documents[0], dict):
        raise DocumentError("yarn berry lockfile is not a YAML mapping")
    entries: list[_Entry] = []
    for key, fields in documents[0].items():
        if key == "__metadata" or not isinstance(fields, dict):
            continue
        descriptors = tuple(part.strip() for part in key.split(",") if part.strip())
        entries.append((descriptors, fields))
    return entries


def _identify(descriptors: tuple[str, ...], fields: dict[str, Any]) -> tuple[str, str] | None:
    """(name, version) of an entry, or None for entries that are not releases."""
    resolution = fields.get("resolution")
    version = fields.get("version")
    if isinstance(resolution, str):
        return _from_resolution(resolution, version if isinstance(version, str) else None)
    # classic: the name comes from the descriptor, the version from the entry
    if not isinstance(version, str) or not version or not descriptors:
        return None
    name, spec = split_spec(descriptors[0])
    if spec.startswith("npm:"):
        name = split_spec(spec.removeprefix("npm:"))[0]
    elif spec.startswith(_LOCAL_PROTOCOLS):
        return None
    return (name, version) if name else None


def _from_resolution(resolution: str, version: str | None) -> tuple[str, str] | None:
    # A patch wraps another resolution, percent-encoded; real ones wrap one
    # level, and a hostile file cannot make this loop (or recursion) long.
    for _ in range(_MAX_PATCH_LEVELS):
        name, reference = split_spec(resolution)
        if not name:
            return None
        if reference.startswith("npm:"):
            pinned = reference.removeprefix("npm:")
            return (name, pinned) if pinned else None
        if not reference.startswith("patch:"):
            if reference.startswith(_LOCAL_PROTOCOLS) or not version:
                return None
            return name, version
        resolution = unquote(reference.removeprefix("patch:").split("#", 1)[0])
    return None
