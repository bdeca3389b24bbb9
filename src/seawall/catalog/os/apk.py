"""Alpine, Wolfi and Chainguard packages from apk's database, `/lib/apk/db/installed`.

The installed database is a series of package blocks separated by blank
lines; each line is one letter, a colon and a value (apk-tools, "Apk spec",
installed database format): `P:` name, `V:` version, `A:` architecture,
`o:` origin (the source package the binary was built from, which distro
advisories name), `L:` licence, `F:` a directory the package owns and `R:` a
file in the directory of the `F:` line above it, and many more (`Z:`
checksums, `a:`/`M:` modes) that are not read here. The `F:`/`R:` pairs are
reported as owned by the package (`CatalogResult.owned`), the way apk's own
`apk info --who-owns` answers.

The origin's version is the package's own version: apk builds every
subpackage of an APKBUILD with the origin's pkgver-pkgrel.
"""

from collections.abc import Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.ecosystems import OsIdentity, os_identity, os_purl
from seawall.catalog.purls import PurlError
from seawall.model.package import Location, Package

INSTALLED_PATH = "/lib/apk/db/installed"
_MAX_PROBLEMS_PER_FILE = 20


class ApkCataloger:
    """Installed apk packages, with their origins."""

    NAME: ClassVar[str] = "os/apk"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 128 * 1024 * 1024

    def wants(self, path: str) -> bool:
        return path == INSTALLED_PATH

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        identity = os_identity(context.distro, "apk")
        packages: list[Package] = []
        problems: list[str] = []
        owned: list[tuple[str, str]] = []
        files_read = 0
        for file in files:
            if file.path != INSTALLED_PATH:
                continue
            files_read += 1
            packages.extend(_parse_installed(file, identity, problems, owned))
        return CatalogResult(
            packages=tuple(packages),
            problems=tuple(problems),
            files_read=files_read,
            owned=tuple(owned),
        )


def _parse_installed(
    file: CatalogFile, identity: OsIdentity, problems: list[str], owned: list[tuple[str, str]]
) -> list[Package]:
    text = file.content.decode("utf-8", errors="replace")
    found: list[Package] = []
    file_problems: list[str] = []
    malformed = 0
    first_malformed: int | None = None
    block: dict[str, str] = {}
    block_line = 0
    block_files: list[str] = []
    directory = ""

    def finish() -> None:
        where = f"{file.path}: package at line {block_line}"
        name = block.get("P", "")
        version = block.get("V", "")
        if not name or not version:
            missing = " and ".join(f"{key}:" for key in ("P", "V") if not block.get(key))
            file_problems.append(f"{where} has no {missing} line; skipped")
            return
        arch = block.get("A") or None
        license_text = block.get("L", "").strip()
        try:
            purl = os_purl(identity, "apk", name, version, arch)
        except PurlError as error:
            file_problems.append(f"{where}: {error}; skipped")
            return
        owned.extend((path, purl) for path in block_files)
        found.append(
            Package(
                name=name,
                version=version,
                ecosystem=identity.ecosystem,
                purl=purl,
                cataloger=ApkCataloger.NAME,
                ecosystem_release=identity.release,
                source_name=block.get("o") or name,
                source_version=version,
                arch=arch,
                licenses=(license_text,) if license_text else (),
                locations=(Location(file.path, file.layer),),
            )
        )

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            if block:
                finish()
                block = {}
                block_files.clear()
                directory = ""
            continue
        if len(line) < 2 or line[1] != ":":
            malformed += 1
            first_malformed = first_malformed or number
            continue
        if not block:
            block_line = number
        key = line[0]
        if key == "F":
            directory = line[2:].strip("/")
        elif key == "R":
            # Paths are relative to the root; a file before any `F:` is in it.
            name = line[2:]
            block_files.append(f"/{directory}/{name}" if directory else f"/{name}")
        # Only the package-level fields are read; the first occurrence wins
        # (file entries `R:`/`Z:` repeat).
        block.setdefault(key, line[2:])
    if block:
        finish()
    if malformed:
        file_problems.append(
            f"{file.path}: {malformed} line(s) are not `X:value` lines "
            f"(first at line {first_malformed}); ignored"
        )
    if len(file_problems) > _MAX_PROBLEMS_PER_FILE:
        dropped = len(file_problems) - _MAX_PROBLEMS_PER_FILE
        file_problems = file_problems[:_MAX_PROBLEMS_PER_FILE]
        file_problems.append(f"{file.path}: {dropped} more problem(s) not listed")
    problems.extend(file_problems)
    return found
