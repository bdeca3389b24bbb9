"""Parsing and validating one OSV record into an `Advisory`.

Validation follows the OSV schema (ossf.github.io/osv-schema, 1.6) for every
field that decides a match: `id`, `modified`, `affected[].package`, range
types and events. Anything else the schema allows but seawall does not use
(`credits`, `schema_version`, unknown future keys) is ignored. A record that
breaks a rule raises `MalformedRecordError` naming where it came from, its id
and the rule; importers count those and carry on.
"""

import re
from functools import lru_cache
from typing import Any

import orjson

from seawall.errors import InputError
from seawall.model.advisory import (
    Advisory,
    AffectedPackage,
    AffectedRange,
    EventKind,
    RangeEvent,
    RangeType,
    Reference,
    SeverityScore,
)

# OSV ids are `<DB>-<ENTRY>` (GHSA-…, PYSEC-…, RHSA-2024:1234, openSUSE-SU-…); the
# schema only says "a unique string", so allow any printable ASCII without spaces.
_ID = re.compile(r"[!-~]{1,256}")
# RFC 3339 §5.6 date-time; the OSV schema requires it for modified/published/withdrawn.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))"
)
_MAX_TEXT = 64
_EVENT_KEYS = {kind.value: kind for kind in EventKind}
_RANGE_TYPES = {kind.value: kind for kind in RangeType}


class MalformedRecordError(InputError):
    """An OSV record breaks the schema in a way that matters for matching."""

    def __init__(self, where: str, record_id: str | None, reason: str) -> None:
        named = f" ({record_id})" if record_id else ""
        super().__init__(f"{where}{named}: malformed OSV record: {reason}")
        self.where = where
        self.record_id = record_id
        self.reason = reason


class _Invalid(Exception):
    """A rule broken inside the record. Each enclosing level adds its place to `path`
    as the error passes through (building paths only on failure keeps the
    common, valid case fast)."""

    def __init__(self, problem: str, *path: str | int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = list(path)

    def located(self) -> str:
        where = ""
        for part in self.path:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
        return f"{where} {self.problem}" if where else self.problem


def parse_record(data: bytes | dict[str, Any], *, where: str) -> Advisory:
    """Validate one OSV record (JSON bytes or an already decoded object) into an Advisory.

    `where` names the input in error messages (`PyPI/all.zip:PYSEC-2021-1.json`).
    """
    if isinstance(data, bytes):
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise MalformedRecordError(where, None, f"not JSON: {_short(str(error))}") from None
    else:
        decoded = data
    if not isinstance(decoded, dict):
        raise MalformedRecordError(where, None, "a record must be a JSON object")
    raw_id = decoded.get("id")
    record_id = raw_id if isinstance(raw_id, str) and _ID.fullmatch(raw_id) else None
    try:
        return _advisory(decoded, record_id)
    except _Invalid as error:
        raise MalformedRecordError(where, record_id, error.located()) from None


def _advisory(record: dict[str, Any], record_id: str | None) -> Advisory:
    if record_id is None:
        raise _Invalid(
            f"must be a non-empty string without spaces, got {_show(record.get('id'))}", "id"
        )
    modified = record.get("modified")
    if modified is None:
        raise _Invalid("is required (an RFC 3339 timestamp)", "modified")
    affected = []
    for index, raw in enumerate(_list(record, "affected")):
        try:
            entry = _affected(raw)
        except _Invalid as error:
            error.path[:0] = ["affected", index]
            raise
        if entry is not None:
            affected.append(entry)
    references = []
    for index, raw in enumerate(_list(record, "references")):
        if not isinstance(raw, dict):
            raise _Invalid("must be an object", "references", index)
        kind, url = raw.get("type"), raw.get("url")
        # (Checked inline: records carry dozens of references.)
        if not (isinstance(kind, str) and kind and isinstance(url, str) and url):
            try:
                kind = _required_string(raw, "type")
                url = _required_string(raw, "url")
            except _Invalid as error:
                error.path[:0] = ["references", index]
                raise
        references.append(Reference(kind, url))
    # Positional arguments: the fields of Advisory in order (faster than keywords).
    return Advisory(
        record_id,
        _timestamp(modified, "modified"),
        _optional_timestamp(record.get("published"), "published"),
        _optional_timestamp(record.get("withdrawn"), "withdrawn"),
        _strings(record, "aliases"),
        _strings(record, "related"),
        _optional_string(record, "summary"),
        _optional_string(record, "details"),
        _severity(record),
        tuple(affected),
        tuple(references),
        _object(record, "database_specific"),
    )


def _affected(raw: object) -> AffectedPackage | None:
    if not isinstance(raw, dict):
        raise _Invalid("must be an object")
    ranges = []
    for index, item in enumerate(_list(raw, "ranges")):
        try:
            ranges.append(_range(item))
        except _Invalid as error:
            error.path[:0] = ["ranges", index]
            raise
    package = raw.get("package")
    if package is None:
        # The schema lets an entry name no package when it is described only by
        # GIT ranges (commits in a repository). Such an entry cannot be matched
        # against a package inventory, so it is not kept.
        if ranges and all(item.type is RangeType.GIT for item in ranges):
            return None
        raise _Invalid("is required unless every range is of type GIT", "package")
    if not isinstance(package, dict):
        raise _Invalid("must be an object", "package")
    try:
        ecosystem = _required_string(package, "ecosystem")
        name = _required_string(package, "name")
        purl = _optional_string(package, "purl")
    except _Invalid as error:
        error.path.insert(0, "package")
        raise
    return AffectedPackage(
        ecosystem,
        name,
        purl,
        tuple(ranges),
        _strings(raw, "versions"),
        _severity(raw),
        _object(raw, "ecosystem_specific"),
        _object(raw, "database_specific"),
    )


def _range(raw: object) -> AffectedRange:
    if not isinstance(raw, dict):
        raise _Invalid("must be an object")
    type_name = raw.get("type")
    range_type = _RANGE_TYPES.get(type_name) if isinstance(type_name, str) else None
    if range_type is None:
        raise _Invalid(f"must be SEMVER, ECOSYSTEM or GIT, got {_show(type_name)}", "type")
    repo = _optional_string(raw, "repo")
    if range_type is RangeType.GIT and not repo:
        raise _Invalid("is required for a GIT range", "repo")
    raw_events = raw.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise _Invalid("must be a non-empty list", "events")
    events = []
    # Schema: "each range must contain at least one introduced event" and
    # "fixed and last_affected must not both appear in the same range". Noted
    # while reading the events (identity tests: hashing enums is slow, and
    # every imported range passes here).
    introduced = fixed = last_affected = False
    for index, event in enumerate(raw_events):
        if not isinstance(event, dict) or len(event) != 1:
            raise _Invalid("must be an object with exactly one key", "events", index)
        ((key, value),) = event.items()
        kind = _EVENT_KEYS.get(key)
        if kind is None:
            raise _Invalid(
                f"has key {_show(key)}; expected introduced, fixed, last_affected or limit",
                "events",
                index,
            )
        if not isinstance(value, str) or not value or not value.isprintable():
            raise _Invalid(
                f"must be a non-empty version string, got {_show(value)}", "events", index, key
            )
        if kind is EventKind.INTRODUCED:
            introduced = True
        elif kind is EventKind.FIXED:
            fixed = True
        elif kind is EventKind.LAST_AFFECTED:
            last_affected = True
        events.append(RangeEvent(kind, value))
    if not introduced:
        raise _Invalid("has no `introduced` event")
    if fixed and last_affected:
        raise _Invalid("mixes `fixed` and `last_affected` events")
    return AffectedRange(range_type, tuple(events), repo, _object(raw, "database_specific"))


def _severity(container: dict[str, Any]) -> tuple[SeverityScore, ...]:
    scores = []
    for index, raw in enumerate(_list(container, "severity")):
        if not isinstance(raw, dict):
            raise _Invalid("must be an object", "severity", index)
        try:
            scores.append(
                SeverityScore(
                    type=_required_string(raw, "type"), score=_required_string(raw, "score")
                )
            )
        except _Invalid as error:
            error.path[:0] = ["severity", index]
            raise
    return tuple(scores)


def _timestamp(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be an RFC 3339 timestamp, got {_show(value)}", key)
    problem = _timestamp_problem(value)
    if problem:
        raise _Invalid(f"{problem}: {_show(value)}", key)
    return value


def _optional_timestamp(value: object, key: str) -> str | None:
    return None if value is None else _timestamp(value, key)


_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@lru_cache(maxsize=65536)
def _timestamp_problem(value: str) -> str | None:
    """None for a valid RFC 3339 date-time (§5.6, with §5.7's ranges), else what is wrong."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return "is not an RFC 3339 timestamp"
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    valid = (
        1 <= month <= 12
        and 1 <= day <= (_DAYS[month - 1] if month != 2 or leap else 28)
        and hour <= 23
        and minute <= 59
        and second <= 60  # a leap second
        and (match.group(9) is None or (int(match.group(9)) <= 23 and int(match.group(10)) <= 59))
    )
    return None if valid else "is not a valid date and time"


def _list(container: dict[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid("must be a list", key)
    return value


def _strings(container: dict[str, Any], key: str) -> tuple[str, ...]:
    values = _list(container, key)
    # One pass in C for the common case (long `versions` lists); the loop below
    # finds the offending value only when there is one.
    if set(map(type, values)) <= _JUST_STR:
        return tuple(values)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise _Invalid(f"must be a string, got {_show(value)}", key, index)
    return tuple(values)


_JUST_STR = frozenset((str,))


def _object(container: dict[str, Any], key: str) -> dict[str, Any]:
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid("must be an object", key)
    return value


def _optional_string(container: dict[str, Any], key: str) -> str | None:
    value = container.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Invalid(f"must be a string, got {_show(value)}", key)


def _required_string(container: dict[str, Any], key: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise _Invalid(f"must be a non-empty string, got {_show(value)}", key)
    return value


def _show(value: object) -> str:
    """A bounded rendering of a hostile value for an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(_short(value))
    return type(value).__name__


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"
