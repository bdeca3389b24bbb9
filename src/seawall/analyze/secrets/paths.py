"""Yes/no path tests of the rule file (`path`, `path_exclude`, decoy path lists), run fast.

A path test is a list of regular expressions; a path passes when one of them
`search`es it. The engine runs several tests on every file of every layer, so
their cost is per file, not per byte: Python's `re` tries a pattern like
`(^|/)\\.netrc$` at every position of the path, while `/\\.netrc$` lets it
jump straight to each `/` (a literal prefix). So each pattern that starts
with the segment anchor `(^|/)` is rewritten to start with `/` and searched
in `"/" + path`: "at the start or after a slash" in the path is exactly
"after a slash" in the path behind one more slash. The rewrite is only used
when the rest of the pattern cannot tell the difference — no other anchor,
look-behind, word boundary or back-reference (`_SENSITIVE`) — and all such
patterns share one alternation. Likewise the patterns anchored with `^` share
one `^(?:…)`, tried once at the start of the path. Every other pattern is
searched on its own, so each keeps whatever literal prefix `re` can use.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

_SEGMENT_START = "(^|/)"
_SENSITIVE = re.compile(r"\^|\\[AbB1-9]|\(\?<|\(\?P=|\(\?\(|\(\?[a-zA-Z]*\)")
"""What, outside character classes, could see the added slash or the lost group:
`^`, `\\A`, `\\b`, `\\B`, look-behinds, back-references, conditionals, and global
inline flags (which must stay at the very start of a pattern)."""


def _outline(pattern: str) -> tuple[str, bool]:
    """The pattern without its character classes, and whether it has a top-level `|`.

    Escapes are kept as written (`\\b` stays visible to `_SENSITIVE`); a `]`
    right after `[` or `[^` is a literal, as in `re`.
    """
    kept: list[str] = []
    depth = 0
    bar = False
    index = 0
    size = len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\":
            kept.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            index += 1
            if index < size and pattern[index] == "^":
                index += 1
            if index < size and pattern[index] == "]":
                index += 1
            while index < size and pattern[index] != "]":
                index += 2 if pattern[index] == "\\" else 1
            index += 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            bar = True
        kept.append(char)
        index += 1
    return "".join(kept), bar


def _rest_after(pattern: str, prefix: str) -> str | None:
    """The pattern after `prefix` when `prefix` + the alternation of such rests is
    equivalent to the patterns one by one: nothing in the rest depends on where it
    starts or on group numbers."""
    if not pattern.startswith(prefix):
        return None
    rest = pattern[len(prefix) :]
    outline, bar = _outline(rest)
    if bar or _SENSITIVE.search(outline):
        return None
    return rest


def _join(prefix: str, rests: list[str], flags: int) -> re.Pattern[str] | None:
    if not rests:
        return None
    return re.compile(prefix + "(?:" + "|".join(f"(?:{rest})" for rest in rests) + ")", flags)


class Compiled(NamedTuple):
    """A path test's patterns, grouped into the fewest searches."""

    anchored: re.Pattern[str] | None
    """`^(?:rest1|rest2…)` of the patterns starting `^`: tried at the start only."""
    slashed: re.Pattern[str] | None
    """`/(?:rest1|rest2…)` of the patterns starting `(^|/)`, searched in `"/" + path`."""
    others: tuple[re.Pattern[str], ...]


def _compile(patterns: Sequence[str], flags: int) -> Compiled:
    slashed: list[str] = []
    anchored: list[str] = []
    others: list[str] = []
    for pattern in patterns:
        if flags & re.VERBOSE:  # a comment may hide a `|` or `^`: kept as written
            others.append(pattern)
        elif (rest := _rest_after(pattern, _SEGMENT_START)) is not None:
            slashed.append(rest)
        elif not flags & re.MULTILINE and (rest := _rest_after(pattern, "^")) is not None:
            anchored.append(rest)
        else:
            others.append(pattern)
    try:
        joined_anchored = _join("^", anchored, flags)
        joined_slashed = _join("/", slashed, flags)
    except re.error:
        # A rest that only compiles as a whole pattern: each is searched as written
        # (and a pattern that does not compile at all raises `re.error` here).
        joined_anchored = joined_slashed = None
        others = list(patterns)
    return Compiled(
        joined_anchored, joined_slashed, tuple(re.compile(pattern, flags) for pattern in others)
    )


@dataclass(frozen=True, slots=True)
class PathTest:
    """Passes a path when one of `patterns` matches it (`re.search`).

    Compiled on first use (`compiled`): a scan needs few of the rule file's tests.
    """

    patterns: tuple[str, ...]
    flags: int = 0
    _compiled: list[Compiled] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, patterns: Sequence[str], flags: int = 0) -> "PathTest":
        return cls(tuple(patterns), flags)

    def compiled(self) -> Compiled:
        if not self._compiled:
            # Two threads may both compile: the same result, so either is right.
            self._compiled.append(_compile(self.patterns, self.flags))
        return self._compiled[0]

    def search(self, path: str) -> bool:
        anchored, slashed, others = self._compiled[0] if self._compiled else self.compiled()
        # Cheapest first: the anchored test looks at the start of the path only.
        if anchored is not None and anchored.match(path) is not None:
            return True
        if slashed is not None and slashed.search("/" + path) is not None:
            return True
        for other in others:  # noqa: SIM110 - a loop, not any(): runs for every file
            if other.search(path) is not None:
                return True
        return False


def either(tests: Sequence[PathTest | None]) -> PathTest:
    """One test passing what any of `tests` passes (they must share their flags)."""
    present = [test for test in tests if test is not None]
    flags = {test.flags for test in present}
    if len(flags) > 1:
        raise ValueError("path tests with different flags cannot be joined")
    return PathTest.of(
        [pattern for test in present for pattern in test.patterns], flags.pop() if flags else 0
    )
