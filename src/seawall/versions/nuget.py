"""NuGet package versions, ordered as NuGet.Versioning's `VersionComparer.Default`.

Follows NuGet.Client's src/NuGet.Core/NuGet.Versioning (NuGetVersion.TryParse,
SemanticVersion.ParseSections/IsValidPart, VersionComparer): the string is
trimmed, cut at the first `-` or `+` into the numeric part, release labels
(after `-`, up to `+`) and metadata (after `+`). The numeric part has one to
four dot-separated non-negative 32-bit numbers, as .NET's `System.Version`
reads them (ASCII white space around each number is allowed); missing ones
are 0. Labels are non-empty `[0-9A-Za-z-]`, numeric ones without leading
zeros; metadata parts the same with leading zeros allowed.

Order: the four numbers, then a version with labels before one without, then
labels pairwise — a label that `int.TryParse` reads (optional `-`, 32-bit)
compares as a number and before any other label, others compare
case-insensitively (ordinal upper case) — and fewer labels first. Metadata is
ignored.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "NuGet"

_I32_MIN, _I32_MAX = -(2**31), 2**31 - 1
# .NET Char.IsWhiteSpace, which String.Trim() removes.
_NET_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# int.TryParse with NumberStyles.Integer, as System.Version reads a component.
_COMPONENT = re.compile(r"[\t\n\v\f\r ]*([+-]?)([0-9]+)[\t\n\v\f\r ]*")
_LABEL = re.compile(r"[0-9A-Za-z-]+")
_LABEL_NUMBER = re.compile(r"-?[0-9]+")

Label = tuple[int, int] | tuple[int, str]


def _invalid(version: str, reason: str) -> InvalidVersionError:
    return InvalidVersionError(ECOSYSTEM, version, reason)


def _sections(value: str) -> tuple[str, str | None, str | None]:
    # ParseSections: a trailing `-` or `+` stays in the part before it, so
    # `1.0-` fails as a number, exactly as in NuGet.
    dash = next((i for i, c in enumerate(value) if c in "-+"), -1)
    if dash < 0 or dash == len(value) - 1:
        return value, None, None
    number_part, rest = value[:dash], value[dash + 1 :]
    if value[dash] == "+":
        return number_part, None, rest
    plus = rest.find("+")
    if plus < 0 or plus == len(rest) - 1:
        return number_part, rest, None
    return number_part, rest[:plus], rest[plus + 1 :]


def _valid_part(part: str, *, leading_zeros: bool) -> bool:
    if not _LABEL.fullmatch(part):
        return False
    return leading_zeros or not (len(part) > 1 and part[0] == "0" and part.isdigit())


def _label_key(label: str) -> Label:
    if _LABEL_NUMBER.fullmatch(label):
        number = int(label)
        if _I32_MIN <= number <= _I32_MAX:
            return (0, number)
    return (1, label.upper())


def parse(version: str) -> tuple[int, int, int, int, tuple[int, tuple[Label, ...]]]:
    """The sort key of a NuGet version: four numbers, then the release labels."""
    check_text(ECOSYSTEM, version)
    number_part, labels, metadata = _sections(version.strip(_NET_SPACE))
    if not number_part:
        raise _invalid(version, "no version number")
    components = number_part.split(".")
    if len(components) > 4:
        raise _invalid(version, "more than four version numbers")
    numbers: list[int] = []
    for component in components:
        match = _COMPONENT.fullmatch(component)
        value = int(match.group(2)) if match else -1
        if match and match.group(1) == "-":
            value = -value
        if not 0 <= value <= _I32_MAX:
            raise _invalid(version, f"version number {component!r} is not a 32-bit number ≥ 0")
        numbers.append(value)
    numbers += [0] * (4 - len(numbers))
    label_key: tuple[int, tuple[Label, ...]] = (1, ())
    if labels is not None:
        parts = labels.split(".")
        if not all(_valid_part(p, leading_zeros=False) for p in parts):
            raise _invalid(version, "release labels must be [0-9A-Za-z-], numbers without 0s")
        label_key = (0, tuple(_label_key(p) for p in parts))
    if metadata is not None and not all(
        _valid_part(p, leading_zeros=True) for p in metadata.split(".")
    ):
        raise _invalid(version, "metadata must be [0-9A-Za-z-] parts")
    return numbers[0], numbers[1], numbers[2], numbers[3], label_key
