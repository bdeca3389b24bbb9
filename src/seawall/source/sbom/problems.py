"""Problems a reader records about a third-party document, bounded, and the status carrying them.

A reader that skips a component says so; the problems reach the Inventory as
the status of a pseudo-cataloger named after the format (`sbom/cyclonedx`),
so the inventory reads as partial. A document read without problems gets no
such status, which keeps the round trip of seawall's own documents exact.
"""

from seawall.model.package import CatalogerStatus

READER_VERSION = 1
_MAX_LISTED = 100


class Problems:
    """At most a hundred problem messages, then a count of the rest."""

    def __init__(self) -> None:
        self._listed: list[str] = []
        self._more = 0

    def add(self, message: str) -> None:
        if len(self._listed) < _MAX_LISTED:
            self._listed.append(message[:500])
        else:
            self._more += 1

    def status(self, reader: str) -> CatalogerStatus | None:
        if not self._listed:
            return None
        problems = list(self._listed)
        if self._more:
            problems.append(f"{self._more} more problem(s) not listed")
        return CatalogerStatus(
            name=reader, version=READER_VERSION, files_read=1, problems=tuple(problems)
        )
