"""`rust/auditable`: crates recorded by cargo-auditable inside Rust executables.

`cargo auditable build` embeds the dependency tree in a `.dep-v0` section (ELF and PE;
in the `__DATA` segment on Mach-O): zlib-compressed JSON
`{"packages": [{"name", "version", "source", "kind", "dependencies": [index…],
"root"}]}` (cargo-auditable PARSING.md and auditable-serde). Only `runtime` packages
are reported: `build` ones (build scripts, proc-macros) are not compiled into the
program. Relationships follow the `dependencies` indices between reported packages.
Decompression stops at `MAX_JSON_BYTES`, so a hostile section cannot inflate
without bound.
"""

import zlib
from collections.abc import Sequence
from typing import Any, ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.binaries import (
    ExecutableFormatError,
    may_be_program,
    parse_executables,
)
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.documents import DocumentError, load_json
from seawall.catalog.lang.rust.cargo_lock import cargo_package
from seawall.catalog.purls import PurlError
from seawall.model.package import Location, Package, Relationship

NAME = "rust/auditable"
SECTION = ".dep-v0"
MAX_JSON_BYTES = 8 * 1024 * 1024
"""cargo-auditable itself refuses more than 8 MiB of decompressed data."""


class AuditableError(ValueError):
    """The `.dep-v0` section is present but does not hold what cargo-auditable writes."""


def read_audit_data(section: bytes) -> list[dict[str, Any]]:
    """The `packages` list of a `.dep-v0` section, validated in shape."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(section, MAX_JSON_BYTES + 1)
    except zlib.error as error:
        raise AuditableError(f"{SECTION} is not zlib data ({error})") from None
    if len(text) > MAX_JSON_BYTES:
        raise AuditableError(f"{SECTION} inflates beyond {MAX_JSON_BYTES} bytes")
    try:
        # load_json also bounds nesting and number length (a DocumentError, not a crash)
        document = load_json(text)
    except DocumentError as error:
        raise AuditableError(f"{SECTION} does not hold JSON ({error})") from None
    packages = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise AuditableError(f"{SECTION} JSON has no `packages` list of objects")
    return packages


def _entries(
    audit: list[dict[str, Any]], location: Location, problems: list[str]
) -> tuple[list[Package], list[Relationship]]:
    """The runtime crates and their edges; a crate that spells no purl is added to `problems`."""
    purls: dict[int, str] = {}
    packages: list[Package] = []
    for index, entry in enumerate(audit):
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        if entry.get("kind", "runtime") != "runtime":
            continue
        try:
            package = cargo_package(name, version, NAME, (location,))
        except PurlError as error:
            problems.append(str(error))
            continue
        purls[index] = package.purl
        packages.append(package)
    relationships = []
    for index, parent in purls.items():
        children = audit[index].get("dependencies", [])
        for child in children if isinstance(children, list) else []:
            if isinstance(child, int) and child in purls:
                relationships.append(Relationship(parent, purls[child]))
    return packages, relationships


class RustAuditableCataloger:
    """Rust crates from cargo-auditable data embedded in executables."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 512 * 1024 * 1024
    """As for go/binary: large programs fit; only the section table and one section are read."""

    def wants(self, path: str) -> bool:
        return may_be_program(path)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return gather(files, _find)


def _find(file: CatalogFile) -> Findings:
    try:
        # A fat Mach-O file repeats the section per architecture: the first is enough.
        images = parse_executables(file.content)
        section = images[0].section(SECTION) if images else None
        if section is None:
            return [], [], []
        audit = read_audit_data(images[0].section_bytes(section))
    except (ExecutableFormatError, AuditableError) as error:
        return [], [], [str(error)]
    problems: list[str] = []
    packages, relationships = _entries(audit, Location(file.path, file.layer), problems)
    return packages, relationships, problems
