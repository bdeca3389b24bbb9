"""The options every scan reporter takes (DESIGN.md §2: a small options object, never CLI flags)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScanReportOptions:
    """How to render one scan result.

    Formats ignore the options that do not concern them: the JSON and SARIF
    documents always carry every reason and every suppressed finding.
    """

    show_reasons: bool = False
    """Table: after the findings, one compact "why" line per match reason
    (the record, the range, the comparison that decided), and each risk score's parts."""
    show_suppressed: bool = False
    """Table: list the findings an ignore or VEX statement suppressed (always in JSON)."""
    top: int = 10
    """Markdown: how many findings the summary table lists."""
