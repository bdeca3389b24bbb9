"""RPM packages from the rpm database, in all three of its formats.

rpm keeps its database in `/var/lib/rpm/` or, since rpm 4.16 on Fedora and
SUSE, `/usr/lib/sysimage/rpm/` (often with a symlink from the old place):

- `rpmdb.sqlite`: the sqlite backend (RHEL 9, Fedora 33+, Rocky/Alma 9);
- `Packages`: the Berkeley DB hash backend (RHEL/CentOS 5 to 8, Amazon Linux 2);
- `Packages.db`: the ndb backend (SUSE 15 SP3+, openSUSE).

The format is recognised by the file's magic, not its name. Each record is
an rpm header (see rpmheader.py).

What a package looks like:
- `version` is rpm's EVR, `[epoch:]version-release`, with the epoch whenever
  the header carries one (as syft writes it); the purl version is
  `version-release` with the epoch as a qualifier (purl-spec, rpm type).
- The source package comes from SOURCERPM (`name-version-release.src.rpm`);
  its version takes the binary's epoch, since both come from one spec file.
  A header without SOURCERPM is its own source.
- `gpg-pubkey` records are imported signing keys, not software: skipped.

The same database can be reachable by two paths (a symlinked directory) and
both formats may be present after a conversion: packages are merged by
(name, epoch, version, release, arch), keeping every location.
"""

import dataclasses
import hashlib
import posixpath
from collections.abc import Iterable, Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.ecosystems import OsIdentity, os_identity, os_purl
from seawall.catalog.os.rpmdb_bdb import is_bdb_hash, iter_bdb_headers
from seawall.catalog.os.rpmdb_ndb import is_ndb, iter_ndb_headers
from seawall.catalog.os.rpmdb_sqlite import is_sqlite, read_sqlite_headers
from seawall.catalog.os.rpmheader import RpmFormatError, RpmHeader, parse_header, split_source_rpm
from seawall.model.package import Location, Package

DB_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
DB_NAMES = ("rpmdb.sqlite", "Packages", "Packages.db")
_WAL_SUFFIX = "-wal"
_WANTED = frozenset(
    f"{directory}/{name}" for directory in DB_DIRS for name in (*DB_NAMES, "rpmdb.sqlite-wal")
)
_MAX_HEADER_PROBLEMS = 20


class RpmCataloger:
    """Installed rpm packages, with epochs and source rpms."""

    NAME: ClassVar[str] = "os/rpm"
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = 256 * 1024 * 1024

    def wants(self, path: str) -> bool:
        return path in _WANTED

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        identity = os_identity(context.distro, "rpm")
        by_path = {file.path: file for file in files}
        packages: dict[tuple[str, int | None, str, str, str | None], Package] = {}
        problems: list[str] = []
        parsed: dict[bytes, list[RpmHeader]] = {}
        files_read = 0
        for file in sorted(files, key=lambda item: item.path):
            if file.path.endswith(_WAL_SUFFIX) or file.path not in _WANTED:
                continue
            files_read += 1
            digest = hashlib.sha256(file.content).digest()
            if digest not in parsed:
                wal = by_path.get(file.path + _WAL_SUFFIX)
                parsed[digest] = _read_database(file, wal, problems)
            # The same database through another path adds a location, not packages.
            for header in parsed[digest]:
                if header.name == "gpg-pubkey":
                    continue
                key = (header.name, header.epoch, header.version, header.release, header.arch)
                location = Location(file.path, file.layer)
                known = packages.get(key)
                if known is None:
                    packages[key] = _package(header, identity, location)
                elif location not in known.locations:
                    packages[key] = dataclasses.replace(
                        known, locations=(*known.locations, location)
                    )
        return CatalogResult(
            packages=tuple(packages.values()), problems=tuple(problems), files_read=files_read
        )


def _blobs(
    file: CatalogFile, wal: CatalogFile | None, problems: list[str]
) -> Iterable[tuple[int, bytes]]:
    data = file.content
    if is_sqlite(data):
        return read_sqlite_headers(data, wal.content if wal is not None else None)
    if is_ndb(data):
        return iter_ndb_headers(data, problems)
    if is_bdb_hash(data):
        return iter_bdb_headers(data, problems)
    if not data:
        raise RpmFormatError("file is empty")
    raise RpmFormatError("not an rpm database (neither sqlite, Berkeley DB hash nor ndb)")


def _read_database(
    file: CatalogFile, wal: CatalogFile | None, problems: list[str]
) -> list[RpmHeader]:
    """Every parseable header of one database; the rest are problems naming the file."""
    headers: list[RpmHeader] = []
    own: list[str] = []
    bad_headers = 0
    try:
        for record, blob in _blobs(file, wal, own):
            try:
                headers.append(parse_header(blob))
            except RpmFormatError as error:
                bad_headers += 1
                if bad_headers <= _MAX_HEADER_PROBLEMS:
                    own.append(f"record {record}: {error}")
    except RpmFormatError as error:
        own.append(str(error))
    if bad_headers > _MAX_HEADER_PROBLEMS:
        own.append(f"{bad_headers - _MAX_HEADER_PROBLEMS} more malformed header(s)")
    problems.extend(f"{file.path}: {problem}" for problem in own)
    return headers


def _package(header: RpmHeader, identity: OsIdentity, location: Location) -> Package:
    epoch_prefix = "" if header.epoch is None else f"{header.epoch}:"
    version_release = f"{header.version}-{header.release}"
    source_name, source_version = header.name, version_release
    if header.source_rpm is not None:
        parts = split_source_rpm(posixpath.basename(header.source_rpm))
        if parts is not None:
            source_name, source_version = parts[0], f"{parts[1]}-{parts[2]}"
    return Package(
        name=header.name,
        version=epoch_prefix + version_release,
        ecosystem=identity.ecosystem,
        purl=os_purl(identity, "rpm", header.name, version_release, header.arch, header.epoch),
        cataloger=RpmCataloger.NAME,
        ecosystem_release=identity.release,
        source_name=source_name,
        source_version=epoch_prefix + source_version,
        arch=header.arch,
        licenses=(header.license,) if header.license else (),
        locations=(location,),
    )
