"""Dart/Flutter package versions (Pub), ordered as pub_semver's `Version.compareTo`.

Follows dart-lang/pub_semver (lib/src/version.dart, lib/src/patterns.dart):
`MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, where numbers may have leading zeros
and must fit a 64-bit int, and identifiers are `[0-9A-Za-z-]`. A prerelease
sorts before its release. Unlike SemVer 2.0.0, build metadata is ordered: a
version with build metadata sorts after the same version without. Prerelease
and build identifiers are split on `.`; a part that Dart's `int.tryParse`
accepts (decimal digits with an optional `-` sign; hexadecimal after `0x`)
is a number, numbers sort before strings, strings compare by code unit, and a
missing part sorts before a present one.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "Pub"

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_IDS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_COMPLETE = re.compile(rf"([0-9]+)\.([0-9]+)\.([0-9]+)(?:-({_IDS}))?(?:\+({_IDS}))?")
# Dart's int.tryParse without a radix: optional sign, then decimal or 0x-hex.
_DART_INT = re.compile(r"([+-]?)(?:0[xX]([0-9A-Fa-f]+)|([0-9]+))")

Part = tuple[int, int] | tuple[int, str]


def _dart_int(text: str) -> int | None:
    match = _DART_INT.fullmatch(text)
    if match is None:
        return None
    sign, hexa, decimal = match.groups()
    value = int(hexa, 16) if hexa else int(decimal)
    value = -value if sign == "-" else value
    return value if _I64_MIN <= value <= _I64_MAX else None


def _parts(text: str) -> tuple[Part, ...]:
    out: list[Part] = []
    for part in text.split("."):
        number = _dart_int(part)
        out.append((1, part) if number is None else (0, number))
    return tuple(out)


def parse(
    version: str,
) -> tuple[int, int, int, tuple[int, tuple[Part, ...]], tuple[int, tuple[Part, ...]]]:
    """The sort key of a Pub version: numbers, prerelease key, build key."""
    check_text(ECOSYSTEM, version)
    match = _COMPLETE.fullmatch(version)
    if match is None:
        raise InvalidVersionError(ECOSYSTEM, version, "not a pub semantic version")
    numbers = [int(match.group(i)) for i in (1, 2, 3)]
    if max(numbers) > _I64_MAX:
        raise InvalidVersionError(ECOSYSTEM, version, "a version number exceeds 2**63 - 1")
    pre, build = match.group(4), match.group(5)
    pre_key = (1, ()) if pre is None else (0, _parts(pre))
    build_key = (0, ()) if build is None else (1, _parts(build))
    return numbers[0], numbers[1], numbers[2], pre_key, build_key
