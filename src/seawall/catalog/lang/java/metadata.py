"""Reading the two metadata formats found in Java archives: `.properties` and `MANIFEST.MF`.

- java.util.Properties.load: `key=value`, `key: value` or `key value`; `#`/`!` comments;
  a line ending in an odd number of backslashes continues on the next; `\\uXXXX` and
  the usual backslash escapes.
- JAR File Specification, "Manifest Specification": `Name: value` headers; a line
  starting with one space continues the previous one; the main section ends at the
  first blank line.
"""

import re

_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _ESCAPES.get(match.group(2), match.group(2))

    return _UNICODE_ESCAPE.sub(replace, text)


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.lstrip()
        if not pending and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending += line[:-1]
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def parse_properties(text: str) -> dict[str, str]:
    """The key/value pairs of a `.properties` file (later keys win, as in Properties.load)."""
    values: dict[str, str] = {}
    for line in _logical_lines(text):
        match = re.match(r"((?:[^\\=:\s]|\\.)*)\s*[=:\s]?\s*(.*)$", line, re.DOTALL)
        if match is None:
            continue
        values[_unescape(match.group(1))] = _unescape(match.group(2))
    return values


def parse_manifest(text: str) -> dict[str, str]:
    """The main-section attributes of a MANIFEST.MF (names as written; first one wins)."""
    attributes: dict[str, str] = {}
    last: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            break
        if line.startswith(" ") and last is not None:
            attributes[last] += line[1:]
            continue
        name, colon, value = line.partition(":")
        if not colon:
            last = None
            continue
        key = name.strip()
        if key in attributes:
            last = None  # a repeated header is ignored, continuation lines included
            continue
        attributes[key] = value[1:] if value.startswith(" ") else value
        last = key
    return {key: value.strip() for key, value in attributes.items()}
