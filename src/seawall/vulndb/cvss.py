"""CVSS vectors scored by the `cvss` library, once per distinct vector (issue 4, "Severity").

Where records put vectors (OSV schema, `severity` and `affected[].severity`):
`CVSS_V2`, `CVSS_V3` and `CVSS_V4` entries; RustSec also repeats its vector
in `affected[].database_specific.cvss`. The store scores every distinct
vector of what it imports and keeps the answers in its `cvss` table
(seawall.vulndb.schema), so a scan never loads the library (some 10 ms) nor
scores a vector (0.05 to 0.7 ms each, CVSS v4 the slowest). A vector is kept as
written less surrounding blanks, with whether its record called it CVSS v2.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from seawall.model.advisory import Advisory, AdvisorySummary
from seawall.model.finding import CvssScore, Severity

MAX_VECTOR_LENGTH = 512
"""Real vectors are under 200 characters; longer ones are refused unparsed (and not stored)."""


def vectors(advisory: Advisory | AdvisorySummary) -> Iterator[tuple[str, bool]]:
    """(vector without surrounding blanks, whether it is CVSS v2) of every vector in the record."""
    for entry in (*advisory.severity, *(s for e in advisory.affected for s in e.severity)):
        if entry.type.startswith("CVSS_"):
            yield entry.score.strip(), entry.type == "CVSS_V2"
    for affected in advisory.affected:
        rustsec = affected.database_specific.get("cvss")
        if isinstance(rustsec, str) and rustsec:
            yield rustsec.strip(), False


def refused_unparsed(text: str) -> str | None:
    """Why a vector too long to parse is refused, else None."""
    if len(text) > MAX_VECTOR_LENGTH:
        return f"longer than {MAX_VECTOR_LENGTH} characters"
    return None


@lru_cache(maxsize=16384)
def score(text: str, v2: bool) -> CvssScore | str:
    """Score a vector (already stripped), or say why the library refuses it.

    The version comes from the `CVSS:3.x/`/`CVSS:4.0/` prefix; a vector
    without one is CVSS v2 only when the record says so (`v2`): v2 vectors
    carry no version prefix (OSV schema, `CVSS_V2`). The score's `source` is
    left empty for the caller to name the record.
    """
    too_long = refused_unparsed(text)
    if too_long is not None:
        return too_long
    # Imported on first use: most imports score few vectors, scans none.
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    try:
        if text.startswith("CVSS:4."):
            v4 = CVSS4(text)
            return CvssScore(
                "4.0", v4.clean_vector(), float(v4.base_score), _rating(v4.severity), ""
            )
        if text.startswith("CVSS:3."):
            v3 = CVSS3(text)
            return CvssScore(
                f"3.{v3.minor_version}",
                v3.clean_vector(),
                float(v3.scores()[0]),
                _rating(v3.severities()[0]),
                "",
            )
        if v2:
            old = CVSS2(text.removeprefix("(").removesuffix(")"))
            return CvssScore(
                "2.0", old.clean_vector(), float(old.scores()[0]), _rating(old.severities()[0]), ""
            )
    except (CVSSError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        # The library raises its own errors for malformed vectors; the rest
        # guard against a vector it half-parses: a bad vector must never end an import.
        return str(error) or type(error).__name__
    return "no CVSS:3.x or CVSS:4.0 prefix"


def _rating(text: Any) -> Severity:
    # The library names ratings `None`, `Low`, `Medium`, `High`, `Critical`.
    return Severity.parse(str(text))
