"""Table cells from input text: rich `Text`, never markup, control characters shown as escapes.

A string given to a rich table is read as markup (`[bold]`, and `[/x]` with
no open tag is an error), so a hostile name could restyle the table or stop
the report. Every cell and title built from an input goes through `text_cell`.
"""

from rich.text import Text

from seawall.report.terminal import printable


def text_cell(value: str, style: str = "") -> Text:
    """`value` as plain text for a table (seawall.report.terminal.printable)."""
    return Text(printable(value), style=style)
