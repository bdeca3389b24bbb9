"""dpkg's diversions: where a package's file really is when another package diverted it.

`/var/lib/dpkg/diversions` holds one diversion per three lines (dpkg-divert(1);
read by dpkg's `ensure_diversions`, lib/dpkg/db-fsys-divert.c): the diverted
path, the path it is diverted to, and the package that owns the diversion,
or `:` for a local one (made by the administrator). dpkg then unpacks every
package's version of the diverted path at the diverted-to path, except the
version of the diversion's own package, which stays where it was
(`namenodetouse`, src/main/help.c: diverted when the diversion has a target
and its package is not the one being unpacked; a local diversion has none,
so it diverts every package). A package's file list keeps the path as
packaged: `libpq-dev.list` names `/usr/bin/pg_config` while its file is
`/usr/bin/pg_config.libpq-dev`, since `postgresql-common` diverts it.

dpkg refuses the whole file when one path takes part in two diversions
("conflicting diversions involving …"); here the later entry is a problem
and the earlier ones still count, as does every other malformed entry.
"""

import re
from dataclasses import dataclass

from seawall.catalog.os.filelists import normal_path, shown

DIVERSIONS_PATH = "/var/lib/dpkg/diversions"
MAX_DIVERSIONS = 100_000
"""Diversions read from one file: a Debian system has tens of them."""
_MAX_PROBLEMS = 20
_LOCAL = ":"
# Debian Policy §5.6.1 (lower case) and what dpkg accepts beyond it (upper case).
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.-]*")


@dataclass(frozen=True, slots=True)
class Diversion:
    """One diversion: `source` is unpacked at `target` for every package but `package`."""

    source: str
    target: str
    package: str | None
    """The package owning the diversion; None for a local diversion, which diverts all."""

    def path_for(self, package: str) -> str:
        """Where `package`'s version of `source` is on disk."""
        return self.source if package == self.package else self.target


@dataclass(frozen=True, slots=True)
class Diversions:
    """The diversions of one file, by diverted path, and the problems reading it."""

    by_source: dict[str, Diversion]
    problems: tuple[str, ...] = ()


def parse_diversions(content: bytes, where: str = DIVERSIONS_PATH) -> Diversions:
    """The diversions in `content` (the bytes of `where`); never raises."""
    text = content.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline ending the last line
    problems: list[str] = []
    by_source: dict[str, Diversion] = {}
    involved: set[str] = set()
    whole = len(lines) - len(lines) % 3
    for start in range(0, whole, 3):
        if len(by_source) >= MAX_DIVERSIONS:
            problems.append(f"more than {MAX_DIVERSIONS} diversions; the rest are ignored")
            break
        entry = f"entry at line {start + 1}"
        raw_source, raw_target, package = lines[start : start + 3]
        source = normal_path(raw_source) if raw_source.startswith("/") else None
        target = normal_path(raw_target) if raw_target.startswith("/") else None
        if source is None or target is None:
            bad = raw_source if source is None else raw_target
            problems.append(f"{entry}: {shown(bad)} is not an absolute path without '..'")
            continue
        if package != _LOCAL and _PACKAGE_NAME.fullmatch(package) is None:
            problems.append(f"{entry}: {shown(package)} is neither a package name nor ':'")
            continue
        if source == target:
            problems.append(f"{entry}: {shown(source)} is diverted to itself")
            continue
        if source in involved or target in involved:
            problems.append(
                f"{entry}: conflicting diversions involving {shown(source)} or {shown(target)}"
            )
            continue
        involved.update((source, target))
        by_source[source] = Diversion(source, target, None if package == _LOCAL else package)
    if whole != len(lines) and len(by_source) < MAX_DIVERSIONS:
        problems.append(f"ends inside an entry: the last {len(lines) - whole} line(s) are ignored")
    if len(problems) > _MAX_PROBLEMS:
        dropped = len(problems) - _MAX_PROBLEMS
        problems = [*problems[:_MAX_PROBLEMS], f"{dropped} more problem(s) not listed"]
    return Diversions(by_source, tuple(f"{where}: {problem}" for problem in problems))
