"""A parser for yarn classic's (v1) lockfile syntax.

The format (yarn 1.x, src/lockfile/stringify.js and parse.js) is indented by
two spaces; each top-level entry is a header of one or more comma-separated
descriptors ending in `:`, followed by `key value` lines and nested `key:`
blocks (`dependencies:`). Strings that contain `:`, spaces, commas or quotes,
or do not start with a letter, are written double-quoted with JSON escapes;
other strings (and `true`, `false`, numbers) are bare. Every value is kept as
a string here. The parser is line-based, never recursive, and rejects
anything it does not understand with the line number.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from seawall.catalog.lang.documents import DocumentError

MAX_DEPTH = 8
"""Entries nest two levels (entry, dependencies); deeper is not a yarn lockfile."""

# Most lines are `key value` with a bare key and a plain value: one match, no loop.
_SIMPLE_PAIR = re.compile(r'([^\s,:"#]+) (?:"([^"\\\n]*)"|([^\s,:"#]+))[ \t]*$')
_TOKEN = re.compile(r'[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|([^\s,:"#]+)|(,)|(:)[ \t]*$|(#.*$)|$)')


class YarnLockError(DocumentError):
    """The file is not valid yarn v1 lockfile syntax."""


@dataclass(frozen=True, slots=True)
class YarnEntry:
    """One top-level entry: the descriptors it answers (`name@range`) and its fields."""

    descriptors: tuple[str, ...]
    fields: dict[str, Any]
    """Strings, or nested dicts of strings for blocks such as `dependencies`."""


def parse_yarn_v1(text: str) -> list[YarnEntry]:
    """Parse a whole yarn v1 lockfile into its entries, in file order."""
    entries: list[YarnEntry] = []
    # (indent of the line that opened the block, the block's dict)
    stack: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.lstrip(" ")
        if not content or content.startswith("#") or not content.strip():
            continue
        if content[0] == "\t":
            raise YarnLockError(f"line {number}: tab indentation")
        indent = len(raw) - len(content)
        tokens, opens = _tokenize(content, number)
        if not tokens:
            continue
        if indent == 0:
            if not opens:
                raise YarnLockError(f"line {number}: expected an entry header ending in ':'")
            fields: dict[str, Any] = {}
            entries.append(YarnEntry(_keys(tokens, number), fields))
            stack = [(0, fields)]
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack:
            raise YarnLockError(f"line {number}: indented line outside an entry")
        block = stack[-1][1]
        if opens:
            if len(stack) >= MAX_DEPTH:
                raise YarnLockError(f"line {number}: nested deeper than {MAX_DEPTH} levels")
            child: dict[str, Any] = {}
            for key in _keys(tokens, number):
                block[key] = child
            stack.append((indent, child))
        elif len(tokens) == 2 and "," not in tokens:
            block[tokens[0]] = tokens[1]
        else:
            raise YarnLockError(f"line {number}: expected 'key value'")
    return entries


def _tokenize(content: str, number: int) -> tuple[list[str], bool]:
    """Tokens of one line (without its indentation), and whether it ends in `:`."""
    simple = _SIMPLE_PAIR.match(content)
    if simple is not None:
        key, quoted_value, bare_value = simple.groups()
        return [key, quoted_value if quoted_value is not None else bare_value], False
    tokens: list[str] = []
    pos = 0
    length = len(content)
    while pos < length:
        match = _TOKEN.match(content, pos)
        if match is None or match.end() == pos:
            raise YarnLockError(f"line {number}: unexpected character at column {pos + 1}")
        quoted, bare, comma, colon, _comment = match.groups()
        pos = match.end()
        if quoted is not None and "\\" not in quoted:
            tokens.append(quoted)
        elif quoted is not None:
            try:
                tokens.append(json.loads(f'"{quoted}"'))
            except ValueError:
                raise YarnLockError(f"line {number}: invalid string escape") from None
        elif bare is not None:
            tokens.append(bare)
        elif comma is not None:
            tokens.append(",")
        elif colon is not None:
            return tokens, True
    return tokens, False


def _keys(tokens: list[str], number: int) -> tuple[str, ...]:
    """`a, b, c` -> (a, b, c): keys separated by single commas."""
    keys = tokens[0::2]
    separators = tokens[1::2]
    if not keys or any(sep != "," for sep in separators) or len(tokens) % 2 == 0:
        raise YarnLockError(f"line {number}: malformed entry header")
    return tuple(keys)
