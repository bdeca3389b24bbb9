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

from collections.abc import Callable
from functools import cache, lru_cache

from seawall.model.package import Ecosystem
from seawall.versions.errors import (
    MAX_VERSION_LENGTH,
    InvalidVersionError,
    UnsupportedEcosystemError,
)
from seawall.versions.registry import Scheme, VersionKey, ecosystem_of, scheme_for

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


@cache
def _cached_parser(scheme: Scheme) -> Callable[[str], VersionKey]:
    # One bounded cache per scheme: matching parses the same installed version
    # against many range bounds, and many packages share bounds.
    return lru_cache(maxsize=_CACHE_SIZE)(scheme.parse)


@lru_cache(maxsize=512)
def _parser_for(ecosystem: str | Ecosystem) -> tuple[str, Callable[[str], VersionKey]]:
    # Resolving the name is cached too: compare() runs in the matcher's inner loop.
    resolved = ecosystem_of(ecosystem)
    return resolved.value, _cached_parser(scheme_for(resolved))


def key(ecosystem: str | Ecosystem, version: str) -> VersionKey:
    """The sort key of `version`: keys of one ecosystem compare as the versions do.

    Keys of different schemes must not be compared with each other.
    """
    name, parse = _parser_for(ecosystem)
    try:
        return parse(version)
    except InvalidVersionError as error:
        if error.ecosystem == name:
            raise
        raise InvalidVersionError(name, version, error.reason) from None


def compare(ecosystem: str | Ecosystem, a: str, b: str) -> int:
    """-1, 0 or 1 as `a` is older than, the same as, or newer than `b` in `ecosystem`."""
    key_a, key_b = key(ecosystem, a), key(ecosystem, b)
    if key_a < key_b:
        return -1
    if key_b < key_a:
        return 1
    return 0


def sort_key(ecosystem: str | Ecosystem) -> Callable[[str], VersionKey]:
    """A `key=` function for sorted(): `sorted(versions, key=sort_key("npm"))`."""
    return lambda version: key(ecosystem, version)
