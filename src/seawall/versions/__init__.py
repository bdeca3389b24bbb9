"""Version comparison per ecosystem, agreeing with each ecosystem's own reference implementation.

`compare(ecosystem, a, b)` returns -1, 0 or 1; `key(ecosystem, version)` returns
a sort key (parsed once and cached) for comparing one version against many
range bounds. The ecosystem is an `Ecosystem` or an OSV ecosystem name, with or
without a release suffix (`Debian:12`). A version the ecosystem's rules reject
raises InvalidVersionError (an InputError) naming the ecosystem and the
string; an empty or blank version is invalid everywhere. registry.py says
which scheme each ecosystem uses; each scheme's module says which reference
it follows and where it departs from it.
"""

from functools import lru_cache

from seawall.model.package import Ecosystem
from seawall.versions.errors import (
    MAX_VERSION_LENGTH,
    InvalidVersionError,
    UnsupportedEcosystemError,
)
from seawall.versions.registry import SCHEMES, Scheme, VersionKey, ecosystem_of, scheme_for

__all__ = [
    "MAX_VERSION_LENGTH",
    "InvalidVersionError",
    "UnsupportedEcosystemError",
    "VersionKey",
    "compare",
    "key",
    "sort_key",
]

_CACHE_SIZE = 16384


@lru_cache(maxsize=None)
def _cached_parser(scheme: Scheme) -> "lru_cache[VersionKey]":
    # One bounded cache per scheme (a dozen schemes, so the outer cache is
    # small): matching parses the same installed version against many bounds.
    return lru_cache(maxsize=_CACHE_SIZE)(scheme.parse)  # type: ignore[return-value]


def key(ecosystem: str | Ecosystem, version: str) -> VersionKey:
    """The sort key of `version`: keys of one ecosystem compare as the versions do.

    Keys of different schemes must not be compared with each other.
    """
    resolved = ecosystem_of(ecosystem)
    scheme = scheme_for(resolved)
    try:
        return _cached_parser(scheme)(version)
    except InvalidVersionError as error:
        if error.ecosystem == resolved.value:
            raise
        raise InvalidVersionError(resolved.value, version, error.reason) from None


def compare(ecosystem: str | Ecosystem, a: str, b: str) -> int:
    """-1, 0 or 1 as `a` is older than, the same as, or newer than `b` in `ecosystem`."""
    key_a, key_b = key(ecosystem, a), key(ecosystem, b)
    if key_a < key_b:
        return -1
    if key_b < key_a:
        return 1
    return 0


def sort_key(ecosystem: str | Ecosystem) -> "Callable[[str], VersionKey]":
    """A `key=` function for sorted(): `sorted(versions, key=sort_key("npm"))`."""
    return lambda version: key(ecosystem, version)
