"""Debian packages from dpkg's database: `/var/lib/dpkg/status` and distroless `status.d/`.

Which packages count as installed: those whose files are on disk, i.e. every
`Status:` state except `not-installed` and `config-files` (dpkg(1), "Package
states"). `half-installed`, `unpacked`, `half-configured`, `triggers-awaited`
and `triggers-pending` packages have their files unpacked, so their code is in
the image and can be vulnerable; `config-files` packages left only conffiles
behind (what `dpkg -l` shows as `rc`). This is the set `dpkg-query -W` lists
minus those two states.

The source package comes from `Source:` (`src` or `src (srcversion)`, Debian
Policy §5.6.1); without it the source is the binary package itself, and
without a version in parentheses the source version is the binary's, exactly
as dpkg-query's `${source:Package}` and `${source:Version}` compute them.

Distroless images (GoogleContainerTools/distroless, PACKAGE_METADATA.md)
have no `status` file but one control stanza per package in
`status.d/<name>`, next to `<name>.md5sums`.

Ownership (`CatalogResult.owned`): which installed package put a path on
disk, so that a language package whose metadata a Debian package installed
names it as its owner. The paths come from each package's file list
(filelists.py): `info/<package>[:<arch>].list`, else, where that is
missing, `info/<package>[:<arch>].md5sums`, and for distroless
`status.d/<name>.md5sums`, which belongs to the package whose stanza is in
`status.d/<name>` (the file's name need not be the package's: newer
distroless images add a suffix). The pipeline keeps of these files only the
lines naming files another cataloger reads (a dist-info, a package.json, a
program). A file list whose package the status database does not show
installed owns nothing. Diversions (`/var/lib/dpkg/diversions`,
diversions.py) move a listed path to where dpkg unpacked it: the owner of a
diverted path is the diverting package, and the other packages' versions are
owned at the diverted-to path.

Licences are best effort, from `/usr/share/doc/<package>/copyright`: the
`License:` fields of a machine-readable file (DEP-5, copyright-format 1.0)
split on its `or`/`and` operators, else the `/usr/share/common-licenses/<name>`
files a free-form copyright file refers to.
"""

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.deb822 import StanzaReport, iter_stanzas
from seawall.catalog.os.diversions import DIVERSIONS_PATH, Diversion, parse_diversions
from seawall.catalog.os.ecosystems import OsIdentity, os_identity, os_purl
from seawall.catalog.os.filelists import (
    DPKG_STATUS_D,
    dpkg_list_package,
    is_dpkg_file_list,
    is_status_d_md5sums,
    list_entries,
    malformed_reason,
    shown,
    status_d_stanza_file,
    superseding_list,
)
from seawall.catalog.purls import PurlError, clipped
from seawall.model.package import Location, Package

STATUS_PATH = "/var/lib/dpkg/status"
STATUS_D = DPKG_STATUS_D
DOC_DIR = "/usr/share/doc/"
MAX_LISTED_FILES = 1_000_000
"""File-list entries read in one call: several times the ~250,000 files of a big system."""
MAX_LISTED_BYTES = 128 * 1024 * 1024
"""Bytes of file lists read in one call."""

_NOT_ON_DISK = frozenset({"not-installed", "config-files"})
_SOURCE = re.compile(r"^(?P<name>\S+)(?:\s*\((?P<version>[^)]*)\))?\s*$")
# Anchored on a literal newline rather than `^` with MULTILINE: the regex engine
# then scans for "\n" quickly, which matters over megabytes of licence texts.
_LICENSE_LINE = re.compile(r"\n[Ll][Ii][Cc][Ee][Nn][Ss][Ee]:[ \t]*(?P<value>.*)")
_LICENSE_OPERATOR = re.compile(r"\s+(?:or|and)\s+", re.IGNORECASE)
_COMMON_LICENSE = re.compile(r"/usr/share/common-licenses/(?P<name>[A-Za-z0-9][A-Za-z0-9.+_-]*)")
_MAX_PROBLEMS_PER_FILE = 20


def copyright_licenses(content: bytes) -> tuple[str, ...]:
    """The licences a Debian copyright file declares, best effort, in order of appearance."""
    text = content.decode("utf-8", errors="replace")
    found: list[str] = []
    # copyright-format 1.0: a machine-readable file starts with a Format: field.
    head = text.lstrip("\ufeff")[:512].lower()
    if head.startswith(("format:", "format-specification:")):
        for match in _LICENSE_LINE.finditer("\n" + text):
            for part in _LICENSE_OPERATOR.split(match.group("value").strip(" \t\r")):
                name = part.strip().strip(",")
                if name:
                    found.append(name)
    else:
        found.extend(match.group("name").rstrip(".") for match in _COMMON_LICENSE.finditer(text))
    return tuple(dict.fromkeys(found))


def _is_status_file(path: str) -> bool:
    if path == STATUS_PATH:
        return True
    if not path.startswith(STATUS_D):
        return False
    name = path[len(STATUS_D) :]
    return bool(name) and "/" not in name and not name.endswith(".md5sums")


def _is_copyright(path: str) -> bool:
    if not path.startswith(DOC_DIR) or not path.endswith("/copyright"):
        return False
    package = path[len(DOC_DIR) : -len("/copyright")]
    return bool(package) and "/" not in package


class DpkgCataloger:
    """Installed Debian and Ubuntu packages, with their source packages."""

    NAME: ClassVar[str] = "os/dpkg"
    VERSION: ClassVar[int] = 4
    MAX_FILE_BYTES: ClassVar[int] = 64 * 1024 * 1024

    def wants(self, path: str) -> bool:
        return (
            _is_status_file(path)
            or _is_copyright(path)
            or is_dpkg_file_list(path)
            or path == DIVERSIONS_PATH
        )

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        identity = os_identity(context.distro, "deb")
        copyrights = {file.path: file for file in files if _is_copyright(file.path)}

        def find_copyright(package: str) -> CatalogFile | None:
            path = f"{DOC_DIR}{package}/copyright"
            return copyrights.get(path) or context.lookup(path)

        packages: dict[tuple[str, str, str | None], Package] = {}
        problems: list[str] = []
        files_read = 0
        stanza_files: dict[str, list[Package]] = {}
        for file in sorted(files, key=lambda item: (item.path != STATUS_PATH, item.path)):
            if not _is_status_file(file.path):
                continue
            files_read += 1
            parsed = _parse_status(file, identity, find_copyright, problems)
            stanza_files[file.path] = parsed
            for package in parsed:
                key = (package.name, package.version, package.arch)
                if key in packages:
                    known = packages[key]
                    merged = tuple(dict.fromkeys(known.locations + package.locations))
                    packages[key] = dataclasses.replace(known, locations=merged)
                else:
                    packages[key] = package
        owned = _owned(files, packages.values(), stanza_files, problems)
        return CatalogResult(
            packages=tuple(packages.values()),
            problems=tuple(problems),
            files_read=files_read,
            owned=owned,
        )


def _owned(
    files: Sequence[CatalogFile],
    packages: Iterable[Package],
    stanza_files: Mapping[str, list[Package]],
    problems: list[str],
) -> tuple[tuple[str, str], ...]:
    """(path, owner purl) for each path the file lists of installed packages name,
    where diversions put it."""
    by_name: dict[str, list[Package]] = {}
    for package in packages:
        by_name.setdefault(package.name, []).append(package)
    present = {file.path for file in files}
    diversions: dict[str, Diversion] = {}
    listed: list[tuple[str, Package]] = []
    entries_left, bytes_left = MAX_LISTED_FILES, MAX_LISTED_BYTES
    over_budget: list[str] = []
    for file in files:
        if file.path == DIVERSIONS_PATH:
            read = parse_diversions(file.content, file.path)
            diversions = read.by_source
            problems.extend(read.problems)
            continue
        if not is_dpkg_file_list(file.path):
            continue
        owner = _list_owner(file.path, present, by_name, stanza_files, problems)
        if owner is None:
            continue
        if len(file.content) > bytes_left or entries_left <= 0:
            over_budget.append(file.path)
            continue
        bytes_left -= len(file.content)
        paths, file_problems = _listed_paths(file)
        if len(paths) > entries_left:
            over_budget.append(file.path)
            del paths[entries_left:]
        entries_left -= len(paths)
        listed.extend((path, owner) for path in paths)
        problems.extend(file_problems)
    if over_budget:
        problems.append(
            f"file lists hold more than {MAX_LISTED_FILES} entries or {MAX_LISTED_BYTES} "
            f"bytes in all: the entries of {len(over_budget)} file(s) past that (first "
            f"{over_budget[0]}) were skipped, and their files are not marked as owned"
        )
    if not diversions:
        return tuple((path, owner.purl) for path, owner in listed)
    # dpkg unpacks a diverted path at the diverted-to path unless the package
    # being unpacked owns the diversion (diversions.py).
    return tuple(
        (
            diversion.path_for(owner.name) if (diversion := diversions.get(path)) else path,
            owner.purl,
        )
        for path, owner in listed
    )


def _list_owner(
    path: str,
    present: set[str],
    by_name: Mapping[str, list[Package]],
    stanza_files: Mapping[str, list[Package]],
    problems: list[str],
) -> Package | None:
    """The installed package the file list at `path` belongs to, if any."""
    superseded_by = superseding_list(path)
    if superseded_by is not None and superseded_by in present:
        return None  # the `.list` names every path the md5sums do, and more
    name, arch = dpkg_list_package(path)
    if is_status_d_md5sums(path):
        stanza_file = status_d_stanza_file(path)
        if stanza_file in stanza_files:
            # The stanza in the file of the same name, whatever the package is called.
            installed = stanza_files[stanza_file]
            if len(installed) > 1:
                named = [p for p in installed if name in (p.name, f"{p.name}:{p.arch}")]
                if len(named) != 1:
                    problems.append(
                        f"{path}: {stanza_file} describes {len(installed)} installed packages "
                        "but not one the file is named after; its files are not marked as owned"
                    )
                    return None
                installed = named
            return installed[0] if installed else None
        # Without its stanza file: the package of that name, as syft looks it up.
        name, _, arch_part = name.partition(":")
        arch = arch_part or None
    # `<name>.list` belongs to the one installed architecture of a package that
    # is not `Multi-Arch: same`; `<name>:<arch>.list` names it.
    candidates = [p for p in by_name.get(name, ()) if arch is None or p.arch == arch]
    return candidates[0] if candidates else None


def _listed_paths(file: CatalogFile) -> tuple[list[str], list[str]]:
    """The normalised paths a file list names, and its problems."""
    paths: list[str] = []
    file_problems: list[str] = []
    for line, path in list_entries(file.path, file.content):
        if path is not None:
            paths.append(path)
        else:
            file_problems.append(
                f"{file.path}: line {shown(line)} {malformed_reason(file.path, line)}; ignored"
            )
    return paths, _capped(file.path, file_problems)


def _capped(where: str, file_problems: list[str]) -> list[str]:
    """At most `_MAX_PROBLEMS_PER_FILE` problems of one file, and how many more there were."""
    if len(file_problems) <= _MAX_PROBLEMS_PER_FILE:
        return file_problems
    dropped = len(file_problems) - _MAX_PROBLEMS_PER_FILE
    return [
        *file_problems[:_MAX_PROBLEMS_PER_FILE],
        f"{where}: {dropped} more problem(s) not listed",
    ]


def _parse_status(
    file: CatalogFile,
    identity: OsIdentity,
    find_copyright: Callable[[str], CatalogFile | None],
    problems: list[str],
) -> list[Package]:
    text = file.content.decode("utf-8", errors="replace")
    report = StanzaReport()
    in_status_d = file.path != STATUS_PATH
    found: list[Package] = []
    file_problems: list[str] = []
    stanzas = 0
    for stanza in iter_stanzas(text, report):
        stanzas += 1
        fields = stanza.fields
        name = fields.get("package", "")
        where = f"{file.path}: stanza at line {stanza.line}"
        if not name:
            file_problems.append(f"{where} has no Package field; skipped")
            continue
        # Problems echo hostile fields: shown() keeps the first 80 characters of each.
        named = f"{where} ({clipped(name)})"
        status = fields.get("status")
        if status is None:
            # A distroless status.d file is a package's control file plus, usually,
            # a Status line: its presence means the package is installed.
            if not in_status_d:
                file_problems.append(f"{named} has no Status field; skipped")
                continue
        else:
            words = status.split()
            if len(words) != 3:
                file_problems.append(f"{named} has a malformed Status {shown(status)}; skipped")
                continue
            if words[2] in _NOT_ON_DISK:
                continue
        version = fields.get("version", "")
        if not version:
            file_problems.append(f"{named} has no Version field; skipped")
            continue
        source_name, source_version = name, version
        source = fields.get("source")
        if source:
            match = _SOURCE.match(source)
            if match is None:
                file_problems.append(f"{named} has a malformed Source {shown(source)}")
            else:
                source_name = match.group("name")
                source_version = (match.group("version") or "").strip() or version
        arch = fields.get("architecture") or None
        locations = [Location(file.path, file.layer)]
        licenses: tuple[str, ...] = ()
        try:
            purl = os_purl(identity, "deb", name, version, arch)
        except PurlError as error:
            file_problems.append(f"{where}: {error}; skipped")
            continue
        copyright_file = find_copyright(name)
        if copyright_file is not None:
            licenses = copyright_licenses(copyright_file.content)
            locations.append(Location(copyright_file.path, copyright_file.layer))
        found.append(
            Package(
                name=name,
                version=version,
                ecosystem=identity.ecosystem,
                purl=purl,
                cataloger=DpkgCataloger.NAME,
                ecosystem_release=identity.release,
                source_name=source_name,
                source_version=source_version,
                arch=arch,
                licenses=licenses,
                locations=tuple(locations),
            )
        )
    if report.malformed_lines:
        file_problems.append(
            f"{file.path}: {report.malformed_lines} line(s) are neither a field nor a "
            f"continuation (first at line {report.first_malformed_line}); ignored"
        )
    if stanzas == 0 and text.strip():
        # An empty database is valid (nothing installed); text without a stanza is not.
        file_problems.append(f"{file.path}: no package stanza found")
    problems.extend(_capped(file.path, file_problems))
    return found
