"""Go module versions, ordered as golang.org/x/mod/semver.Compare.

Go's semver (golang.org/x/mod/semver, also vendored in the Go toolchain) is
SemVer 2.0.0 with a leading `v`, plus the shorthands `vMAJOR` and
`vMAJOR.MINOR` (meaning `.0` for the missing parts, and allowed only without
prerelease or build). Pseudo-versions (`v0.0.0-20210101000000-abcdef123456`,
`v1.2.4-0.2021…`) are ordinary prereleases and sort as such. Build metadata,
including `+incompatible`, is ignored.

OSV writes Go versions without the `v` (`"fixed": "1.2.3"`), module metadata
with it; both are accepted here, a missing `v` being added before parsing.
x/mod/semver orders every invalid string equal and below all valid ones; here
an invalid version raises InvalidVersionError instead.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text
from seawall.versions.semver import SemverKey, prerelease_key

ECOSYSTEM = "Go"

_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
_GO_SEMVER = re.compile(
    rf"v({_NUMBER})(?:\.({_NUMBER})(?:\.({_NUMBER})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+{_BUILD_ID}(?:\.{_BUILD_ID})*)?)?)?"
)


def parse(version: str) -> SemverKey:
    """The precedence key of a Go module version."""
    check_text(ECOSYSTEM, version)
    text = version if version.startswith("v") else "v" + version
    match = _GO_SEMVER.fullmatch(text)
    if match is None:
        raise InvalidVersionError(ECOSYSTEM, version, "not a Go module semantic version")
    major, minor, patch, pre = match.groups()
    return int(major), int(minor or 0), int(patch or 0), prerelease_key(pre)
