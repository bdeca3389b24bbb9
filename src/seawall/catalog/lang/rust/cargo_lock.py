"""`rust/cargo-lock`: crates and their dependency edges from Cargo.lock (format v1 to v4).

Cargo.lock is TOML (cargo's `resolve` encoding): one `[[package]]` table per crate with
`name`, `version`, `source` (absent for workspace members and path dependencies,
`registry+URL` / `sparse+URL` for registries, `git+URL#commit` for git) and
`dependencies`. A dependency is written `name`, `name version` or
`name version (source)`: cargo writes only as much as needed to be unambiguous (v1
always writes all three and keeps checksums in `[metadata]` instead of `checksum`).
Every package is reported, path and git ones included, so the inventory is complete;
relationships follow the `dependencies` lists.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.documents import DocumentError, load_toml
from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import PurlError, clipped, shown, spell_purl
from seawall.model.package import Ecosystem, Location, Package, Relationship

NAME = "rust/cargo-lock"


def cargo_purl(name: str, version: str) -> str:
    """`pkg:cargo/NAME@VERSION` (PurlError if none can be spelled)."""
    return spell_purl("cargo", name, version)


cargo_package = PackageFactory(Ecosystem.CRATES_IO, cargo_purl)
"""A crate found at the given locations."""


@dataclass(frozen=True, slots=True)
class _Crate:
    name: str
    version: str
    source: str | None
    checksum: str | None
    dependencies: tuple[str, ...]


def _crates(document: dict[str, Any]) -> tuple[list[_Crate], list[str]]:
    entries = document.get("package", [])
    if not isinstance(entries, list):
        return [], ["`package` is not an array of tables"]
    metadata = document.get("metadata", {})
    crates: list[_Crate] = []
    errors: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(f"package #{index + 1} is not a table")
            continue
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            errors.append(f"package #{index + 1} has no name or version")
            continue
        source = entry.get("source") if isinstance(entry.get("source"), str) else None
        checksum = entry.get("checksum")
        if checksum is None and isinstance(metadata, dict):
            key = f"checksum {name} {version} ({source})"
            checksum = metadata.get(key)
        dependencies = entry.get("dependencies", [])
        if not isinstance(dependencies, list):
            dependencies = []
        crates.append(
            _Crate(
                name,
                version,
                source,
                checksum if isinstance(checksum, str) else None,
                tuple(d for d in dependencies if isinstance(d, str)),
            )
        )
    return crates, errors


def _resolve(spec: str, by_name: dict[str, list[_Crate]]) -> _Crate | None:
    """The crate a dependency string names: `name`, `name version` or `name version (source)`."""
    name, _, rest = spec.partition(" ")
    version, _, source = rest.partition(" ")
    source = source.removeprefix("(").removesuffix(")")
    matches = [
        crate
        for crate in by_name.get(name, ())
        if (not version or crate.version == version) and (not source or crate.source == source)
    ]
    return matches[0] if len(matches) == 1 else None


class CargoLockCataloger:
    """Rust crates locked by Cargo.lock, with their dependency relationships."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 16 * 1024 * 1024
    """Large workspaces lock a few thousand crates: well under 2 MiB."""

    def wants(self, path: str) -> bool:
        return path.endswith("/Cargo.lock")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return gather(files, _find)


def _find(file: CatalogFile) -> Findings:
    try:
        # load_toml imports tomllib only now: rust/auditable imports this module
        # and parses no TOML. It bounds nesting and huge numbers (DocumentError).
        document = load_toml(file.content)
    except DocumentError as error:
        return [], [], [f"not a TOML Cargo.lock ({error})"]
    crates, problems = _crates(document)
    location = Location(file.path, file.layer)
    packages: list[Package] = []
    spelled: list[_Crate] = []
    for crate in crates:
        checksums = (("sha256", crate.checksum),) if crate.checksum else ()
        try:
            package = cargo_package(
                crate.name, crate.version, NAME, (location,), checksums=checksums
            )
        except PurlError as error:
            problems.append(str(error))
            continue
        packages.append(package)
        spelled.append(crate)
    by_name: dict[str, list[_Crate]] = {}
    for crate in spelled:
        by_name.setdefault(crate.name, []).append(crate)
    relationships: list[Relationship] = []
    for crate in spelled:
        for spec in crate.dependencies:
            target = _resolve(spec, by_name)
            if target is None:
                problems.append(
                    f"{clipped(crate.name)} {clipped(crate.version)}: dependency {shown(spec)}"
                    " names no single locked package"
                )
                continue
            relationships.append(
                Relationship(
                    cargo_purl(crate.name, crate.version),
                    cargo_purl(target.name, target.version),
                )
            )
    return packages, relationships, problems
