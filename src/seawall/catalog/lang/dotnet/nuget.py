"""NuGet packages from .NET build outputs and restore files.

- `dotnet/deps-json` (`*.deps.json`, written by the .NET SDK next to an application):
  `libraries` maps `Name/Version` to `{"type": "package" | "project" | …}`; only
  `package` entries are NuGet packages (their `sha512` is recorded). `targets`
  maps each runtime target to `Name/Version` → `{"dependencies": {Name: Version}}`,
  which gives the relationships between packages.
- `dotnet/packages-lock` (`packages.lock.json`, NuGet lock file v1/v2):
  `dependencies` maps each target framework to `Name` → `{"type", "resolved",
  "contentHash", "dependencies"}`; `Project` entries are projects of the same
  solution, not packages. A package locked for several frameworks is reported once.
- `dotnet/packages-config` (`packages.config`, the pre-PackageReference format):
  `<package id="…" version="…"/>` elements. The XML is read with expat, which
  stops at any DOCTYPE or entity declaration (in whatever encoding the document
  uses), so entity expansion (billion laughs) and external entities cannot happen.
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, ClassVar
from xml.parsers import expat

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.documents import DocumentError, load_json
from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import PurlError, clipped, shown, spell_purl
from seawall.model.package import Ecosystem, Location, Package, Relationship

_MAX_FILE_BYTES = 32 * 1024 * 1024


def nuget_purl(name: str, version: str) -> str:
    """`pkg:nuget/NAME@VERSION` (PurlError if none can be spelled)."""
    return spell_purl("nuget", name, version)


nuget_package = PackageFactory(Ecosystem.NUGET, nuget_purl)
"""A NuGet package found at the given locations."""


def _sha512(encoded: Any, prefix: str = "") -> tuple[tuple[str, str], ...]:
    """A base64 SHA-512 (optionally `sha512-`-prefixed) as ("sha512", hex)."""
    if not isinstance(encoded, str) or not encoded.startswith(prefix):
        return ()
    try:
        digest = base64.b64decode(encoded[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return ()
    return (("sha512", digest.hex()),) if len(digest) == 64 else ()


def _deps_json(cataloger: str, document: Any, file: CatalogFile) -> Findings:
    libraries = document.get("libraries") if isinstance(document, dict) else None
    if not isinstance(libraries, dict):
        return [], [], ["no `libraries` object"]
    where = (Location(file.path, file.layer),)
    packages: dict[str, Package] = {}
    problems: list[str] = []
    for key, library in libraries.items():
        name, slash, version = key.partition("/")
        if not slash or not isinstance(library, dict) or library.get("type") != "package":
            continue
        checksums = _sha512(library.get("sha512"), "sha512-")
        try:
            package = nuget_package(name, version, cataloger, where, checksums=checksums)
        except PurlError as error:
            problems.append(f"library {shown(key)}: {error}")
            continue
        packages[key.lower()] = package
    edges: set[Relationship] = set()
    targets = document.get("targets")
    for target in targets.values() if isinstance(targets, dict) else ():
        for key, entry in target.items() if isinstance(target, dict) else ():
            parent = packages.get(key.lower())
            dependencies = entry.get("dependencies") if isinstance(entry, dict) else None
            if parent is None or not isinstance(dependencies, dict):
                continue
            for child_name, child_version in dependencies.items():
                child = packages.get(f"{child_name}/{child_version}".lower())
                if child is not None:
                    edges.add(Relationship(parent.purl, child.purl))
    return list(packages.values()), sorted(edges, key=lambda r: (r.parent, r.child)), problems


def _packages_lock(cataloger: str, document: Any, file: CatalogFile) -> Findings:
    frameworks = document.get("dependencies") if isinstance(document, dict) else None
    if not isinstance(frameworks, dict):
        return [], [], ["no `dependencies` object"]
    where = (Location(file.path, file.layer),)
    packages: dict[str, Package] = {}
    problems: list[str] = []
    wanted: list[tuple[str, str]] = []
    for locked in frameworks.values():
        for name, entry in locked.items() if isinstance(locked, dict) else ():
            if not isinstance(entry, dict) or entry.get("type") == "Project":
                continue
            version = entry.get("resolved")
            if not isinstance(version, str) or not version:
                continue
            checksums = _sha512(entry.get("contentHash"))
            try:
                package = nuget_package(name, version, cataloger, where, checksums=checksums)
            except PurlError as error:
                problems.append(str(error))
                continue
            packages.setdefault(package.purl, package)
            dependencies = entry.get("dependencies")
            if isinstance(dependencies, dict):
                wanted.extend((package.purl, child.lower()) for child in dependencies)
    by_name: dict[str, list[str]] = {}
    for package in packages.values():
        by_name.setdefault(package.name.lower(), []).append(package.purl)
    # A dependency names a range; the lock resolves each name to one version per framework.
    edges = {
        Relationship(parent, child) for parent, name in wanted for child in by_name.get(name, ())
    }
    return list(packages.values()), sorted(edges, key=lambda r: (r.parent, r.child)), problems


class _Refused(Exception):
    pass


def _refuse_dtd(*_args: object) -> None:
    raise _Refused("XML with a DTD is refused (packages.config never needs one)")


def _packages_config(cataloger: str, content: bytes, file: CatalogFile) -> Findings:
    elements: list[tuple[int, str, dict[str, str]]] = []
    depth = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        elements.append((depth, tag, attributes))
        depth += 1

    def end(_tag: str) -> None:
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(content, True)
    except _Refused as error:
        return [], [], [str(error)]
    except expat.ExpatError as error:
        return [], [], [f"not well-formed XML ({error})"]
    except (LookupError, ValueError) as error:
        # The XML declaration names an encoding expat hands to Python's codecs:
        # unknown (`utfU8`), not text (`base64`), multi-byte (`shift_jis`, which
        # expat cannot use) or one whose decoder fails (`idna`, `punycode`).
        # The message repeats the declared name, which may be long: keep its start.
        return [], [], [f"unsupported XML encoding ({type(error).__name__}: {str(error)[:120]})"]
    if not elements or elements[0][1] != "packages":
        root = elements[0][1] if elements else ""
        return [], [], [f"root element is <{clipped(root)}>, not <packages>"]
    packages: list[Package] = []
    problems: list[str] = []
    entries = [attributes for level, tag, attributes in elements if level == 1 and tag == "package"]
    for index, attributes in enumerate(entries, start=1):
        name, version = attributes.get("id"), attributes.get("version")
        if not name or not version:
            problems.append(f"<package> #{index} lacks id or version")
            continue
        try:
            package = nuget_package(name, version, cataloger, (Location(file.path, file.layer),))
        except PurlError as error:
            problems.append(f"<package> #{index}: {error}")
            continue
        packages.append(package)
    return packages, [], problems


def _run_json(
    cataloger: str, files: Sequence[CatalogFile], parse: Callable[[str, Any, CatalogFile], Findings]
) -> CatalogResult:
    def parse_file(file: CatalogFile) -> Findings:
        try:
            document = load_json(file.content)
        except DocumentError as error:
            return [], [], [f"not JSON ({error})"]
        return parse(cataloger, document, file)

    return gather(files, parse_file)


class DepsJsonCataloger:
    """NuGet packages an application was built with, from its *.deps.json."""

    NAME: ClassVar[str] = "dotnet/deps-json"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_FILE_BYTES
    """deps.json of large ASP.NET applications reach a few MiB."""

    def wants(self, path: str) -> bool:
        return path.endswith(".deps.json")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return _run_json(self.NAME, files, _deps_json)


class PackagesLockCataloger:
    """NuGet packages locked by packages.lock.json."""

    NAME: ClassVar[str] = "dotnet/packages-lock"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_FILE_BYTES
    """As deps.json."""

    def wants(self, path: str) -> bool:
        return path.endswith("/packages.lock.json")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return _run_json(self.NAME, files, _packages_lock)


class PackagesConfigCataloger:
    """NuGet packages listed in a packages.config."""

    NAME: ClassVar[str] = "dotnet/packages-config"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 4 * 1024 * 1024
    """A packages.config lists at most a few hundred packages."""

    def wants(self, path: str) -> bool:
        return path.endswith("/packages.config")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return gather(files, lambda file: _packages_config(self.NAME, file.content, file))
