"""pip requirements files: pinned requirements, `-r`/`-c` includes, constraints.

Follows pip's requirements-file format (pip docs, "Requirements File
Format"): `#` comments (at line start or after whitespace), `\\` line
continuations, per-line options after the requirement (`--hash=…`, ignored),
PEP 508 requirements with extras and environment markers.

What becomes a package: only an exact pin (`==X` without a wildcard, or
`===X`), because only a pin says which release is installed; ranges say
nothing about it and are not reported (trivy does the same; a package with
no version cannot be matched against advisories anyway). A requirement
pinned only by a constraints file (`-c`) is reported with the constraint's
version. Environment markers are kept but not evaluated: the target
interpreter is unknown, so every pinned alternative is reported. Editable
requirements (`-e`), URLs, paths and direct references (`name @ url`) are
not releases and are skipped, with a debug log line that omits the URL
(URLs may carry credentials).

`-r`/`-c` paths are resolved relative to the including file and fetched
with `context.lookup`; includes nest at most MAX_INCLUDE_DEPTH deep and a
cycle is reported as a problem. Each file is parsed once per call.
`*.in` files (pip-tools inputs) are not lockfiles and are not wanted.
"""

import logging
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from packaging.requirements import InvalidRequirement, Requirement

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.paths import is_requirements_file
from seawall.catalog.lang.python.names import normalize, pypi_package
from seawall.catalog.purls import clipped
from seawall.model.package import Location

logger = logging.getLogger(__name__)

MAX_INCLUDE_DEPTH = 8
_MAX_BYTES = 4 * 1024 * 1024
# pip's COMMENT_RE: a comment starts at a `#` at line start or after whitespace.
_COMMENT = re.compile(r"(^|\s+)#.*$")
_INCLUDE_OPTIONS = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
}
_EDITABLE_OPTIONS = ("-e", "--editable")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")


@dataclass(slots=True)
class _Parsed:
    """One requirements file, parsed: what it pins, names, and includes."""

    file: CatalogFile
    pins: list[tuple[str, str]] = field(default_factory=list)
    unpinned: list[str] = field(default_factory=list)
    includes: list[tuple[str, str, int]] = field(default_factory=list)
    """(kind, resolved path, line number); kind is "requirement" or "constraint"."""


class RequirementsCataloger:
    """Pinned packages from pip requirements files."""

    NAME: ClassVar[str] = "python/requirements"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return is_requirements_file(path)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        walker = _Walker(self, context, out)
        for file in files:
            walker.offer(file)
        for file in files:
            # A constraints file alone installs nothing; it only pins what
            # a requirements file that includes it names.
            base = file.path.rpartition("/")[2]
            if "constraints" in base and "requirements" not in base:
                continue
            walker.walk_root(file.path)
        return out.result()


class _Walker:
    """Parses files on demand (once each) and walks the include graph from a root."""

    def __init__(
        self, cataloger: RequirementsCataloger, context: CatalogContext, out: Collector
    ) -> None:
        self._cataloger = cataloger
        self._context = context
        self._out = out
        self._offered: dict[str, CatalogFile] = {}
        self._parsed: dict[str, _Parsed | None] = {}

    def offer(self, file: CatalogFile) -> None:
        """Make a handed-in file available to includes without a lookup."""
        self._offered[file.path] = file

    def walk_root(self, path: str) -> None:
        """Report the pins reachable from one top-level requirements file."""
        constraint_pins: dict[str, tuple[str, str, Location]] = {}
        pinned: set[str] = set()
        unpinned: dict[str, list[Location]] = {}
        visited: set[tuple[str, str]] = set()
        # Depth-first with an explicit stack of (path, kind, chain of includers, include line).
        todo: list[tuple[str, str, tuple[str, ...], int]] = [(path, "requirement", (), 0)]
        while todo:
            current, kind, chain, origin_line = todo.pop()
            if (current, kind) in visited:
                continue
            visited.add((current, kind))
            parsed = self._parse(current, chain[-1] if chain else None, origin_line)
            if parsed is None:
                continue
            where = locate(parsed.file)
            for name, version in parsed.pins:
                if kind == "requirement":
                    self._out.add(pypi_package(name, version, self._cataloger.NAME, (where,)))
                    pinned.add(normalize(name))
                else:
                    constraint_pins.setdefault(normalize(name), (name, version, where))
            if kind == "requirement":
                for name in parsed.unpinned:
                    unpinned.setdefault(normalize(name), []).append(where)
            for include_kind, target, line in reversed(parsed.includes):
                if target == current or target in chain:
                    self._out.problem(current, f"line {line}: include cycle through {target}")
                elif len(chain) >= MAX_INCLUDE_DEPTH:
                    self._out.problem(
                        current, f"line {line}: includes nested deeper than {MAX_INCLUDE_DEPTH}"
                    )
                else:
                    # Inside a constraints file every include is a constraint too (as in pip).
                    effective = "constraint" if kind == "constraint" else include_kind
                    todo.append((target, effective, (*chain, current), line))
        for key, locations in unpinned.items():
            if key in pinned or key not in constraint_pins:
                continue
            name, version, where = constraint_pins[key]
            self._out.add(pypi_package(name, version, self._cataloger.NAME, (*locations, where)))

    def _parse(self, path: str, includer: str | None, line: int) -> _Parsed | None:
        if path in self._parsed:
            return self._parsed[path]
        file = self._offered.get(path)
        if file is None:
            file = self._context.lookup(path)
            if file is None:
                where = f"{includer}: line {line}" if includer else path
                self._out.problem(where, f"included file {clipped(path)} is not available")
                self._parsed[path] = None
                return None
        parsed: _Parsed | None = None
        if self._out.read(file, self._cataloger.MAX_FILE_BYTES):
            parsed = _parse_file(file, self._out)
        self._parsed[path] = parsed
        return parsed


def _parse_file(file: CatalogFile, out: Collector) -> _Parsed:
    parsed = _Parsed(file=file)
    text = file.content.decode("utf-8", errors="replace")
    directory = posixpath.dirname(file.path)
    for number, line in _logical_lines(text):
        tokens = line.split()
        first = tokens[0]
        if first.startswith("-"):
            _parse_option(tokens, number, directory, parsed, out)
            continue
        # pip: the requirement is every token before the first option token.
        spec_tokens: list[str] = []
        for token in tokens:
            if token.startswith("-"):
                break
            spec_tokens.append(token)
        spec = " ".join(spec_tokens)
        head = spec.split(";", 1)[0].strip()
        if "://" in head or head.startswith((".", "/", "~")) or head.endswith(_ARCHIVE_SUFFIXES):
            logger.debug("%s: line %d: URL or path requirement skipped", file.path, number)
            continue
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as exc:
            out.problem(file.path, f"line {number}: invalid requirement: {_first_line(exc)}")
            continue
        if requirement.url:
            logger.debug("%s: line %d: direct reference skipped", file.path, number)
            continue
        version = _pinned_version(requirement)
        if version is None:
            parsed.unpinned.append(requirement.name)
        else:
            parsed.pins.append((requirement.name, version))
    return parsed


def _parse_option(
    tokens: list[str], number: int, directory: str, parsed: _Parsed, out: Collector
) -> None:
    option, _, inline = tokens[0].partition("=")
    if option in _EDITABLE_OPTIONS or option.startswith("-e"):
        logger.debug("%s: line %d: editable requirement skipped", parsed.file.path, number)
        return
    kind = _INCLUDE_OPTIONS.get(option)
    target = inline or (tokens[1] if len(tokens) > 1 else "")
    if kind is None and option[:2] in ("-r", "-c") and len(option) > 2:
        # short option glued to its value: -rbase.txt
        kind = _INCLUDE_OPTIONS[option[:2]]
        target = option[2:]
    if kind is None:
        return  # --index-url, --hash on its own line, --pre …: no packages
    if not target:
        out.problem(parsed.file.path, f"line {number}: {option} without a file")
        return
    if "://" in target:
        logger.debug("%s: line %d: remote include skipped", parsed.file.path, number)
        return
    resolved = posixpath.normpath(posixpath.join(directory, target))
    if not resolved.startswith("/"):
        resolved = "/" + resolved
    parsed.includes.append((kind, resolved, number))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join `\\` continuations, drop comments and blanks (pip's join_lines, ignore_comments)."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        # A comment line ends a continuation rather than continuing it.
        if raw.endswith("\\") and not _COMMENT.match(raw.lstrip()):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        line = _COMMENT.sub("", " ".join(pending) if len(pending) > 1 else pending[0]).strip()
        pending = []
        if line:
            lines.append((start, line))
    if pending:
        line = _COMMENT.sub("", " ".join(pending)).strip()
        if line:
            lines.append((start, line))
    return lines


def _pinned_version(requirement: Requirement) -> str | None:
    for specifier in requirement.specifier:
        if specifier.operator == "===" or (
            specifier.operator == "==" and not specifier.version.endswith(".*")
        ):
            return specifier.version
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
