"""The options every scan reporter takes (DESIGN.md §2: a small options object, never CLI flags)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScanReportOptions:
    """How to render one scan result.

    Formats ignore the options that do not concern them: the JSON and SARIF
    documents always carry every reason, the table shows them on request.
    """

    show_reasons: bool = False
    """Table: after the findings, one compact "why" line per match reason
    (the record, the range, the comparison that decided)."""
