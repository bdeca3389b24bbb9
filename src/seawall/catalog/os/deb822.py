"""Control-file stanzas (deb822): the syntax of dpkg's status database.

A stanza is a run of `Field: value` lines; a line starting with a space or a
tab continues the previous field; blank lines separate stanzas (Debian
Policy §5.1). Field names are case-insensitive. Only the first line of each
field is kept: every field the OS catalogers read (Package, Version, Source,
Status, Architecture, License) is a one-line field, and skipping multi-line
values (Description, Conffiles) keeps the parse cheap.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Stanza:
    """One stanza: lower-cased field names → first-line values, and where it starts."""

    line: int
    """1-based line number of the stanza's first field."""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class StanzaReport:
    """Lines that were neither a field, a continuation nor blank (counted, not raised)."""

    malformed_lines: int = 0
    first_malformed_line: int | None = None


def iter_stanzas(text: str, report: StanzaReport) -> Iterator[Stanza]:
    """The stanzas of a deb822 document, tolerating stray lines (recorded in `report`)."""
    current: dict[str, str] = {}
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            if current:
                yield Stanza(start, current)
                current = {}
            continue
        if line[0] in " \t":
            if not current:
                _malformed(report, number)
            continue
        if line.startswith("#"):
            continue  # deb822 allows comment lines in control files
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name:
            _malformed(report, number)
            continue
        if not current:
            start = number
        current.setdefault(name.lower(), value.strip())
    if current:
        yield Stanza(start, current)


def _malformed(report: StanzaReport, number: int) -> None:
    report.malformed_lines += 1
    if report.first_malformed_line is None:
        report.first_malformed_line = number
