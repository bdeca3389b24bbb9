"""Debian package versions (Debian, Ubuntu), ordered exactly as `dpkg --compare-versions`.

Follows deb-version(7) and dpkg's lib/dpkg/version.c (`parseversion`,
`verrevcmp`): `[epoch:]upstream[-revision]`, epoch compared as a number, then
upstream and revision each compared as alternating non-digit and digit runs.
In a non-digit run `~` sorts before everything, even the end of the string,
then the end (and a digit), then letters, then every other byte. dpkg compares
the bytes of the string with C's signed `char`, so non-ASCII bytes (which dpkg
only warns about) sort after letters and before ASCII punctuation; this module
does the same on the UTF-8 encoding.

What dpkg rejects outright is an InvalidVersionError here: embedded spaces, an
empty or non-numeric or negative or too large epoch, nothing after the colon,
an empty revision, an empty upstream version. What dpkg only warns about (an
upstream not starting with a digit, characters outside the allowed set) is
compared as dpkg compares it. Unlike the dpkg command line, which reads an
empty argument as "no version", the empty string is invalid.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "Debian"

_INT_MAX = 2**31 - 1
_BLANKS = b" \t"
# strtol() skips C isspace() before the number and takes an optional sign.
_EPOCH = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]+)")
_RUN = re.compile(rb"([^0-9]*)([0-9]*)")


def _order(byte: int) -> int:
    # dpkg's order(): digit (never seen here) and end are 0, letters are
    # themselves, '~' is -1, anything else is c + 256 with c a signed char.
    if 65 <= byte <= 90 or 97 <= byte <= 122:
        return byte
    if byte == 0x7E:
        return -1
    signed = byte - 256 if byte >= 128 else byte
    return signed + 256


_ORDER = tuple(_order(b) for b in range(256))
_END = (0,)
"""A non-digit run that is empty: what a shorter string compares as."""


def _part_key(part: bytes) -> tuple[object, ...]:
    """The sort key of an upstream version or a revision, as verrevcmp orders them.

    Runs alternate (non-digit run, number). Each non-digit run ends with a 0,
    the order of the end of the string, so a run that is a prefix of another
    compares as dpkg does. verrevcmp reads past the end of the shorter string
    as empty runs and zeros, so trailing (empty run, 0) pairs are dropped and a
    final empty run stands for the end. The first pair is always kept: only it
    can have an empty run, so the end marker then never meets an empty run
    (without this "0" would end before "0~" and sort below it).
    """
    flat: list[object] = []
    for text, digits in _RUN.findall(part):
        flat.append(tuple(_ORDER[b] for b in text) + _END)
        flat.append(int(digits) if digits else 0)
    while len(flat) >= 4 and flat[-1] == 0 and flat[-2] == _END:
        del flat[-2:]
    flat.append(_END)
    return tuple(flat)


def parse(version: str) -> tuple[int, tuple[object, ...], tuple[object, ...]]:
    """The sort key of a Debian version: (epoch, upstream key, revision key)."""
    check_text(ECOSYSTEM, version)
    try:
        data = version.encode()
    except UnicodeEncodeError:
        raise InvalidVersionError(ECOSYSTEM, version, "not encodable as UTF-8") from None
    if b"\0" in data:
        raise InvalidVersionError(ECOSYSTEM, version, "contains a NUL character")
    data = data.strip(_BLANKS)
    if not data:
        raise InvalidVersionError(ECOSYSTEM, version, "version string is empty")
    if b" " in data or b"\t" in data:
        raise InvalidVersionError(ECOSYSTEM, version, "version string has embedded spaces")
    epoch = 0
    head, colon, rest = data.partition(b":")
    if colon:
        match = _EPOCH.fullmatch(head)
        if match is None:
            reason = "epoch is empty" if not head.strip() else "epoch is not a number"
            raise InvalidVersionError(ECOSYSTEM, version, reason)
        if len(match.group(2)) > 19 or int(match.group(2)) > _INT_MAX:
            raise InvalidVersionError(ECOSYSTEM, version, "epoch is too big")
        epoch = int(match.group(2))
        if match.group(1) == b"-" and epoch:
            raise InvalidVersionError(ECOSYSTEM, version, "epoch is negative")
        if not rest:
            raise InvalidVersionError(ECOSYSTEM, version, "nothing after the epoch colon")
        data = rest
    upstream, hyphen, revision = data.rpartition(b"-")
    if not hyphen:
        upstream, revision = data, b""
    elif not revision:
        raise InvalidVersionError(ECOSYSTEM, version, "revision is empty")
    if not upstream:
        raise InvalidVersionError(ECOSYSTEM, version, "upstream version is empty")
    return epoch, _part_key(upstream), _part_key(revision)
