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

Ownership: every path in a package's file list (BASENAMES, DIRNAMES and
DIRINDEXES of its header, see rpmheader.py) is reported as owned by that
package (`CatalogResult.owned`), the answer `rpm -qf` gives; the pipeline
marks a language package whose metadata rpm installed (Fedora's
`python3-requests` dist-info) with that owner. The database is one file kept
whole by the reduced layers, so every path of every list arrives here. File
lists are bounded for the whole call (`MAX_LISTED_FILES` entries,
`MAX_LISTED_PATH_CHARACTERS` characters once expanded: a hostile header can
repeat one long directory name for every file); a list that is malformed or
over what is left is a problem, and its package is still reported, only
owning nothing.
"""

import dataclasses
import hashlib
import posixpath
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.ecosystems import OsIdentity, os_identity, os_purl
from seawall.catalog.os.rpmdb_bdb import is_bdb_hash, iter_bdb_headers
from seawall.catalog.os.rpmdb_ndb import is_ndb, iter_ndb_headers
from seawall.catalog.os.rpmdb_sqlite import is_sqlite, read_sqlite_headers
from seawall.catalog.os.rpmheader import (
    MAX_FILES,
    RpmFormatError,
    RpmHeader,
    parse_header,
    split_source_rpm,
)
from seawall.catalog.purls import PurlError
from seawall.model.package import Location, Package

DB_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
DB_NAMES = ("rpmdb.sqlite", "Packages", "Packages.db")
_WAL_SUFFIX = "-wal"
_WANTED = frozenset(
    f"{directory}/{name}" for directory in DB_DIRS for name in (*DB_NAMES, "rpmdb.sqlite-wal")
)
_MAX_HEADER_PROBLEMS = 20
MAX_LISTED_FILES = 1_000_000
"""File-list entries (base names plus directory names) read in one call: several times a
full RHEL workstation's ~250,000 files."""
MAX_LISTED_PATH_CHARACTERS = 128 * 1024 * 1024
"""Characters of expanded paths reported in one call."""

_PackageKey = tuple[str, int | None, str, str, str | None]


@dataclasses.dataclass(slots=True)
class _FileBudget:
    """What is left of the bounds on file lists for one `catalog` call."""

    entries: int = MAX_LISTED_FILES
    characters: int = MAX_LISTED_PATH_CHARACTERS
    unread: int = 0
    """Headers whose file list was not read because `entries` ran out."""
    unexpanded: list[str] = dataclasses.field(default_factory=list)
    """`path: package` of the file lists not expanded because `characters` ran out."""

    def problems(self) -> list[str]:
        """One problem for each bound that was reached."""
        found = []
        if self.unread:
            found.append(
                f"file lists hold more than {MAX_LISTED_FILES} entries in all: those of the "
                f"{self.unread} package(s) read after that were skipped, and their files are "
                "not marked as owned"
            )
        if self.unexpanded:
            found.append(
                f"file lists expand to more than {MAX_LISTED_PATH_CHARACTERS} characters in "
                f"all: the files of {len(self.unexpanded)} package(s) (first "
                f"{self.unexpanded[0]}) are not marked as owned"
            )
        return found


class RpmCataloger:
    """Installed rpm packages, with epochs and source rpms."""

    NAME: ClassVar[str] = "os/rpm"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = 256 * 1024 * 1024

    def wants(self, path: str) -> bool:
        return path in _WANTED

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        identity = os_identity(context.distro, "rpm")
        by_path = {file.path: file for file in files}
        packages: dict[_PackageKey, Package] = {}
        problems: list[str] = []
        parsed: dict[bytes, list[RpmHeader]] = {}
        budget = _FileBudget()
        owned: list[tuple[str, str]] = []
        owning: set[_PackageKey] = set()
        files_read = 0
        for file in sorted(files, key=lambda item: item.path):
            if file.path.endswith(_WAL_SUFFIX) or file.path not in _WANTED:
                continue
            files_read += 1
            digest = hashlib.sha256(file.content).digest()
            if digest not in parsed:
                wal = by_path.get(file.path + _WAL_SUFFIX)
                parsed[digest] = _read_database(file, wal, problems, budget)
            # The same database through another path adds a location, not packages.
            for header in parsed[digest]:
                if header.name == "gpg-pubkey":
                    continue
                key = (header.name, header.epoch, header.version, header.release, header.arch)
                location = Location(file.path, file.layer)
                known = packages.get(key)
                if known is None:
                    try:
                        packages[key] = _package(header, identity, location)
                    except PurlError as error:
                        problems.append(f"{file.path}: {error}; skipped")
                        continue
                elif location not in known.locations:
                    packages[key] = dataclasses.replace(
                        known, locations=(*known.locations, location)
                    )
                if header.files and key not in owning:
                    # A package seen again (another path, another format) owns the same files.
                    owning.add(key)
                    _own(header, packages[key].purl, file.path, budget, owned)
        problems.extend(budget.problems())
        return CatalogResult(
            packages=tuple(packages.values()),
            problems=tuple(problems),
            files_read=files_read,
            owned=tuple(owned),
        )


def _own(
    header: RpmHeader, purl: str, path: str, budget: _FileBudget, owned: list[tuple[str, str]]
) -> None:
    """Report every path of the header's file list as owned by `purl`, within the budget."""
    characters = header.files.path_length()
    if characters > budget.characters:
        budget.unexpanded.append(f"{path}: {header.name}")
        return
    budget.characters -= characters
    owned.extend(zip(header.files.paths(), repeat(purl)))


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
    file: CatalogFile, wal: CatalogFile | None, problems: list[str], budget: _FileBudget
) -> list[RpmHeader]:
    """Every parseable header of one database; the rest are problems naming the file.

    A header whose file list is malformed is kept (without files) and its
    list is a problem too; file lists are read while `budget` lasts.
    """
    headers: list[RpmHeader] = []
    own: list[str] = []
    bad_headers = bad_lists = 0
    try:
        for record, blob in _blobs(file, wal, own):
            limit = max(0, min(MAX_FILES, budget.entries))
            try:
                header = parse_header(blob, max_files=limit)
            except RpmFormatError as error:
                bad_headers += 1
                if bad_headers <= _MAX_HEADER_PROBLEMS:
                    own.append(f"record {record}: {error}")
                continue
            headers.append(header)
            if limit == 0:
                budget.unread += 1
            elif header.files_problem is not None:
                bad_lists += 1
                if bad_lists <= _MAX_HEADER_PROBLEMS:
                    left = (
                        ""
                        if limit == MAX_FILES
                        else f" (all file lists may hold {MAX_LISTED_FILES})"
                    )
                    own.append(
                        f"record {record} ({header.name}): file list not read, its files are "
                        f"not marked as owned: {header.files_problem}{left}"
                    )
            # Both arrays are held until the call ends (and bounded by `limit` each).
            budget.entries -= len(header.files) + len(header.files.dirnames)
    except RpmFormatError as error:
        own.append(str(error))
    if bad_headers > _MAX_HEADER_PROBLEMS:
        own.append(f"{bad_headers - _MAX_HEADER_PROBLEMS} more malformed header(s)")
    if bad_lists > _MAX_HEADER_PROBLEMS:
        own.append(f"{bad_lists - _MAX_HEADER_PROBLEMS} more malformed file list(s)")
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
