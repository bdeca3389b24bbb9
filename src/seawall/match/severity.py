"""Severity of a finding: CVSS vectors scored by the `cvss` library, labels kept, one rule.

Where records put severities (OSV schema, `severity` and `affected[].severity`):
`CVSS_V2`, `CVSS_V3`, `CVSS_V4` vectors and the `Ubuntu` priority; RustSec also
repeats its vector in `affected[].database_specific.cvss`; GHSA writes a word
in `database_specific.severity`. The normalised severity follows the rule in
docs/severity.md:

1. the highest CVSS v3.x or v4.0 base score → that version's qualitative rating;
2. else the highest CVSS v2 base score → the v2 rating (NVD: Low, Medium, High);
3. else the highest word a database wrote that names a severity;
4. else UNKNOWN.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from seawall.model.advisory import Advisory, AffectedPackage, SeverityScore
from seawall.model.finding import CvssScore, Severity, SeverityLabel

MAX_VECTOR_LENGTH = 512
"""Real vectors are under 200 characters; longer ones are refused unparsed."""

_SHOWN = 80


class InvalidVectorError(ValueError):
    """A CVSS vector the `cvss` library refuses."""


@dataclass(frozen=True, slots=True)
class RecordSeverity:
    """Every severity one record gives one package: scores, labels and the vectors it refused."""

    scores: tuple[CvssScore, ...]
    labels: tuple[SeverityLabel, ...]
    problems: tuple[str, ...]


def _shown(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + f"… ({len(text)} chars)"


def score_vector(vector: str, source: str, *, v2: bool = False) -> CvssScore:
    """Score a CVSS vector; the version comes from its `CVSS:3.x/`/`CVSS:4.0/` prefix.

    A vector without a prefix is CVSS v2 only when the record says so (`v2`):
    v2 vectors carry no version prefix (OSV schema, `CVSS_V2`).
    """
    version, clean, base, severity = _scored(vector.strip(), v2)
    return CvssScore(version, clean, base, severity, source)


@lru_cache(maxsize=16384)
def _scored(text: str, v2: bool) -> tuple[str, str, float, Severity]:
    # Cached: many records repeat a vector, and CVSS v4 scoring is slow
    # (~0.7 ms a vector); an invalid vector raises and is not cached.
    if len(text) > MAX_VECTOR_LENGTH:
        raise InvalidVectorError(f"longer than {MAX_VECTOR_LENGTH} characters")
    # Imported on first use: distribution records carry no vectors, so most
    # scans never need the library (some 5 ms to import).
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    try:
        if text.startswith("CVSS:4."):
            v4 = CVSS4(text)
            return "4.0", v4.clean_vector(), float(v4.base_score), _rating(v4.severity)
        if text.startswith("CVSS:3."):
            v3 = CVSS3(text)
            return (
                f"3.{v3.minor_version}",
                v3.clean_vector(),
                float(v3.scores()[0]),
                _rating(v3.severities()[0]),
            )
        if v2:
            old = CVSS2(text.removeprefix("(").removesuffix(")"))
            return "2.0", old.clean_vector(), float(old.scores()[0]), _rating(old.severities()[0])
    except (CVSSError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        # The library raises its own errors for malformed vectors; the rest
        # guard against a vector it half-parses: a bad vector must never end a scan.
        raise InvalidVectorError(str(error) or type(error).__name__) from None
    raise InvalidVectorError("no CVSS:3.x or CVSS:4.0 prefix")


def _rating(text: Any) -> Severity:
    # The library names ratings `None`, `Low`, `Medium`, `High`, `Critical`.
    return Severity.parse(str(text))


def record_severity(advisory: Advisory, entry: AffectedPackage) -> RecordSeverity:
    """The severities `advisory` gives the package of `entry` (record and entry level)."""
    scores: list[CvssScore] = []
    labels: list[SeverityLabel] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add_vector(kind: str, vector: str) -> None:
        try:
            score = score_vector(vector, advisory.id, v2=kind == "CVSS_V2")
        except InvalidVectorError as error:
            problems.append(
                f"{advisory.id}: invalid {kind} vector {_shown(vector)} ignored: {error}"
            )
            return
        if score.vector not in seen:
            seen.add(score.vector)
            scores.append(score)

    for entry_score in (*advisory.severity, *entry.severity):
        _add_score(entry_score, advisory.id, add_vector, labels)
    rustsec_vector = entry.database_specific.get("cvss")
    if isinstance(rustsec_vector, str) and rustsec_vector:
        add_vector("database_specific.cvss", rustsec_vector)
    for scheme, container in (
        ("database_specific.severity", advisory.database_specific),
        ("affected.database_specific.severity", entry.database_specific),
        ("affected.ecosystem_specific.severity", entry.ecosystem_specific),
    ):
        label = _label(container)
        if label:
            labels.append(SeverityLabel(advisory.id, scheme, label))
    return RecordSeverity(tuple(scores), tuple(labels), tuple(problems))


def _add_score(
    score: SeverityScore,
    source: str,
    add_vector: Callable[[str, str], None],
    labels: list[SeverityLabel],
) -> None:
    if score.type.startswith("CVSS_"):
        add_vector(score.type, score.score)
    elif score.score.strip():
        labels.append(SeverityLabel(source, score.type, score.score.strip()[:_SHOWN]))


def _label(container: Mapping[str, Any]) -> str | None:
    value = container.get("severity")
    if isinstance(value, str) and value.strip():
        return value.strip()[:_SHOWN]
    return None


def label_severity(label: str) -> Severity | None:
    """The Severity a database's word names, or None (`untriaged`, free text)."""
    try:
        return Severity.parse(label)
    except ValueError:
        return None


def normalised(scores: Iterable[CvssScore], labels: Iterable[SeverityLabel]) -> Severity:
    """One severity by the rule of docs/severity.md (see the module docstring)."""
    scored = list(scores)
    for versions in (("3.0", "3.1", "4.0"), ("2.0",)):
        best = max(
            (score for score in scored if score.version in versions),
            key=lambda score: score.base_score,
            default=None,
        )
        if best is not None:
            return best.severity
    named = [severity for label in labels if (severity := label_severity(label.label))]
    named = [severity for severity in named if severity is not Severity.UNKNOWN]
    return max(named, key=lambda severity: severity.rank, default=Severity.UNKNOWN)
