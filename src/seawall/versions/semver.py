"""SemVer 2.0.0 precedence (crates.io, Hex), as the Rust `semver` crate and Elixir's `Version`.

semver.org §2, §9-§11: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, numbers without
leading zeros, identifiers of `[0-9A-Za-z-]`, numeric prerelease identifiers
without leading zeros. Precedence (§11): numbers compare numerically, a
prerelease sorts before its release, prerelease identifiers compare
numerically when both are digits, digits before letters, otherwise by ASCII,
and a shorter list of equal identifiers first. Build metadata is ignored
(§10). That is `Version::cmp_precedence` of the `semver` crate and
`Version.compare/2` of Elixir; the crate's `Ord` also orders by build metadata
to stay consistent with its `Eq`, which is not what an advisory range means.
The crate limits MAJOR, MINOR and PATCH to u64, so crates.io does too;
Elixir has no limit, so Hex has none.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"({_NUMBER})\.({_NUMBER})\.({_NUMBER})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+{_BUILD_ID}(?:\.{_BUILD_ID})*)?"
)

PreKey = tuple[tuple[int, int] | tuple[int, str], ...]
SemverKey = tuple[int, int, int, tuple[int, PreKey]]


def prerelease_key(prerelease: str | None) -> tuple[int, PreKey]:
    """semver.org §11.4: no prerelease sorts last; numbers before words, then ASCII."""
    if prerelease is None:
        return (1, ())
    return (
        0,
        tuple((0, int(i)) if i.isdigit() else (1, i) for i in prerelease.split(".")),
    )


_U64_MAX = 2**64 - 1


def parse_semver(ecosystem: str, version: str) -> SemverKey:
    """The precedence key of a strict SemVer 2.0.0 version."""
    check_text(ecosystem, version)
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise InvalidVersionError(ecosystem, version, "not a SemVer 2.0.0 version")
    return (
        int(match.group(1)),
        int(match.group(2)),
        int(match.group(3)),
        prerelease_key(match.group(4)),
    )


def parse_cargo(version: str) -> SemverKey:
    """A crates.io version (the `semver` crate's syntax: numbers are u64)."""
    key = parse_semver("crates.io", version)
    if max(key[0], key[1], key[2]) > _U64_MAX:
        raise InvalidVersionError("crates.io", version, "a version number exceeds 2**64 - 1")
    return key


def parse_hex(version: str) -> SemverKey:
    """A Hex version (Elixir's `Version`)."""
    return parse_semver("Hex", version)
