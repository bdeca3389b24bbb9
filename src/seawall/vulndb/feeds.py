"""CISA KEV and FIRST EPSS: parsing the two enrichment feeds.

KEV is CISA's `known_exploited_vulnerabilities.json` (catalogue schema:
`catalogVersion`, `dateReleased`, `vulnerabilities[]` with `cveID`, …). EPSS is
FIRST's daily `epss_scores-YYYY-MM-DD.csv(.gz)`: a comment line
`#model_version:…,score_date:…`, a header `cve,epss,percentile`, then one
row per CVE. Bad entries are counted and skipped; an input that is not the
feed at all raises InputError.
"""

import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from seawall.errors import InputError, LimitExceededError
from seawall.model.advisory import EpssScore, KevEntry

MiB = 1024 * 1024
MAX_KEV_BYTES = 256 * MiB
MAX_EPSS_ROWS = 5_000_000
"""FIRST scores every published CVE: ~300k rows today."""
MAX_LINE = 4096
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_SCORE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:Z|[+-]\d{2}:?\d{2})?)?")


@dataclass(frozen=True, slots=True)
class KevCatalog:
    """The KEV catalogue: its entries, when CISA released it, and what was skipped."""

    entries: tuple[KevEntry, ...]
    data_as_of: str | None
    skipped: int = 0


def parse_kev(data: bytes, *, where: str) -> KevCatalog:
    """Parse CISA's KEV JSON; entries without a CVE id are skipped and counted."""
    if len(data) > MAX_KEV_BYTES:
        raise LimitExceededError(where, "max_kev_bytes", MAX_KEV_BYTES)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{where}: not a KEV catalogue: invalid JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("vulnerabilities"), list):
        raise InputError(f"{where}: not a KEV catalogue: no `vulnerabilities` list")
    entries: dict[str, KevEntry] = {}
    skipped = 0
    for raw in document["vulnerabilities"]:
        cve = raw.get("cveID") if isinstance(raw, dict) else None
        if not isinstance(cve, str) or not _CVE.fullmatch(cve):
            skipped += 1
            continue
        entries[cve] = KevEntry(
            cve=cve,
            vendor=_text(raw, "vendorProject"),
            product=_text(raw, "product"),
            name=_text(raw, "vulnerabilityName"),
            date_added=_text(raw, "dateAdded"),
            due_date=_text(raw, "dueDate"),
            required_action=_text(raw, "requiredAction"),
            known_ransomware_use=_text(raw, "knownRansomwareCampaignUse"),
        )
    released = _text(document, "dateReleased") or _text(document, "catalogVersion")
    return KevCatalog(entries=tuple(entries.values()), data_as_of=released, skipped=skipped)


def is_kev_document(data: bytes) -> bool:
    """True for a JSON object that looks like the KEV catalogue (for `db import` detection)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(document, dict)
        and "catalogVersion" in document
        and "vulnerabilities" in document
    )


@dataclass(slots=True)
class EpssFeed:
    """EPSS rows read lazily from a file: iterate `scores()`, then read the counts."""

    path: Path
    score_date: str | None = None
    model_version: str | None = None
    skipped: int = 0
    _opened: bool = field(default=False, repr=False)

    def scores(self) -> Iterator[EpssScore]:
        """Every well-formed row; bad rows are counted in `skipped`."""
        where = str(self.path)
        with open(self.path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            binary: IO[bytes] = gzip.GzipFile(fileobj=raw) if compressed else raw  # type: ignore[assignment]
            text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
            try:
                yield from self._rows(text, where)
            except (OSError, EOFError, gzip.BadGzipFile) as error:
                raise InputError(f"{where}: unreadable EPSS file: {error}") from None

    def _rows(self, text: IO[str], where: str) -> Iterator[EpssScore]:
        first = _line(text, where)
        if first.startswith("#"):
            self._comment(first)
            first = _line(text, where)
        if first.strip().lower().replace(" ", "") != "cve,epss,percentile":
            raise InputError(f"{where}: not an EPSS CSV: expected the header cve,epss,percentile")
        rows = 0
        while line := _line(text, where):
            rows += 1
            if rows > MAX_EPSS_ROWS:
                raise LimitExceededError(where, "max_epss_rows", MAX_EPSS_ROWS)
            score = _epss_row(line.strip(), self.score_date)
            if score is None:
                self.skipped += 1
                continue
            yield score

    def _comment(self, line: str) -> None:
        for part in line.lstrip("#").strip().split(","):
            key, _, value = part.partition(":")
            if key.strip() == "model_version":
                self.model_version = value.strip() or None
            elif key.strip() == "score_date":
                self.score_date = _rfc3339_date(value.strip())


def _line(text: IO[str], where: str) -> str:
    line = text.readline(MAX_LINE)
    if len(line) >= MAX_LINE and not line.endswith("\n"):
        raise InputError(f"{where}: line longer than {MAX_LINE} characters: not an EPSS CSV")
    return line


def _epss_row(line: str, date: str | None) -> EpssScore | None:
    if not line:
        return None
    parts = line.split(",")
    if len(parts) != 3 or not _CVE.fullmatch(parts[0]):
        return None
    try:
        score, percentile = float(parts[1]), float(parts[2])
    except ValueError:
        return None
    if not (0.0 <= score <= 1.0 and 0.0 <= percentile <= 1.0):
        return None
    return EpssScore(cve=parts[0], score=score, percentile=percentile, date=date)


def _rfc3339_date(value: str) -> str | None:
    """`2023-04-05T00:00:00+0000` (FIRST's spelling) → `2023-04-05T00:00:00Z`."""
    match = _SCORE_DATE.match(value)
    if match is None:
        return None
    return f"{match.group(1)}T{match.group(2) or '00:00:00'}Z"


def _text(container: dict[str, Any], key: str) -> str | None:
    value = container.get(key)
    return value if isinstance(value, str) and value else None
