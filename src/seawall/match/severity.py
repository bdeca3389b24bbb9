"""Severity of a finding: CVSS scores (the store's, seawall.vulndb.cvss), labels, one rule.

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
from typing import Any

from seawall.model.advisory import AdvisorySummary, AffectedPackage, SeverityScore
from seawall.model.finding import CvssScore, Severity, SeverityLabel
from seawall.model.frozen import builder

_SHOWN = 80

VectorScorer = Callable[[str, bool], CvssScore | str]
"""`scorer(vector as written, v2)`: `AdvisoryStore.cvss`, or a cache in front of it."""


@dataclass(frozen=True, slots=True)
class RecordSeverity:
    """Every severity one record gives one package: scores, labels and the vectors it refused."""

    scores: tuple[CvssScore, ...]
    labels: tuple[SeverityLabel, ...]
    problems: tuple[str, ...]


NO_SEVERITY = RecordSeverity((), (), ())

# One per vector of every matched record that has one (seawall.model.frozen).
_new_score: Callable[[str, str, float, Severity, str], CvssScore] = builder(CvssScore)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + f"… ({len(text)} chars)"


def gives_severity(advisory: AdvisorySummary, entry: AffectedPackage) -> bool:
    """Whether `advisory` says anything about the severity of the package of `entry`."""
    return bool(
        advisory.severity
        or entry.severity
        or entry.database_specific.get("cvss")
        or "severity" in advisory.database_specific
        or "severity" in entry.database_specific
        or "severity" in entry.ecosystem_specific
    )


def record_severity(
    advisory: AdvisorySummary, entry: AffectedPackage, scorer: VectorScorer
) -> RecordSeverity:
    """The severities `advisory` gives the package of `entry` (record and entry level).

    Vectors are scored by `scorer` (the store's scores, seawall.vulndb.cvss).
    """
    if not gives_severity(advisory, entry):
        return NO_SEVERITY  # most distribution records
    rustsec_vector = entry.database_specific.get("cvss")
    scores: list[CvssScore] = []
    labels: list[SeverityLabel] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add_vector(kind: str, vector: str) -> None:
        scored = scorer(vector, kind == "CVSS_V2")
        if isinstance(scored, str):
            problems.append(
                f"{advisory.id}: invalid {kind} vector {_shown(vector)} ignored: {scored}"
            )
            return
        if scored.vector not in seen:
            seen.add(scored.vector)
            scores.append(
                _new_score(
                    scored.version, scored.vector, scored.base_score, scored.severity, advisory.id
                )
            )

    for entry_score in (*advisory.severity, *entry.severity):
        _add_score(entry_score, advisory.id, add_vector, labels)
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
