"""`java/archive`: Maven packages in Java archives (jar, war, ear, par, sar, jpi, hpi).

What identifies a package, in order of trust:

1. every `META-INF/maven/<groupId>/<artifactId>/pom.properties` (Maven writes one per
   module it packages; a shaded/uber jar holds one per bundled module, so each yields a
   package);
2. otherwise the main section of `META-INF/MANIFEST.MF`: version from
   Implementation-Version, Bundle-Version or Specification-Version; name from the file
   name, Implementation-Title, Bundle-SymbolicName or Specification-Title; group from
   Implementation-Vendor-Id (which maven-archiver fills with the groupId);
3. otherwise the file name, `name-1.2.3.jar`.

Package names are `groupId:artifactId` as OSV's Maven ecosystem writes them (just the
artifact when no group is known); purls are `pkg:maven/groupId/artifactId@version`.
The SHA-1 of an archive is recorded on the package that is the archive itself (the
only pom.properties, or the one whose artifactId matches the file name or manifest),
not on modules shaded into it.

Archives nested in archives (WEB-INF/lib, BOOT-INF/lib, ear modules …) are read too,
in memory, up to `MAX_DEPTH` levels; their location is `outer.war!/WEB-INF/lib/x.jar`
(the `jar:` URL convention). Zip bombs are bounded by a cap on entries per archive,
on the central directory size, on bytes inflated per top-level file, and on the size
of any one metadata file or nested archive.
"""

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.java.metadata import parse_manifest, parse_properties
from seawall.catalog.purls import PurlError, spell_purl
from seawall.model.package import Ecosystem, Location, Package

NAME = "java/archive"
ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi")
MAX_DEPTH = 4
"""Nesting levels read below a top-level archive (ear → war → jar → jar)."""
MAX_ENTRIES = 200_000
MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024
MAX_INFLATED_BYTES = 1024 * 1024 * 1024
"""Bytes inflated (metadata and nested archives) for one top-level file, all levels."""
MAX_METADATA_BYTES = 1024 * 1024
MAX_NESTED_ARCHIVE_BYTES = 256 * 1024 * 1024

_FILE_NAME = re.compile(r"^(?P<name>.+?)-(?P<version>\d[\w.+-]*)$")
_POM_PROPERTIES = re.compile(r"^META-INF/maven/[^/]+/[^/]+/pom\.properties$")
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


class _LimitError(Exception):
    pass


class _EncryptedError(Exception):
    """An entry needs a password: APPNOTE.TXT 4.4.4, general purpose bit 0."""


@dataclass
class _Budget:
    """Inflation allowance shared by every level of one top-level archive."""

    remaining: int

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
        if info.flag_bits & 0x1:
            raise _EncryptedError(f"{info.filename}: encrypted entry, cannot be read")
        limit = min(cap, self.remaining)
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            which = "per-entry" if limit == cap else "per-file inflation"
            raise _LimitError(f"{info.filename}: larger than the {which} limit of {limit} bytes")
        self.remaining -= len(data)
        return data


@dataclass
class _Found:
    packages: list[Package] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def maven_package(
    group: str | None, artifact: str, version: str, location: Location, sha1: str | None
) -> Package:
    """A Maven package (PurlError when its coordinates spell no purl)."""
    purl = spell_purl("maven", artifact, version, namespace=group or None)
    return Package(
        name=f"{group}:{artifact}" if group else artifact,
        version=version,
        ecosystem=Ecosystem.MAVEN,
        purl=purl,
        cataloger=NAME,
        locations=(location,),
        checksums=(("sha1", sha1),) if sha1 else (),
    )


def _check_directory(data: bytes) -> None:
    """Refuse archives whose end-of-central-directory record declares too much (APPNOTE 4.3.16)."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return  # zipfile reports the archive as not a zip file
    entries, directory_size = struct.unpack_from("<HI", data, at + 10)
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        (zip64_at,) = struct.unpack_from("<Q", data, locator + 8)
        if zip64_at + 56 <= len(data):
            entries, directory_size = struct.unpack_from("<QQ", data, zip64_at + 32)
    if entries > MAX_ENTRIES:
        raise _LimitError(f"{entries} entries is more than the limit of {MAX_ENTRIES}")
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _LimitError(f"central directory of {directory_size} bytes is too large")


def _identity_from_file_name(path: str) -> tuple[str, str | None]:
    stem = path.rpartition("/")[2].rpartition("!")[2]
    stem = stem.rpartition(".")[0] or stem
    match = _FILE_NAME.match(stem)
    if match is None:
        return stem, None
    return match["name"], match["version"]


def _scan(
    path: str, data: bytes, layer: int | None, depth: int, budget: _Budget, found: _Found
) -> None:
    location = Location(path, layer)
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    _check_directory(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _LimitError(f"{len(infos)} entries is more than the limit of {MAX_ENTRIES}")
        poms: list[dict[str, str]] = []
        manifest: dict[str, str] = {}
        nested: list[zipfile.ZipInfo] = []
        for info in infos:
            name = info.filename
            if _POM_PROPERTIES.match(name):
                text = budget.read(archive, info, MAX_METADATA_BYTES).decode("latin-1")
                poms.append(parse_properties(text))
            elif name.upper() == "META-INF/MANIFEST.MF":
                text = budget.read(archive, info, MAX_METADATA_BYTES).decode("utf-8", "replace")
                manifest = parse_manifest(text)
            elif name.lower().endswith(ARCHIVE_SUFFIXES) and not info.is_dir():
                nested.append(info)
        file_name, file_version = _identity_from_file_name(path)
        found.packages.extend(
            _identify(poms, manifest, file_name, file_version, location, sha1, found.problems)
        )
        for info in nested:
            inner_path = f"{path}!/{info.filename}"
            if depth >= MAX_DEPTH:
                found.problems.append(f"{inner_path}: nested deeper than {MAX_DEPTH} archives")
                continue
            inner = budget.read(archive, info, MAX_NESTED_ARCHIVE_BYTES)
            _scan_recorded(inner_path, inner, layer, depth + 1, budget, found)


def _scan_recorded(
    path: str, data: bytes, layer: int | None, depth: int, budget: _Budget, found: _Found
) -> None:
    """`_scan`, with an archive that cannot be read recorded as a problem on `path`."""
    try:
        _scan(path, data, layer, depth, budget, found)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, _LimitError, _EncryptedError) as error:
        found.problems.append(f"{path}: {error}")
    except (EOFError, OSError, zlib.error, NotImplementedError, ValueError) as error:
        found.problems.append(f"{path}: unreadable archive ({error})")


def _identify(
    poms: list[dict[str, str]],
    manifest: dict[str, str],
    file_name: str,
    file_version: str | None,
    location: Location,
    sha1: str,
    problems: list[str],
) -> list[Package]:
    """The archive's packages; a problem (naming the archive) for coordinates that spell no purl."""
    packages: list[Package] = []

    def add(group: str | None, artifact: str, version: str, sha1: str | None) -> None:
        try:
            packages.append(maven_package(group, artifact, version, location, sha1))
        except PurlError as error:
            problems.append(f"{location.path}: {error}")

    complete = [p for p in poms if p.get("artifactId") and p.get("version")]
    if complete:
        titles = {
            file_name,
            manifest.get("Implementation-Title", ""),
            manifest.get("Bundle-SymbolicName", "").split(";")[0].strip(),
        }
        own = complete[0] if len(complete) == 1 else None
        for pom in complete:
            if own is None and pom["artifactId"] in titles:
                own = pom
        for pom in complete:
            add(pom.get("groupId"), pom["artifactId"], pom["version"], sha1 if pom is own else None)
        return packages
    version = (
        manifest.get("Implementation-Version")
        or manifest.get("Bundle-Version")
        or manifest.get("Specification-Version")
        or file_version
    )
    artifact = (
        (file_name if file_version else None)
        or manifest.get("Implementation-Title")
        or manifest.get("Bundle-SymbolicName", "").split(";")[0].strip()
        or manifest.get("Specification-Title")
        or file_name
    )
    if version and artifact:
        add(manifest.get("Implementation-Vendor-Id"), artifact, version, sha1)
    return packages


class JavaArchiveCataloger:
    """Maven packages from Java archives and the archives nested in them."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 512 * 1024 * 1024
    """Covers large Spring Boot and application-server archives; the file is held in memory."""

    def wants(self, path: str) -> bool:
        return path.lower().endswith(ARCHIVE_SUFFIXES)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        found = _Found()
        for file in files:
            budget = _Budget(MAX_INFLATED_BYTES)
            _scan_recorded(file.path, file.content, file.layer, 0, budget, found)
        return CatalogResult(
            packages=tuple(found.packages), problems=tuple(found.problems), files_read=len(files)
        )
