"""Errors of the version comparators: an unparseable version, an ecosystem without a comparator."""

from seawall.errors import InputError

MAX_VERSION_LENGTH = 512
"""Longest version string any comparator accepts.

Real versions are far shorter (Go pseudo-versions, the longest common form, are
about 40 characters); the bound keeps parsing and the parse caches small on
hostile input.
"""

_SHOWN = 120


def _shown(text: str) -> str:
    # Versions are not secrets, but a hostile one may be huge: show its start.
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + f"… ({len(text)} chars)"


class InvalidVersionError(InputError):
    """A version string that the ecosystem's own rules reject."""

    def __init__(self, ecosystem: str, version: str, reason: str) -> None:
        super().__init__(f"invalid {ecosystem} version {_shown(version)}: {reason}")
        self.ecosystem = ecosystem
        self.version = version
        self.reason = reason


class UnsupportedEcosystemError(InputError):
    """An ecosystem name with no version comparator in seawall."""

    def __init__(self, ecosystem: str) -> None:
        super().__init__(
            f"no version comparator for ecosystem {_shown(ecosystem)}; "
            "see seawall.versions.registry for the supported ones"
        )
        self.ecosystem = ecosystem


def check_text(ecosystem: str, version: str) -> None:
    """Reject, before any parsing work, versions over MAX_VERSION_LENGTH and blank ones.

    A blank string is no version in any ecosystem, whatever some tools read it
    as (dpkg's command line: "no version"; Gem::Version: 0).
    """
    if len(version) > MAX_VERSION_LENGTH:
        raise InvalidVersionError(
            ecosystem, version, f"longer than {MAX_VERSION_LENGTH} characters"
        )
    if not version or version.isspace():
        raise InvalidVersionError(ecosystem, version, "blank")
