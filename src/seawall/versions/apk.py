"""Alpine package versions (Alpine, Wolfi, Chainguard), ordered exactly as apk-tools orders them.

Follows apk-tools' src/version.c (v3.0): `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`.
The version is read as tokens — the first number, further `.`-numbers, one
letter, `_suffix` words (alpha < beta < pre < rc < (none) < cvs < svn < git <
hg < p) each with an optional number, a `~` commit hash, and `-r` revision.
Tokens are compared pairwise while both sides have the same kind; a number
with a leading zero on either side is compared as a string (as Gentoo does);
numbers are unsigned 64-bit as in apk (larger ones wrap the same way). When
the kinds first differ, a pre-release suffix makes its side older, otherwise
the side whose token kind comes earlier in the list above is newer (so
`1.0.1 > 1.0a > 1.0_p1 > 1.0~abc > 1.0-r1 > 1.0`).

apk compares even strings it calls invalid (`apk version -c` rejects them);
here those raise InvalidVersionError.
"""

import re
from functools import total_ordering

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "Alpine"

# Token kinds, in apk's order (the numbers matter: later kinds are "older").
_INITIAL_DIGIT, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _COMMIT_HASH, _REVISION_NO, _END = range(8)
# apk's suffix enum; "no suffix" sits between the pre-release and post-release ones.
_SUFFIXES = {
    "alpha": 0,
    "beta": 1,
    "pre": 2,
    "rc": 3,
    "cvs": 5,
    "svn": 6,
    "git": 7,
    "hg": 8,
    "p": 9,
}
_NONE_SUFFIX = 4
_U64 = 2**64

_DIGITS = re.compile(r"[0-9]*")
_SUFFIX_WORD = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9a-f]*")

# (kind, number, text): number is the suffix rank for _SUFFIX tokens.
Token = tuple[int, int, str]


def _invalid(version: str, reason: str) -> InvalidVersionError:
    return InvalidVersionError(ECOSYSTEM, version, reason)


def _tokens(version: str) -> tuple[Token, ...]:
    # The state machine of token_first()/token_next(), rejecting what apk
    # marks TOKEN_INVALID instead of comparing past it.
    out: list[Token] = []
    pos, size = 0, len(version)
    digits = _DIGITS.match(version, pos)
    assert digits is not None
    if not digits.group():
        raise _invalid(version, "does not start with a digit")
    out.append((_INITIAL_DIGIT, int(digits.group()) % _U64, digits.group()))
    pos = digits.end()
    kind = _INITIAL_DIGIT
    while pos < size:
        char = version[pos]
        if "a" <= char <= "z":
            if kind > _DIGIT:
                raise _invalid(version, f"letter {char!r} not right after a number")
            kind = _LETTER
            out.append((kind, ord(char), char))
            pos += 1
        elif char == "." or "0" <= char <= "9":
            if char == ".":
                if kind > _DIGIT:
                    raise _invalid(version, "'.' after a letter or suffix")
                pos += 1
            if kind in (_INITIAL_DIGIT, _DIGIT):
                kind = _DIGIT
            elif kind == _SUFFIX:
                kind = _SUFFIX_NO
            else:
                raise _invalid(version, f"number not allowed at position {pos}")
            digits = _DIGITS.match(version, pos)
            assert digits is not None
            if not digits.group():
                raise _invalid(version, f"no number at position {pos}")
            out.append((kind, int(digits.group()) % _U64, digits.group()))
            pos = digits.end()
        elif char == "_":
            if kind > _SUFFIX_NO:
                raise _invalid(version, "suffix after a commit hash or revision")
            word = _SUFFIX_WORD.match(version, pos + 1)
            assert word is not None
            if word.group() not in _SUFFIXES:
                raise _invalid(version, f"unknown suffix {word.group()!r}")
            kind = _SUFFIX
            out.append((kind, _SUFFIXES[word.group()], word.group()))
            pos = word.end()
        elif char == "~":
            if kind >= _COMMIT_HASH:
                raise _invalid(version, "'~' after a commit hash or revision")
            commit = _HEX.match(version, pos + 1)
            assert commit is not None
            if not commit.group():
                raise _invalid(version, "empty commit hash after '~'")
            kind = _COMMIT_HASH
            out.append((kind, 0, commit.group()))
            pos = commit.end()
        elif char == "-":
            if kind >= _REVISION_NO or not version.startswith("-r", pos):
                raise _invalid(version, "'-' not starting the one '-r' revision")
            digits = _DIGITS.match(version, pos + 2)
            assert digits is not None
            if not digits.group():
                raise _invalid(version, "revision '-r' without a number")
            kind = _REVISION_NO
            out.append((kind, int(digits.group()) % _U64, digits.group()))
            pos = digits.end()
        else:
            raise _invalid(version, f"unexpected character {char!r}")
    out.append((_END, 0, ""))
    return tuple(out)


def _blob_sort(a: str, b: str) -> int:
    # apk_blob_sort: memcmp over the common length, then the shorter first.
    # The texts here are ASCII, so str order is byte order.
    if a == b:
        return 0
    return -1 if a < b else 1


def _token_cmp(kind: int, a: Token, b: Token) -> int:
    if kind == _DIGIT and (a[2][0] == "0" or b[2][0] == "0"):
        return _blob_sort(a[2], b[2])
    if kind == _COMMIT_HASH:
        return _blob_sort(a[2], b[2])
    return (a[1] > b[1]) - (a[1] < b[1])


def _cmp(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> int:
    for a, b in zip(ta, tb, strict=False):
        if a[0] != b[0]:
            # First difference in token kinds (apk_version_compare_fuzzy's tail).
            if a[0] == _SUFFIX and a[1] < _NONE_SUFFIX:
                return -1
            if b[0] == _SUFFIX and b[1] < _NONE_SUFFIX:
                return 1
            return -1 if a[0] > b[0] else 1
        if a[0] == _END:
            return 0
        result = _token_cmp(a[0], a, b)
        if result:
            return result
    return 0  # unreachable: both sequences end with _END


@total_ordering
class ApkVersion:
    """A parsed apk version; orders as apk_version_compare."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: tuple[Token, ...]) -> None:
        self.tokens = tokens

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApkVersion):
            return NotImplemented
        return _cmp(self.tokens, other.tokens) == 0

    def __lt__(self, other: "ApkVersion") -> bool:
        return _cmp(self.tokens, other.tokens) < 0

    __hash__ = None  # type: ignore[assignment]


def parse(version: str) -> ApkVersion:
    """Parse an apk version into its comparable form."""
    check_text(ECOSYSTEM, version)
    return ApkVersion(_tokens(version))
