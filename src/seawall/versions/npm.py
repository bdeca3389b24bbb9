"""npm package versions, ordered exactly as node-semver's `compare(a, b, {loose: true})`.

Follows node-semver 7 (classes/semver.js, internal/re.js): surrounding
ECMAScript whitespace is trimmed, leading `v`, `=` and whitespace are allowed,
numbers may have leading zeros, the `-` before a prerelease may be left out
(`1.0.0beta1`), build metadata (`+…`) is ignored. Prereleases sort before the
release; their dot-separated identifiers compare numerically when both are
digits (as JavaScript numbers, i.e. doubles), digits before letters, otherwise
by code unit; a shorter list of equal identifiers sorts first. Like
node-semver, versions over 256 characters and major/minor/patch numbers over
2**53 - 1 are invalid.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "npm"

_MAX_LENGTH = 256
_MAX_SAFE_INTEGER = 2**53 - 1
# ECMAScript's \s and String.prototype.trim(): WhiteSpace and LineTerminator.
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_NONNUMERIC = r"[0-9]*[a-zA-Z-][a-zA-Z0-9-]*"
_PRE_ID = rf"(?:{_NONNUMERIC}|[0-9]+)"
_LOOSE = re.compile(
    rf"[v={re.escape(_JS_SPACE)}]*([0-9]+)\.([0-9]+)\.([0-9]+)"
    rf"(?:-?({_PRE_ID}(?:\.{_PRE_ID})*))?"
    r"(?:\+[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)?"
)

PreKey = tuple[tuple[int, float] | tuple[int, str], ...]


def prerelease_key(prerelease: str | None) -> tuple[int, PreKey]:
    """Order of a prerelease: none sorts last; numbers (as doubles) before words."""
    if prerelease is None:
        return (1, ())
    ids: list[tuple[int, float] | tuple[int, str]] = []
    for ident in prerelease.split("."):
        # JavaScript compares numeric identifiers as Number(id): a double.
        ids.append((0, float(int(ident))) if ident.isdigit() else (1, ident))
    return (0, tuple(ids))


def parse(version: str) -> tuple[int, int, int, tuple[int, PreKey]]:
    """The sort key of an npm version: (major, minor, patch, prerelease key)."""
    check_text(ECOSYSTEM, version)
    if len(version) > _MAX_LENGTH:
        raise InvalidVersionError(ECOSYSTEM, version, f"longer than {_MAX_LENGTH} characters")
    match = _LOOSE.fullmatch(version.strip(_JS_SPACE))
    if match is None:
        raise InvalidVersionError(ECOSYSTEM, version, "not a semantic version")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    if max(major, minor, patch) > _MAX_SAFE_INTEGER:
        raise InvalidVersionError(ECOSYSTEM, version, "a version number exceeds 2**53 - 1")
    return major, minor, patch, prerelease_key(match.group(4))
