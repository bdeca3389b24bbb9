"""RPM versions (Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE), ordered as rpm orders them.

Follows rpm 4.18's `rpmvercmp` (rpmio/rpmvercmp.c) and `rpmverCmp`/`parseEVR`
(lib/rpmver.c, lib/rpmds.c). A version string is `[epoch:]version[-release]`:
the epoch is the leading run of digits when a colon follows it, the release
whatever follows the last hyphen. Each part is cut into segments: runs of ASCII
digits (compared as numbers), runs of ASCII letters (compared bytewise), `~`
(sorts before everything, even the end) and `^` (sorts after the end but before
any further segment); every other character only separates segments.

Epoch, version and release compare in that order; a missing epoch is 0 and a
missing release sorts before every release, even an empty one or `~1`
(`1.0 < 1.0- < 1.0-~1 < 1.0-1`), as `rpm.ver` objects of python3-rpm 4.18
order them.
"""

import re

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "Red Hat"

_TILDE = (0,)
_END = (1,)
_CARET = (2,)
_ALPHA = 3
_NUM = 4
_SEGMENT = re.compile(r"([0-9]+)|([A-Za-z]+)|(~)|(\^)")
_EPOCH = re.compile(r"([0-9]*):")

Segments = tuple[tuple[int] | tuple[int, int] | tuple[int, str], ...]


def segments(text: str) -> Segments:
    """The sort key of one rpmvercmp operand: its segments, then the end."""
    out: list[tuple[int] | tuple[int, int] | tuple[int, str]] = []
    for number, alpha, tilde, _caret in _SEGMENT.findall(text):
        if number:
            out.append((_NUM, int(number)))
        elif alpha:
            out.append((_ALPHA, alpha))
        else:
            out.append(_TILDE if tilde else _CARET)
    out.append(_END)
    return tuple(out)


_NO_RELEASE: Segments = ()


def parse(version: str) -> tuple[int, Segments, Segments]:
    """The sort key of an rpm `[epoch:]version[-release]`: (epoch, version, release)."""
    check_text(ECOSYSTEM, version)
    if "\0" in version:
        raise InvalidVersionError(ECOSYSTEM, version, "contains a NUL character")
    epoch = 0
    rest = version
    match = _EPOCH.match(version)
    if match is not None:
        epoch = int(match.group(1) or "0")
        rest = version[match.end() :]
    head, hyphen, release = rest.rpartition("-")
    if not hyphen:
        head = rest
    if not head:
        raise InvalidVersionError(ECOSYSTEM, version, "version is empty")
    return epoch, segments(head), segments(release) if hyphen else _NO_RELEASE
