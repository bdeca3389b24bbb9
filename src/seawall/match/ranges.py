"""OSV affected ranges and version lists evaluated against one installed version.

Follows the OSV schema's "Evaluation" pseudo-code (ossf.github.io/osv-schema,
`affected[].ranges[]`):

- a range applies only while the version is below one of its `limit` events
  (none means an implicit `limit: "*"`; a limit containing `*` is infinity);
- events are sorted by version under the range type's order, then walked:
  `introduced` at or below the version opens, `fixed` at or below closes,
  `last_affected` strictly below closes;
- `introduced: "0"` sorts before every version;
- `versions` lists match by equality under the ecosystem's order (so PEP 440
  `1.0` equals a listed `1.0.0`).

SEMVER ranges are ordered by the package ecosystem's own comparator. OSV
publishes SEMVER ranges for ecosystems whose order is SemVer 2.0 precedence
(Go, crates.io, npm, Hex), where the two agree on every SemVer version; the
ecosystem's comparator also accepts that ecosystem's own spellings of the
installed version (Go's leading `v`, which OSV strips from event versions).
GIT ranges need the repository's commit graph and are never matched by
version: the caller counts them.

Event keys are parsed once per distinct range and kept by the caller
(seawall.match.cache), since one record is evaluated for many packages and
records of one package often repeat a range.
"""

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from seawall.errors import InputError
from seawall.model.advisory import AffectedRange, EventKind, RangeType

# Enum members and values looked up once: on an Enum class each costs an attribute
# lookup through its metaclass, in loops run for every range of every package.
_INTRODUCED = EventKind.INTRODUCED
_FIXED = EventKind.FIXED
_LIMIT = EventKind.LIMIT
_NAMES: dict[EventKind | RangeType, str] = {
    **{kind: kind.value for kind in EventKind},
    **{kind: kind.value for kind in RangeType},
}

VersionKeyFunc = Callable[[str, str], Any]
"""`version_key(ecosystem, version)`: a key ordered like the ecosystem's versions.

`seawall.versions.key` is the implementation; it raises an `InputError` for a
version the ecosystem rejects or an ecosystem without a comparator.
"""


class _Bottom:
    """`introduced: "0"`: before every version (OSV schema, "Special values")."""

    def __repr__(self) -> str:
        return "BOTTOM"


class _Top:
    """A `limit` containing `*`: after every version."""

    def __repr__(self) -> str:
        return "TOP"


BOTTOM: Any = _Bottom()
TOP: Any = _Top()


def less(a: Any, b: Any) -> bool:
    """`a < b` for version keys, with BOTTOM and TOP as the extremes."""
    if a is BOTTOM:
        return b is not BOTTOM
    if b is BOTTOM or a is TOP:
        return False
    if b is TOP:
        return True
    return bool(a < b)


def _compare(a: "Bound", b: "Bound") -> int:
    if less(a.key, b.key):
        return -1
    if less(b.key, a.key):
        return 1
    return 0


@dataclass(frozen=True, slots=True)
class Bound:
    """One event with its parsed version key."""

    kind: EventKind
    version: str
    key: Any


@dataclass(frozen=True, slots=True)
class PreparedRange:
    """A range with its event keys parsed and sorted, or the reason it cannot be used."""

    type: RangeType
    events: tuple[Bound, ...]
    """introduced/fixed/last_affected, sorted by version (stable for equal versions)."""
    limits: tuple[Bound, ...]
    text: str
    """The range as written, e.g. `ECOSYSTEM: introduced 0, fixed 3.0.15-1~deb12u1`."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RangeHit:
    """Why a version falls in a range: the event that opened it and the one that closes it."""

    opened: Bound
    closes: Bound | None
    """The next `fixed` or `last_affected` above the version; None when nothing closes it."""
    limit: Bound | None
    fixed: tuple[Bound, ...]
    """Every `fixed` event above the version, in version order."""


def range_text(affected_range: AffectedRange) -> str:
    """The range as written: `TYPE: kind version, …` in the record's event order."""
    events = ", ".join(f"{_NAMES[event.kind]} {event.version}" for event in affected_range.events)
    return f"{_NAMES[affected_range.type]}: {events}"


def prepare(
    affected_range: AffectedRange, ecosystem: str, version_key: VersionKeyFunc
) -> PreparedRange:
    """Parse and sort a SEMVER or ECOSYSTEM range's events under `ecosystem`'s order."""
    text = range_text(affected_range)
    ordered: list[Bound] = []
    limits: list[Bound] = []
    for event in affected_range.events:
        try:
            key = _event_key(event.kind, event.version, ecosystem, version_key)
        except InputError as error:
            return PreparedRange(affected_range.type, (), (), text, error=str(error))
        bound = Bound(event.kind, event.version, key)
        (limits if event.kind is _LIMIT else ordered).append(bound)
    # sorted() is stable: events at equal versions keep the record's order, as
    # the pseudo-code's `sorted(range.events)` leaves them.
    ordered.sort(key=cmp_to_key(_compare))
    return PreparedRange(affected_range.type, tuple(ordered), tuple(limits), text)


def _event_key(kind: EventKind, version: str, ecosystem: str, version_key: VersionKeyFunc) -> Any:
    if kind is _INTRODUCED and version == "0":
        return BOTTOM
    if kind is _LIMIT and "*" in version:
        return TOP
    return version_key(ecosystem, version)


def evaluate(prepared: PreparedRange, installed: Any) -> RangeHit | None:
    """The hit when the installed version's key falls in the range, else None."""
    limit: Bound | None = None
    if prepared.limits:
        limit = next((bound for bound in prepared.limits if less(installed, bound.key)), None)
        if limit is None:
            return None
    opened: int | None = None
    for index, bound in enumerate(prepared.events):
        if bound.kind is _INTRODUCED:
            if not less(installed, bound.key):
                opened = index
        elif bound.kind is _FIXED:
            if not less(installed, bound.key):
                opened = None
        elif less(bound.key, installed):  # last_affected
            opened = None
    if opened is None:
        return None
    # Sorted events: nothing after the opening event closed the range, so the
    # first fixed/last_affected after it lies above the installed version.
    after = prepared.events[opened + 1 :]
    closes = next((bound for bound in after if bound.kind is not _INTRODUCED), None)
    fixed = tuple(
        bound for bound in prepared.events if bound.kind is _FIXED and less(installed, bound.key)
    )
    return RangeHit(prepared.events[opened], closes, limit, fixed)


def decision_text(hit: RangeHit, installed: str, comparator: str) -> str:
    """The comparison that decided, e.g. `3.0.11-1 < fixed 3.0.15-1~deb12u1 (Debian:12 …)`."""
    clauses: list[str] = []
    if hit.opened.key is not BOTTOM:
        clauses.append(f"{installed} >= introduced {hit.opened.version}")
    if hit.closes is None:
        clauses.append(
            f"{installed} has no fixed version above it"
            if clauses
            else f"every version affected, {installed} included; no fixed version"
        )
    elif hit.closes.kind is _FIXED:
        clauses.append(f"{installed} < fixed {hit.closes.version}")
    else:
        clauses.append(f"{installed} <= last_affected {hit.closes.version}")
    if hit.limit is not None and hit.limit.key is not TOP:
        clauses.append(f"{installed} < limit {hit.limit.version}")
    return f"{' and '.join(clauses)} ({comparator})"


@dataclass(frozen=True, slots=True)
class PreparedVersions:
    """An `affected[].versions` list as (key, version) pairs sorted by key."""

    keys: tuple[tuple[Any, str], ...]


def prepare_versions(
    versions: Sequence[str], ecosystem: str, version_key: VersionKeyFunc
) -> PreparedVersions:
    """Parse a versions list, leaving out entries the ecosystem's rules reject.

    Such an entry (PyPI lists hold legacy versions like `2.0.0-final`) can never
    equal an installed version, since an installed version the rules reject is
    not matched at all: nothing is lost, so it is not reported as a problem.
    """
    parsed: list[tuple[Any, str]] = []
    for version in versions:
        try:
            parsed.append((version_key(ecosystem, version), version))
        except InputError:
            continue
    parsed.sort(key=cmp_to_key(_compare_listed))
    return PreparedVersions(tuple(parsed))


def _compare_listed(a: tuple[Any, str], b: tuple[Any, str]) -> int:
    return -1 if a[0] < b[0] else int(b[0] < a[0])


def listed(prepared: PreparedVersions, installed: Any) -> str | None:
    """The listed version equal to the installed one under the ecosystem's order, if any."""
    # bisect compares `key(item) < installed`: only `<` is needed of a version key.
    index = bisect_left(prepared.keys, installed, key=lambda item: item[0])
    if index < len(prepared.keys) and not installed < prepared.keys[index][0]:
        return prepared.keys[index][1]
    return None
