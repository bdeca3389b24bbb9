"""`go/binary`: Go modules compiled into executables (ELF, PE, Mach-O), from their build info.

Each Go program carries the module list `go version -m` prints. The cataloger reports:

- the main module, with its version as recorded (`(devel)` for builds outside a
  tagged module download is kept as such: it is what Go itself reports). `(devel)`
  names no release, so the purl carries no version (`pkg:golang/example.com/app`,
  as trivy writes it) rather than a made-up one; the `version` field keeps
  `(devel)` so readers (and an SBOM read back) still see that it is unversioned;
- every dependency. When a dependency is replaced (`=>`), the replacement is what was
  compiled in, so its path and version are reported, as syft and trivy do. A
  replacement by a local directory (`=> ../lib`) has no module identity of its own:
  the original module path is kept and the version is the replacement's, `(devel)`,
  so it can never be matched against the original's advisories;
- the toolchain as the package `stdlib` (Go's OSV records use that name), version
  `v1.22.3` for `go1.22.3` (pre-releases map as golang.org/x/vuln does:
  `go1.21rc2` → `v1.21.0-rc.2`). A development toolchain yields no `stdlib`.
"""

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.binaries import (
    ExecutableFormatError,
    may_be_program,
    parse_executables,
)
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.go.buildinfo import BuildInfoError, find_build_info
from seawall.catalog.lang.go.modinfo import BuildInfo, ModInfoError, Module, parse_modinfo
from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import PurlError, spell_purl
from seawall.model.package import GO_DEVEL_VERSION, Ecosystem, Location, Package

NAME = "go/binary"
_TOOLCHAIN = re.compile(r"go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$")


"""The version Go records for a module built from a local directory, not a release."""


def golang_purl(module_path: str, version: str) -> str:
    """`pkg:golang/<module path>@<version>`, without a version for `(devel)`.

    The last path element is the purl name; PurlError when none can be spelled.
    """
    namespace, _, name = module_path.rpartition("/")
    release = version if version and version != GO_DEVEL_VERSION else None
    return spell_purl("golang", name, release, namespace=namespace or None)


golang_package = PackageFactory(Ecosystem.GO, golang_purl)
"""A Go module (or `stdlib`) found at the given locations."""


def stdlib_version(go_version: str) -> str | None:
    """`go1.22.3` → `v1.22.3`; `go1.21rc2` → `v1.21.0-rc.2`; None for devel toolchains."""
    match = _TOOLCHAIN.match(go_version.split(" ", 1)[0])
    if match is None:
        return None
    major, minor, patch, pre, pre_number = match.groups()
    version = f"v{major}.{minor or 0}.{patch or 0}"
    return f"{version}-{pre}.{pre_number}" if pre else version


def _is_local_path(path: str) -> bool:
    # cmd/go modfile.IsDirectoryPath: ./ ../ / or a Windows drive/UNC path.
    return (
        path.startswith(("./", "../", "/", ".\\", "..\\", "\\"))
        or path in (".", "..")
        or (len(path) > 1 and path[1] == ":")
    )


def compiled_module(module: Module) -> tuple[str, str]:
    """(path, version) of what was compiled in for `module`, following its replacement."""
    replacement = module.replace
    if replacement is None:
        return module.path, module.version
    if _is_local_path(replacement.path):
        return module.path, replacement.version or GO_DEVEL_VERSION
    return replacement.path, replacement.version


def packages_from_build_info(
    info: BuildInfo, location: Location, problems: list[str]
) -> list[Package]:
    """The packages one binary's build information describes; a module path
    that spells no purl (`example.com/`) is a problem added to `problems`."""
    found: list[Package] = []
    modules = ([info.main] if info.main is not None else []) + list(info.deps)
    for module in modules:
        path, version = compiled_module(module)
        if not path:
            continue
        try:
            found.append(golang_package(path, version, NAME, (location,)))
        except PurlError as error:
            problems.append(f"Go module information: {error}")
    toolchain = stdlib_version(info.go_version)
    if toolchain is not None:
        found.append(golang_package("stdlib", toolchain, NAME, (location,)))
    return found


class GoBinaryCataloger:
    """Go modules from the build information embedded in executables."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 512 * 1024 * 1024
    """Large enough for the biggest Go programs shipped in images (k3s, hyperkube-style
    bundles reach a few hundred MiB); the file is read once, in memory, and only its
    headers and data section are inspected."""

    def wants(self, path: str) -> bool:
        return may_be_program(path)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        result = gather(files, _find)
        return replace(result, packages=_unique(result.packages))


def _find(file: CatalogFile) -> Findings:
    packages: list[Package] = []
    problems: list[str] = []
    try:
        for image in parse_executables(file.content):
            raw = find_build_info(image)
            if raw is None:
                continue
            location = Location(file.path, file.layer)
            try:
                info = parse_modinfo(raw.go_version, raw.modinfo)
            except ModInfoError as error:
                # The toolchain version is still known: report stdlib alone.
                problems.append(f"Go module information: {error}")
                info = BuildInfo(raw.go_version)
            packages.extend(packages_from_build_info(info, location, problems))
    except (ExecutableFormatError, BuildInfoError) as error:
        problems.append(str(error))
    return packages, [], problems


def _unique(packages: Sequence[Package]) -> tuple[Package, ...]:
    """Drop repeats (a fat Mach-O file lists the same modules once per architecture)."""
    seen: set[tuple[str, tuple[Location, ...]]] = set()
    kept = []
    for package in packages:
        key = (package.purl, package.locations)
        if key not in seen:
            seen.add(key)
            kept.append(package)
    return tuple(kept)
