"""Text safe to put on a terminal: what a hostile name cannot use to act on it.

Names and messages come from inputs (paths in a layer, package names, record
texts, a damaged file's bytes). Control and format characters among them
(escape sequences, bidirectional overrides, bells) are shown as escapes, so
they can neither restyle the terminal nor hide or reorder what it shows.
"""

import unicodedata

_ACTING = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cn"))
"""Unicode categories of characters that act instead of showing: controls, format
characters, line and paragraph separators, private use and unassigned."""


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with acting characters shown as `\\xNN` / `\\uNNNN`; a newline becomes a
    space (a table cell, one report line) unless `keep_newlines`."""
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append(char if keep_newlines else " ")
        elif unicodedata.category(char) in _ACTING:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
