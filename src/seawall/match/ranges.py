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
from typing import Any, NamedTuple

from seawall.errors import InputError
from seawall.model.advisory import AffectedRange, EventKind, RangeType

# Enum members and values looked up once: on an Enum class each costs an attribute
# lookup through its metaclass, in loops run for every range of every package.
_INTRODUCED = EventKind.INTRODUCED
_FIXED = EventKind.FIXED
_LIMIT = EventKind.LIMIT
# By identity: looking an Enum member up in a dict hashes it through a Python-level
# `__hash__`, and the members are singletons.
_NAMES: dict[int, str] = {
    **{id(kind): kind.value for kind in EventKind},
    **{id(kind): kind.value for kind in RangeType},
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


class Bound(NamedTuple):
    """One event with its parsed version key.

    (Named tuples here and for the matcher's other per-record values: a scan
    builds them by the thousand, and a tuple is built several times faster
    than a frozen dataclass.)
    """

    kind: EventKind
    version: str
    key: Any


Fix = tuple[Any, str]
"""(version key, version as written) of a `fixed` event."""


class PreparedRange(NamedTuple):
    """A range with its event keys parsed and sorted, or the reason it cannot be used."""

    type: RangeType
    events: tuple[Bound, ...]
    """introduced/fixed/last_affected, sorted by version (stable for equal versions).

    Only an `introduced` event can have the key BOTTOM, only a limit TOP."""
    limits: tuple[Bound, ...]
    text: str
    """The range as written, e.g. `ECOSYSTEM: introduced 0, fixed 3.0.15-1~deb12u1`."""
    error: str | None = None


def range_text(affected_range: AffectedRange) -> str:
    """The range as written: `TYPE: kind version, …` in the record's event order."""
    names = _NAMES
    events = ", ".join(
        [f"{names[id(event.kind)]} {event.version}" for event in affected_range.events]
    )
    return f"{names[id(affected_range.type)]}: {events}"


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
    if len(ordered) > 1:
        # BOTTOM (`introduced: "0"`) sorts first; the other keys are versions of one
        # scheme, ordered by their own `<`. Sorting is stable: events at equal
        # versions keep the record's order, as the pseudo-code's `sorted(range.events)`
        # leaves them.
        bottom = [bound for bound in ordered if bound.key is BOTTOM]
        if bottom:
            rest = [bound for bound in ordered if bound.key is not BOTTOM]
            rest.sort(key=_bound_key)
            ordered = bottom + rest
        else:
            ordered.sort(key=_bound_key)
    return PreparedRange(affected_range.type, tuple(ordered), tuple(limits), text)


def _bound_key(bound: Bound) -> Any:
    return bound.key


def _event_key(kind: EventKind, version: str, ecosystem: str, version_key: VersionKeyFunc) -> Any:
    if kind is _INTRODUCED and version == "0":
        return BOTTOM
    if kind is _LIMIT and "*" in version:
        return TOP
    return version_key(ecosystem, version)


def _walk(prepared: PreparedRange, installed: Any) -> tuple[int | None, int]:
    """(index of the event that leaves the range open, or None; index of the first
    event above the installed version, or len(events)).

    The pseudo-code's walk over the sorted events: `introduced` at or below the
    version opens, `fixed` at or below closes, `last_affected` strictly below
    closes. Every event from the first one strictly above the version on is
    above it too (they are sorted), so none of them opens or closes: the walk
    stops there.
    """
    opened: int | None = None
    index = 0
    for bound in prepared.events:
        key = bound.key
        if key is BOTTOM:
            opened = index
        elif installed < key:
            break
        elif bound.kind is _INTRODUCED:
            opened = index
        elif bound.kind is _FIXED or key < installed:  # fixed, or last_affected below
            opened = None
        index += 1
    return opened, index


def _limit(prepared: PreparedRange, installed: Any) -> tuple[bool, Bound | None]:
    """(whether the limits let the version in, the first limit above it)."""
    for bound in prepared.limits:
        if bound.key is TOP or installed < bound.key:
            return True, bound
    return not prepared.limits, None


def judge(
    prepared: PreparedRange, installed: Any, version: str, comparator: str
) -> tuple[str | None, tuple[Fix, ...]]:
    """(`decision_text` of the hit or None when the installed version is outside the
    range, (key, version) of every `fixed` event above the installed version).

    `decision_text` is the comparison that decided, e.g.
    `3.0.11-1 < fixed 3.0.15-1~deb12u1 (Debian:12 comparator)`.
    """
    opened, above = _walk(prepared, installed)
    events = prepared.events
    fixes = tuple([(bound.key, bound.version) for bound in events[above:] if bound.kind is _FIXED])
    if opened is None:
        return None, fixes
    inside, limit = _limit(prepared, installed)
    if not inside:
        return None, fixes
    start = events[opened]
    closes = None
    for bound in events[opened + 1 :]:
        if bound.kind is not _INTRODUCED:
            closes = bound
            break
    if start.key is BOTTOM:
        if closes is None:
            text = f"every version affected, {version} included; no fixed version"
        elif closes.kind is _FIXED:
            text = f"{version} < fixed {closes.version}"
        else:
            text = f"{version} <= last_affected {closes.version}"
    elif closes is None:
        text = (
            f"{version} >= introduced {start.version} and {version} has no fixed version above it"
        )
    elif closes.kind is _FIXED:
        text = f"{version} >= introduced {start.version} and {version} < fixed {closes.version}"
    else:
        text = (
            f"{version} >= introduced {start.version} and "
            f"{version} <= last_affected {closes.version}"
        )
    if limit is not None and limit.key is not TOP:
        text = f"{text} and {version} < limit {limit.version}"
    return f"{text} ({comparator})", fixes


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
    # Stable, by the keys' own `<`: equal versions keep the list's order.
    parsed.sort(key=_first)
    return PreparedVersions(tuple(parsed))


def _first(item: tuple[Any, str]) -> Any:
    return item[0]


def listed(prepared: PreparedVersions, installed: Any) -> str | None:
    """The listed version equal to the installed one under the ecosystem's order, if any."""
    # bisect compares `key(item) < installed`: only `<` is needed of a version key.
    index = bisect_left(prepared.keys, installed, key=_first)
    if index < len(prepared.keys) and not installed < prepared.keys[index][0]:
        return prepared.keys[index][1]
    return None
