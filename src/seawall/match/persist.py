"""What matching one subject gave, kept across processes: the format, and where it is kept.

A `SubjectResult` (seawall.match.cache) is written as compact JSON (orjson):
never pickle, so a damaged or tampered file can at worst make its entry
unreadable, which `decode` reports as a miss (None). The findings are kept
without their package, which `decode` gives them: the package the subject is
matched for (its fingerprints are worked out again unless it is the package
they were kept for).

Layout: `[package part, findings, problems, problems dropped, GIT ranges
skipped]`, each finding `[id, aliases, fixed versions, severity, cvss,
summary, references, reasons, fingerprint, published, modified, kev, epss,
severity labels, related]`: the finding's fields less its package, the
model's nested values (scores, reasons, KEV and EPSS entries, labels) as
arrays of their fields in order, severities as their values. The package
part (seawall.match.fingerprint) says which package the fingerprints are of.

Where: a store that offers `results_cache()` (seawall.vulndb.store.VulnStore:
a file beside the store, for its current snapshot only, emptied by every
write of the store) gets a `KeptResults`. Entries are keyed by the subject
and by what else decides a result: seawall's version and the size and
modification time of every module of the matcher, the comparators, the store
and the model (so neither an upgrade nor an edit reads results another code
wrote), and the version-key function by name (only a module-level function
qualifies).
"""

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

import orjson

import seawall
from seawall.match import fingerprint
from seawall.match.cache import Subject, SubjectResult
from seawall.match.merge import new_finding
from seawall.match.ranges import VersionKeyFunc
from seawall.model.advisory import AdvisoryStore, EpssScore, KevEntry
from seawall.model.finding import (
    CvssScore,
    MatchReason,
    Severity,
    SeverityLabel,
    VulnerabilityFinding,
)
from seawall.model.frozen import builder
from seawall.model.package import Package

_SEVERITIES = {severity.value: severity for severity in Severity}
# By identity: an Enum member's `.value` is a Python-level property.
_VALUES = {id(severity): severity.value for severity in Severity}
_new_reason: Callable[[str, str, str, str, str], MatchReason] = builder(MatchReason)
_new_score: Callable[[str, str, float, Severity, str], CvssScore] = builder(CvssScore)
_new_label: Callable[[str, str, str], SeverityLabel] = builder(SeverityLabel)


class KeptResults(Protocol):
    """Bytes by key, kept across processes (seawall.vulndb.results.ResultsCache)."""

    def found(self, keys: Sequence[str]) -> Mapping[str, bytes]: ...

    def keep(self, values: Mapping[str, bytes]) -> None: ...


class Kept:
    """The results kept for a store, for one version-key function."""

    def __init__(self, results: KeptResults, prefix: str) -> None:
        self.results = results
        self._prefix = prefix

    def key(self, subject: Subject) -> str:
        return self._prefix + orjson.dumps(subject).decode()


def kept_for(store: AdvisoryStore, version_key: VersionKeyFunc) -> Kept | None:
    """The results kept for `store` (see the module docstring), or None."""
    opener = getattr(store, "results_cache", None)
    module = getattr(version_key, "__module__", None)
    name = getattr(version_key, "__qualname__", "")
    if not callable(opener) or not isinstance(module, str) or "<" in name:
        return None
    results = opener()
    if results is None:
        return None
    prefix = hashlib.sha256(f"{_code()}\0{module}.{name}".encode()).hexdigest()[:24]
    return Kept(results, prefix + ":")


@cache
def _code() -> str:
    """seawall's version and the size and modification time of the modules results depend on."""
    root = Path(seawall.__file__).parent
    parts = [seawall.__version__]
    for folder in ("match", "versions", "vulndb", "model"):
        try:
            entries = sorted(os.scandir(root / folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                status = entry.stat()
                parts.append(f"{folder}/{entry.name}:{status.st_size}:{status.st_mtime_ns}")
    return "\n".join(parts)


def encode(result: SubjectResult, part: str) -> bytes:
    """`result` as bytes for `decode`; `part`: `fingerprint.package_part` of the package
    its findings were built for."""
    return orjson.dumps(
        [
            part,
            [_row(finding) for finding in result.findings],
            result.problems,
            result.problems_dropped,
            result.git_ranges_skipped,
        ]
    )


def _row(f: VulnerabilityFinding) -> tuple[Any, ...]:
    kev = f.kev
    epss = f.epss
    return (
        f.id,
        f.aliases,
        f.fixed_versions,
        _VALUES[id(f.severity)],
        [(s.version, s.vector, s.base_score, _VALUES[id(s.severity)], s.source) for s in f.cvss]
        if f.cvss
        else (),
        f.summary,
        f.references,
        list(map(_REASON_FIELDS, f.reasons)),
        f.fingerprint,
        f.published,
        f.modified,
        None if kev is None else _KEV_FIELDS(kev),
        None if epss is None else _EPSS_FIELDS(epss),
        list(map(_LABEL_FIELDS, f.severity_labels)),
        f.related,
    )


# Each value's fields in order, read in one call.
_REASON_FIELDS = attrgetter("record", "ecosystem", "package", "range", "decision")
_LABEL_FIELDS = attrgetter("source", "scheme", "label")
_KEV_FIELDS = attrgetter(
    "cve",
    "vendor",
    "product",
    "name",
    "date_added",
    "due_date",
    "required_action",
    "known_ransomware_use",
)
_EPSS_FIELDS = attrgetter("cve", "score", "percentile", "date")


def decode(data: bytes, package: Package) -> SubjectResult | None:
    """The result `encode` wrote, its findings given `package`; None if `data` is not one."""
    try:
        written_part, findings, problems, dropped, git = orjson.loads(data)
        if type(findings) is not list or type(dropped) is not int or type(git) is not int:
            return None
        part = fingerprint.package_part(package) if findings else ""
        # The fingerprints kept are those of the package the results were worked out
        # for: the same package in a later scan (the usual case) keeps them.
        same = part == written_part
        built = tuple([_built(item, package, part, same) for item in findings])
        return SubjectResult(built, _texts(problems), dropped, git)
    except (orjson.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _built(item: list[Any], package: Package, part: str, same: bool) -> VulnerabilityFinding:
    (
        identifier,
        aliases,
        fixed,
        severity,
        cvss,
        summary,
        references,
        reasons,
        kept_fingerprint,
        published,
        modified,
        kev,
        epss,
        labels,
        related,
    ) = item
    # `str.join` refuses anything but strings: one C call checks a whole list.
    _JOIN((identifier, kept_fingerprint, *aliases, *fixed, *references, *related))
    for value in (summary, published, modified):
        if value is not None and type(value) is not str:
            raise TypeError("not a string")
    return new_finding(
        identifier,
        tuple(aliases),
        package,
        tuple(fixed),
        _SEVERITIES[severity],
        tuple([_score(score) for score in cvss]) if cvss else (),
        summary,
        tuple(references),
        tuple([_reason(reason) for reason in reasons]),
        kept_fingerprint if same else fingerprint.fingerprint_with(identifier, part),
        published,
        modified,
        None if kev is None else _kev(kev),
        None if epss is None else _epss(epss),
        tuple([_label(label) for label in labels]) if labels else (),
        tuple(related),
    )


_JOIN = "".join


def _reason(raw: list[Any]) -> MatchReason:
    _JOIN(raw)
    return _new_reason(*raw)


def _score(raw: list[Any]) -> CvssScore:
    version, vector, base, severity, source = raw
    _JOIN((version, vector, source))
    if type(base) is not float and type(base) is not int:
        raise TypeError("not a number")
    return _new_score(version, vector, float(base), _SEVERITIES[severity], source)


def _label(raw: list[Any]) -> SeverityLabel:
    _JOIN(raw)
    return _new_label(*raw)


def _kev(raw: list[Any]) -> KevEntry:
    cve, *fields = raw
    _JOIN([cve, *[field for field in fields if field is not None]])
    if len(fields) != 7:
        raise TypeError("not a KEV entry")
    return KevEntry(cve, *fields)


def _epss(raw: list[Any]) -> EpssScore:
    cve, score, percentile, date = raw
    _JOIN((cve,) if date is None else (cve, date))
    if type(score) is not float or type(percentile) is not float:
        raise TypeError("not a score")
    return EpssScore(cve, score, percentile, date)


def _texts(values: Any) -> tuple[str, ...]:
    if type(values) is not list:
        raise TypeError("not a list")
    _JOIN(values)
    return tuple(values)
