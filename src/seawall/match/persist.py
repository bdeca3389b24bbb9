"""What matching one subject gave, kept across processes: the format, and where it is kept.

A `SubjectResult` (seawall.match.cache) is written as compact JSON (orjson):
never pickle, so a damaged or tampered file can at worst make its entry
unreadable, which `decode` reports as a miss (None). The findings are kept
without their package, which `decode` gives them: the package the subject is
matched for (its fingerprints are worked out again unless it is the package
they were kept for). Nor are their KEV and EPSS entries kept: the catalogue
and the scores change daily while the records of most packages do not, so
each finding keeps the CVEs it takes them from and `decode` looks those up
in the store it reads now.

Layout: two lines (JSON never holds a raw newline). The first is the CVEs
whose KEV and EPSS entries the findings take, all of them, so that those are
read at once for many results before any is built; the second is `[package
part, findings, problems, problems dropped, GIT ranges skipped]`, each finding
`[id, aliases, fixed versions, severity, cvss, summary, references, reasons,
fingerprint, published, modified, exploited CVEs, severity labels, related]`:
the finding's fields less its package, KEV and EPSS, the model's nested
values (scores, reasons, labels) as arrays of their fields in order,
severities as their values. The package part (seawall.match.fingerprint)
says which package the fingerprints are of.

Where: a store that offers `results_cache()` (seawall.vulndb.store.VulnStore:
a file beside the store, seawall.vulndb.results) gets a `Kept`. Entries are
keyed by the subject, by the stamp of its package in the store (`stamps_of`:
moved on by every write that changes a record naming the package, so a
result is found again only while the records it came from are as they were),
and by what else decides a result: seawall's version and the size and
modification time of every module of the matcher, the comparators, the store
and the model (so neither an upgrade nor an edit reads results another code
wrote), and the version-key function by name (only a module-level function
qualifies).
"""

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import orjson

import seawall
from seawall.match import fingerprint
from seawall.match.cache import Subject, SubjectResult
from seawall.match.merge import exploitation, new_finding
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


Stamps = Callable[[Sequence[tuple[str, str]]], list[int]]
"""`stamps_of((ecosystem, name), …)`: each package's stamp in the store (seawall.vulndb.store)."""


class Kept:
    """The results kept for a store, for one version-key function."""

    def __init__(self, results: KeptResults, prefix: str, stamps: Stamps) -> None:
        self.results = results
        self._prefix = prefix
        self._stamps = stamps

    def keys(self, subjects: Sequence[Subject]) -> list[str]:
        """The key of each subject's result, in that order (one read of the store)."""
        stamps = self._stamps([(ecosystem, name) for ecosystem, name, _ in subjects])
        prefix = self._prefix
        return [
            prefix + orjson.dumps((*subject, stamp)).decode()
            for subject, stamp in zip(subjects, stamps, strict=True)
        ]


def kept_for(store: AdvisoryStore, version_key: VersionKeyFunc) -> Kept | None:
    """The results kept for `store` (see the module docstring), or None."""
    opener = getattr(store, "results_cache", None)
    stamps = getattr(store, "stamps_of", None)
    module = getattr(version_key, "__module__", None)
    name = getattr(version_key, "__qualname__", "")
    if not callable(opener) or not callable(stamps) or not isinstance(module, str) or "<" in name:
        return None
    results = opener()
    if results is None:
        return None
    prefix = hashlib.sha256(f"{_code()}\0{module}.{name}".encode()).hexdigest()[:24]
    return Kept(results, prefix + ":", stamps)


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


def encode(result: SubjectResult, part: str, exploited: Sequence[Sequence[str]]) -> bytes:
    """`result` as bytes for `decode`; `part`: `fingerprint.package_part` of the package
    its findings were built for; `exploited`: for each finding, the CVEs whose KEV and
    EPSS entries it takes (seawall.match.merge.exploitation_cves)."""
    cves = orjson.dumps(sorted({cve for cves in exploited for cve in cves}))
    rest = orjson.dumps(
        [
            part,
            [_row(finding, cves) for finding, cves in zip(result.findings, exploited, strict=True)],
            result.problems,
            result.problems_dropped,
            result.git_ranges_skipped,
        ]
    )
    return cves + _NEWLINE + rest


def _row(f: VulnerabilityFinding, exploited: Sequence[str]) -> tuple[Any, ...]:
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
        exploited,
        list(map(_LABEL_FIELDS, f.severity_labels)),
        f.related,
    )


# Each value's fields in order, read in one call.
_REASON_FIELDS = attrgetter("record", "ecosystem", "package", "range", "decision")
_LABEL_FIELDS = attrgetter("source", "scheme", "label")

_NEWLINE = b"\n"


def split(data: bytes) -> tuple[list[str], bytes] | None:
    """(the CVEs on its first line, the rest) of the kept result `data`; None if `data`
    is not one. The CVEs are those whose KEV and EPSS entries its findings take."""
    head, newline, rest = data.partition(_NEWLINE)
    try:
        cves = orjson.loads(head)
        if newline and type(cves) is list:
            _JOIN(cves)
            return cves, rest
    except (orjson.JSONDecodeError, TypeError):
        pass
    return None


class Exploitation(NamedTuple):
    """The KEV and EPSS entries a store has now for the CVEs of some kept results."""

    kev: Mapping[str, KevEntry]
    epss: Mapping[str, EpssScore]
    known: frozenset[str]
    """The CVEs with either: findings of others take neither."""


def exploitation_of(store: AdvisoryStore, cves: Iterable[str]) -> Exploitation:
    """The KEV and EPSS entries `store` has now of `cves` (those of some kept results,
    `split`): one read of each for all of them, before any result is decoded."""
    wanted = list(dict.fromkeys(cves))
    if not wanted:
        return Exploitation({}, {}, frozenset())
    kev = store.kev_of(wanted)
    epss = store.epss_of(wanted)
    return Exploitation(kev, epss, frozenset(kev).union(epss))


def decode(
    cves: list[str], rest: bytes, package: Package, entries: Exploitation
) -> SubjectResult | None:
    """The result `encode` wrote (`split` into `cves` and `rest`), its findings given
    `package` and the KEV and EPSS entries of `entries` (`exploitation_of` the CVEs);
    None if it is not one."""
    try:
        written_part, findings, problems, dropped, git = orjson.loads(rest)
        if type(written_part) is not str or type(findings) is not list:
            return None
        if type(dropped) is not int or type(git) is not int:
            return None
        part = fingerprint.package_part(package) if findings else ""
        # The fingerprints kept are those of the package the results were worked out
        # for: the same package in a later scan (the usual case) keeps them.
        same = part == written_part
        listed = frozenset(cves)
        built = tuple([_built(item, package, part, same, listed, entries) for item in findings])
        return SubjectResult(built, _texts(problems), dropped, git)
    except (orjson.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _built(
    item: list[Any],
    package: Package,
    part: str,
    same: bool,
    listed: frozenset[str],
    entries: Exploitation,
) -> VulnerabilityFinding:
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
        exploited,
        labels,
        related,
    ) = item
    if not (
        type(aliases) is list
        and type(fixed) is list
        and type(cvss) is list
        and type(references) is list
        and type(reasons) is list
        and type(exploited) is list
        and type(labels) is list
        and type(related) is list
    ):
        raise TypeError("not a list")
    # `str.join` refuses anything but strings: one C call checks a whole list.
    _JOIN((identifier, kept_fingerprint, *aliases, *fixed, *references, *related, *exploited))
    for value in (summary, published, modified):
        if value is not None and type(value) is not str:
            raise TypeError("not a string")
    if not listed.issuperset(exploited):
        raise ValueError("exploited CVEs not in the first line")
    if exploited and not entries.known.isdisjoint(exploited):
        kev, epss = exploitation(entries.kev.get, entries.epss, exploited)
    else:
        kev = epss = None
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
        kev,
        epss,
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


def _texts(values: Any) -> tuple[str, ...]:
    if type(values) is not list:
        raise TypeError("not a list")
    _JOIN(values)
    return tuple(values)
