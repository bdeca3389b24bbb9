"""RubyGems versions, ordered exactly as `Gem::Version#<=>`.

Follows rubygems/version.rb (RubyGems 3.3): the version must match
`\\A\\s*([0-9]+(?>\\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?)?\\s*\\z`;
`-` is read as `.pre.`; segments are the runs of digits (numbers) and of
letters (strings); trailing zeros are dropped from the numeric head and from
the string tail separately ("canonical segments"); then segments compare
pairwise, the shorter side padded with 0, a string sorting before any number
(so `1.0.a < 1.0`, a prerelease). Gem reads a blank string as `0`; here it is
invalid, as in every other ecosystem.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "RubyGems"

_ANCHORED = re.compile(
    r"[ \t\r\n\f\v]*"
    r"([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)"
    r"[ \t\r\n\f\v]*"
)
_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")

Token = tuple[int, int, str] | tuple[int, int, int] | tuple[int]
_END = (1,)


def _strip_zeros(segments: list[int | str]) -> list[int | str]:
    while segments and segments[-1] == 0:
        segments.pop()
    return segments


def parse(version: str) -> tuple[Token, ...]:
    """The sort key of a gem version.

    Gem pads the shorter side with zeros, which a plain tuple cannot do, so
    each segment is keyed together with the count of zeros before it: against
    padding, a string segment sorts lower and a number higher, whatever the
    zeros in between, and the end of the segments stands for endless zeros.
    """
    check_text(ECOSYSTEM, version)
    match = _ANCHORED.fullmatch(version)
    if match is None:
        raise InvalidVersionError(ECOSYSTEM, version, "malformed version number string")
    text = match.group(1).replace("-", ".pre.")
    segments: list[int | str] = [int(s) if s[0].isdigit() else s for s in _SEGMENT.findall(text)]
    first_string = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    canonical = _strip_zeros(segments[:first_string]) + _strip_zeros(segments[first_string:])
    out: list[Token] = []
    zeros = 0
    for segment in canonical:
        if segment == 0:
            zeros += 1
        elif isinstance(segment, str):
            out.append((0, zeros, segment))
            zeros = 0
        else:
            out.append((2, -zeros, segment))
            zeros = 0
    out.append(_END)
    return tuple(out)
