"""What matchers work out about one store's records, kept between matches and matchers.

Parsing a record's range events, scoring its CVSS vectors and building the
findings of a subject (an ecosystem, a source or package name and a version)
cost far more than looking them up again. A `MatchCache` keeps them, bounded:

- CVSS scores the store gave, by vector;
- prepared ranges (records of one package often repeat a range, and the
  store hands such ranges out as one object), prepared `versions` lists and
  record severities, keyed by the identity of the store's objects (each entry
  keeps its object alive, so an id cannot be reused for another object while
  the entry exists);
- per subject: the finding templates and the problems met (an LRU).

Subjects are only valid for one version of the store's data. A store that
can say which version it reads (`snapshot`: a hashable value, equal only for
stores reading the same immutable data, as `seawall.vulndb.store.VulnStore`
has) shares one cache per snapshot and version-key function across the
process, so a second scan in a server or worker reuses the first one's work
even though each scan opens the store anew. Any other store gets a cache of
its own per Matcher. Caches are safe to share between threads.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, TypeVar

from seawall.match.ranges import PreparedRange, PreparedVersions, VersionKeyFunc, prepare
from seawall.match.severity import RecordSeverity
from seawall.model.advisory import (
    AdvisoryStore,
    AdvisorySummary,
    AffectedPackage,
    AffectedRange,
)
from seawall.model.finding import CvssScore, VulnerabilityFinding

OBJECTS = 20_000
"""Prepared ranges, versions lists and severities kept (each kind), per cache.

Entries keep the store's objects alive, so this stays near the number of
decoded records the store keeps (seawall.vulndb.store.DECODED_RECORDS): a
1,000-package inventory needs about 5,000."""
SUBJECTS = 10_000
"""Subjects whose findings are kept, per cache."""
SHARED_CACHES = 2
"""Store versions with a cache kept at once (the current one and the one before an update)."""

Subject = tuple[str, str, str]
"""(OSV ecosystem, name, version) a package is matched by."""

_Owner = TypeVar("_Owner")
_Value = TypeVar("_Value")


class SubjectResult(NamedTuple):
    """What matching one subject gave. (A named tuple: one is built per subject.)"""

    findings: tuple[VulnerabilityFinding, ...]
    """Built for the first package matched by this subject; others get a copy."""
    problems: tuple[str, ...]
    """The first MAX_PROBLEMS problems met (seawall.match.matcher)."""
    problems_dropped: int
    """Further problems, counted only."""
    git_ranges_skipped: int


class _ByIdentity(Generic[_Owner, _Value]):
    """Values computed from one object, found again by the object's identity."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: dict[int, tuple[_Owner, _Value]] = {}

    def get(self, owner: _Owner, compute: Callable[[], _Value]) -> _Value:
        found = self._items.get(id(owner))
        if found is not None and found[0] is owner:
            return found[1]
        value = compute()
        if len(self._items) >= self._capacity:
            # Cheaper than an LRU and good enough: one scan's records fit many times over.
            self._items.clear()
        self._items[id(owner)] = (owner, value)
        return value


class MatchCache:
    """Prepared ranges, severities and subjects of one store version (see the module docstring)."""

    def __init__(self, objects: int = OBJECTS, subjects: int = SUBJECTS) -> None:
        # The value keeps the range alive, so its id is not reused meanwhile.
        self._ranges: dict[tuple[int, str], tuple[AffectedRange, PreparedRange]] = {}
        self._range_capacity = objects
        self.versions: _ByIdentity[tuple[str, ...], PreparedVersions] = _ByIdentity(objects)
        self.severities: _ByIdentity[AffectedPackage, tuple[AdvisorySummary, RecordSeverity]] = (
            _ByIdentity(objects)
        )
        self._vectors: dict[tuple[str, bool], CvssScore | str] = {}
        self._subjects: OrderedDict[Subject, SubjectResult] = OrderedDict()
        self._subject_capacity = subjects
        self._lock = threading.Lock()

    def range(
        self, affected_range: AffectedRange, ecosystem: str, version_key: VersionKeyFunc
    ) -> PreparedRange:
        """`affected_range` of an entry in `ecosystem`, prepared (seawall.match.ranges)."""
        # By identity: the store shares one object between rows that write a range
        # alike, and hashing a range's events (and their enum members) costs more
        # than preparing most ranges again.
        key = (id(affected_range), ecosystem)
        seen = self._ranges.get(key)
        if seen is not None and seen[0] is affected_range:
            return seen[1]
        found = prepare(affected_range, ecosystem, version_key)
        if len(self._ranges) >= self._range_capacity:
            self._ranges.clear()
        self._ranges[key] = (affected_range, found)
        return found

    def cvss(self, store: AdvisoryStore, vector: str, v2: bool) -> CvssScore | str:
        """`store.cvss(vector, v2)`, asked once per vector."""
        key = (vector, v2)
        found = self._vectors.get(key)
        if found is None:
            found = store.cvss(vector, v2)
            if len(self._vectors) >= self._range_capacity:
                self._vectors.clear()
            self._vectors[key] = found
        return found

    def subject(self, subject: Subject) -> SubjectResult | None:
        with self._lock:
            found = self._subjects.get(subject)
            if found is not None:
                self._subjects.move_to_end(subject)
            return found

    def keep_subject(self, subject: Subject, result: SubjectResult) -> None:
        with self._lock:
            self._subjects[subject] = result
            self._subjects.move_to_end(subject)
            while len(self._subjects) > self._subject_capacity:
                self._subjects.popitem(last=False)


_shared: OrderedDict[tuple[Hashable, Any], MatchCache] = OrderedDict()
_shared_lock = threading.Lock()


def cache_for(store: AdvisoryStore, version_key: VersionKeyFunc) -> MatchCache:
    """The process's cache for `store`'s snapshot, or a new one when it has none."""
    snapshot = getattr(store, "snapshot", None)
    if snapshot is None:
        return MatchCache()
    key = (snapshot, version_key)
    with _shared_lock:
        found = _shared.get(key)
        if found is None:
            found = _shared[key] = MatchCache()
            while len(_shared) > SHARED_CACHES:
                _shared.popitem(last=False)
        _shared.move_to_end(key)
        return found
