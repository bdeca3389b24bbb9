"""Parsing the module-information text Go embeds in binaries (`runtime/debug.ParseBuildInfo`).

The text is line-oriented, fields separated by tabs:

    path    example.com/cmd/app
    mod     example.com/app     (devel)
    dep     golang.org/x/text   v0.14.0 h1:...
    dep     example.com/old     v1.0.0
    =>      example.com/new     v1.1.0  h1:...
    build   -ldflags="-s -w"
    build   GOOS=linux

A `=>` line replaces the module on the line before it. Build-setting keys and values
are written with strconv.Quote when they hold spaces, quotes, tabs or `=`, so they
are unquoted here with Go's escape rules.
"""

import re
from dataclasses import dataclass


class ModInfoError(ValueError):
    """The module-information text does not follow the format Go writes."""


@dataclass(frozen=True, slots=True)
class Module:
    """A module line: path, version and go.sum hash, and its replacement if any."""

    path: str
    version: str
    sum: str = ""
    replace: "Module | None" = None


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a Go binary says about how it was built."""

    go_version: str
    path: str = ""
    """Package path of the main package (`example.com/app/cmd/app`)."""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()
    """Build settings in order (`-compiler`/`gc`, `GOOS`/`linux`, `vcs.revision`/…)."""


def _module(fields: list[str], line_number: int) -> Module:
    if len(fields) not in (2, 3):
        raise ModInfoError(f"line {line_number}: expected 2 or 3 columns, got {len(fields)}")
    return Module(fields[0], fields[1], fields[2] if len(fields) == 3 else "")


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    """Parse module-information `text` as `debug.ParseBuildInfo` does.

    As there, a final line without a newline is ignored.
    """
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    # Which module a following `=>` line replaces: "main", a dep index, or None.
    last: str | int | None = None
    lines = text.split("\n")[:-1]
    for number, line in enumerate(lines, start=1):
        kind, _, rest = line.partition("\t")
        if kind == "path":
            path = rest
        elif kind == "mod":
            main = _module(rest.split("\t"), number)
            last = "main"
        elif kind == "dep":
            deps.append(_module(rest.split("\t"), number))
            last = len(deps) - 1
        elif kind == "=>":
            fields = rest.split("\t")
            if len(fields) != 3:
                raise ModInfoError(f"line {number}: expected 3 columns for replacement")
            replacement = Module(fields[0], fields[1], fields[2])
            if last == "main" and main is not None:
                main = Module(main.path, main.version, main.sum, replacement)
            elif isinstance(last, int):
                old = deps[last]
                deps[last] = Module(old.path, old.version, old.sum, replacement)
            else:
                raise ModInfoError(f"line {number}: replacement with no module on previous line")
            last = None
        elif kind == "build":
            settings.append(_setting(rest, number))
    return BuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def _setting(text: str, line_number: int) -> tuple[str, str]:
    if not text or text[0] == "=":
        raise ModInfoError(f"line {line_number}: build setting without a key")
    if text[0] in '"`':
        match = _QUOTED_PREFIX.match(text)
        if match is None or text[match.end() : match.end() + 1] != "=":
            raise ModInfoError(f"line {line_number}: malformed quoted build-setting key")
        key = _unquote(match.group(0), line_number)
        raw_value = text[match.end() + 1 :]
    else:
        key, equals, raw_value = text.partition("=")
        if not equals:
            raise ModInfoError(f"line {line_number}: build setting without '='")
    value = _unquote(raw_value, line_number) if raw_value[:1] in ('"', "`") else raw_value
    return key, value


_QUOTED_PREFIX = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_ESCAPE = re.compile(
    r"\\(?:(?P<simple>[abfnrtv\\'\"])|x(?P<hex>[0-9a-fA-F]{2})|(?P<oct>[0-7]{3})"
    r"|u(?P<u4>[0-9a-fA-F]{4})|U(?P<u8>[0-9a-fA-F]{8}))"
)
_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def _unquote(literal: str, line_number: int) -> str:
    """strconv.Unquote for the double-quoted and raw string forms strconv.Quote writes."""
    if len(literal) >= 2 and literal[0] == literal[-1] == "`":
        return literal[1:-1]
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ModInfoError(f"line {line_number}: malformed quoted build-setting value")
    out = bytearray()
    body = literal[1:-1]
    cursor = 0
    for match in _ESCAPE.finditer(body):
        if "\\" in body[cursor : match.start()] or '"' in body[cursor : match.start()]:
            break
        out += body[cursor : match.start()].encode()
        if match["simple"]:
            out.append(_SIMPLE[match["simple"]])
        elif match["hex"]:
            out.append(int(match["hex"], 16))
        elif match["oct"]:
            out.append(int(match["oct"], 8) & 0xFF)
        else:
            code = int(match["u4"] or match["u8"], 16)
            if code > 0x10FFFF:
                raise ModInfoError(f"line {line_number}: escape names no Unicode code point")
            out += chr(code).encode("utf-8", "replace")
        cursor = match.end()
    tail = body[cursor:]
    if "\\" in tail or '"' in tail:
        raise ModInfoError(f"line {line_number}: bad escape in quoted build setting")
    out += tail.encode()
    return out.decode("utf-8", "replace")
