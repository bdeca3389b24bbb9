"""`go/mod`: Go module requirements from go.mod, completed by go.sum for old modules.

go.mod grammar (https://go.dev/ref/mod#go-mod-file): one directive per line or a
parenthesised block of them; `//` comments; tokens may be quoted ("…" or `…`).
Reported: every `require` (direct and `// indirect`), with `replace` applied (the
replacement's path and version are what gets built; a replacement by a local
directory keeps the original path with version `(devel)` and a purl without a
version, as in `go/binary`), minus the exact versions named by `exclude`.

Since Go 1.17 go.mod lists every module the build needs ("module graph pruning"). For
an older `go` directive, go.sum in the same directory adds the modules whose source
hash it records (lines without `/go.mod`), at the highest version listed, as trivy
does; go.sum is never used alone, because it also lists modules that are not built.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.go.binary import golang_package
from seawall.catalog.purls import PurlError, clipped
from seawall.model.package import GO_DEVEL_VERSION, Location

NAME = "go/mod"
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//.*|[^\s"`]+')


class GoModError(ValueError):
    """A go.mod line that does not follow the grammar."""


@dataclass(frozen=True, slots=True)
class Requirement:
    path: str
    version: str
    indirect: bool = False


@dataclass(frozen=True, slots=True)
class Replacement:
    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None


@dataclass(frozen=True, slots=True)
class GoMod:
    """The directives of one go.mod file that decide what is built."""

    module: str = ""
    go: str = ""
    requires: tuple[Requirement, ...] = ()
    replaces: tuple[Replacement, ...] = ()
    excludes: frozenset[tuple[str, str]] = frozenset()


def _tokens(line: str) -> tuple[list[str], str]:
    """Tokens of a line, unquoted, and its trailing comment text."""
    tokens: list[str] = []
    comment = ""
    for match in _TOKEN.finditer(line):
        token = match.group(0)
        if token.startswith("//"):
            comment = token[2:].strip()
            break
        if token[0] == "`":
            token = token[1:-1]
        elif token[0] == '"':
            token = re.sub(r"\\(.)", r"\1", token[1:-1])
        tokens.append(token)
    return tokens, comment


def parse_go_mod(text: str) -> tuple[GoMod, list[str]]:
    """Parse go.mod text: the directives, and one message per line that could not be read."""
    module = go = ""
    requires: list[Requirement] = []
    replaces: list[Replacement] = []
    excludes: set[tuple[str, str]] = set()
    errors: list[str] = []
    block: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        tokens, comment = _tokens(line)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            verb, args = block, tokens
        elif len(tokens) == 2 and tokens[1] == "(":
            block = tokens[0]
            continue
        else:
            verb, args = tokens[0], tokens[1:]
        try:
            if verb == "module" and len(args) == 1:
                module = args[0]
            elif verb == "go" and len(args) == 1:
                go = args[0]
            elif verb == "require":
                if len(args) != 2:
                    raise GoModError("require needs a module path and a version")
                indirect = comment == "indirect" or comment.startswith("indirect;")
                requires.append(Requirement(args[0], args[1], indirect))
            elif verb == "exclude":
                if len(args) != 2:
                    raise GoModError("exclude needs a module path and a version")
                excludes.add((args[0], args[1]))
            elif verb == "replace":
                replaces.append(_replacement(args))
        except GoModError as error:
            errors.append(f"line {number}: {error}")
    if block is not None:
        errors.append(f"unterminated {clipped(block)} block")
    return GoMod(module, go, tuple(requires), tuple(replaces), frozenset(excludes)), errors


def _replacement(args: list[str]) -> Replacement:
    if "=>" not in args:
        raise GoModError("replace without =>")
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise GoModError("replace needs `path [version] => path [version]`")
    return Replacement(
        old[0], old[1] if len(old) == 2 else None, new[0], new[1] if len(new) == 2 else None
    )


def parse_go_sum(text: str) -> dict[str, list[str]]:
    """Module path → versions whose source hash go.sum records (`/go.mod` lines skipped)."""
    versions: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 3 or fields[1].endswith("/go.mod"):
            continue
        versions.setdefault(fields[0], []).append(fields[1])
    return versions


def _go_before_117(go: str) -> bool:
    match = re.match(r"1\.(\d+)", go)
    return match is not None and int(match.group(1)) < 17


def _semver_key(version: str) -> tuple[tuple[int, ...], int, str]:
    core, _, pre = version.lstrip("v").partition("-")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in core.split("+")[0].split("."))
    # A release sorts after its pre-releases (semver §11).
    return numbers, 0 if pre else 1, pre


def resolve(mod: GoMod, go_sum: dict[str, list[str]] | None) -> list[tuple[str, str]]:
    """(path, version) of every module built, replacements applied, exclusions removed."""
    chosen: dict[str, str] = {}
    for requirement in mod.requires:
        if (requirement.path, requirement.version) not in mod.excludes:
            chosen[requirement.path] = requirement.version
    if go_sum is not None and _go_before_117(mod.go):
        for path, versions in go_sum.items():
            if path not in chosen and path != mod.module:
                chosen[path] = max(versions, key=_semver_key)
    resolved: list[tuple[str, str]] = []
    for path, version in chosen.items():
        resolved.append(_apply_replace(mod.replaces, path, version))
    return resolved


def _apply_replace(replaces: Sequence[Replacement], path: str, version: str) -> tuple[str, str]:
    # A versioned replace wins over a path-wide one (go.dev/ref/mod#go-mod-file-replace).
    exact = [r for r in replaces if r.old_path == path and r.old_version == version]
    wide = [r for r in replaces if r.old_path == path and r.old_version is None]
    for replacement in exact[-1:] or wide[-1:]:
        if replacement.new_version is None:
            return path, GO_DEVEL_VERSION
        return replacement.new_path, replacement.new_version
    return path, version


class GoModCataloger:
    """Go module requirements declared by go.mod (and go.sum for modules older than go 1.17)."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 3
    MAX_FILE_BYTES: ClassVar[int] = 8 * 1024 * 1024
    """Real go.mod and go.sum files are well under 1 MiB."""

    def wants(self, path: str) -> bool:
        return path.endswith(("/go.mod", "/go.sum"))

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        sums = {file.path[: -len("go.sum")]: file for file in files if file.path.endswith("go.sum")}

        def find(file: CatalogFile) -> Findings:
            if not file.path.endswith("go.mod"):
                return [], [], []
            try:
                text = file.content.decode("utf-8")
            except UnicodeDecodeError as error:
                return [], [], [f"not UTF-8 text ({error.reason})"]
            mod, errors = parse_go_mod(text)
            sum_file = sums.get(file.path[: -len("go.mod")])
            go_sum = None
            if sum_file is not None:
                go_sum = parse_go_sum(sum_file.content.decode("utf-8", "replace"))
            location = Location(file.path, file.layer)
            packages = []
            for path, version in resolve(mod, go_sum):
                try:
                    packages.append(golang_package(path, version, NAME, (location,)))
                except PurlError as error:
                    errors.append(str(error))
            return packages, [], errors

        return gather(files, find)
