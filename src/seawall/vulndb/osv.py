"""Parsing and validating one OSV record into an `Advisory`.

Validation follows the OSV schema (ossf.github.io/osv-schema, 1.6) for every
field that decides a match: `id`, `modified`, `affected[].package`, range
types and events. Anything else the schema allows but seawall does not use
(`credits`, `schema_version`, unknown future keys) is ignored. A record that
breaks a rule raises `MalformedRecordError` naming where it came from, its id
and the rule; importers count those and carry on.
"""

import re
from datetime import datetime
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
    """A rule broken somewhere inside the record; turned into MalformedRecordError."""


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
        raise MalformedRecordError(where, record_id, str(error)) from None


def _advisory(record: dict[str, Any], record_id: str | None) -> Advisory:
    if record_id is None:
        raise _Invalid(
            f"`id` must be a non-empty string without spaces, got {_show(record.get('id'))}"
        )
    affected = tuple(
        entry
        for index, raw in enumerate(_list(record, "affected", "affected"))
        if (entry := _affected(raw, f"affected[{index}]")) is not None
    )
    return Advisory(
        id=record_id,
        modified=_timestamp(record.get("modified"), "modified", required=True) or "",
        published=_timestamp(record.get("published"), "published", required=False),
        withdrawn=_timestamp(record.get("withdrawn"), "withdrawn", required=False),
        aliases=_strings(record, "aliases", "aliases"),
        related=_strings(record, "related", "related"),
        summary=_optional_string(record, "summary", "summary"),
        details=_optional_string(record, "details", "details"),
        severity=_severity(record, "severity"),
        affected=affected,
        references=tuple(
            _reference(raw, f"references[{index}]")
            for index, raw in enumerate(_list(record, "references", "references"))
        ),
        database_specific=_object(record, "database_specific", "database_specific"),
    )


def _affected(raw: object, path: str) -> AffectedPackage | None:
    if not isinstance(raw, dict):
        raise _Invalid(f"{path} must be an object")
    ranges = tuple(
        _range(item, f"{path}.ranges[{index}]")
        for index, item in enumerate(_list(raw, "ranges", f"{path}.ranges"))
    )
    package = raw.get("package")
    if package is None:
        # The schema lets an entry name no package when it is described only by
        # GIT ranges (commits in a repository). Such an entry cannot be matched
        # against a package inventory, so it is not kept.
        if ranges and all(item.type is RangeType.GIT for item in ranges):
            return None
        raise _Invalid(f"{path}.package is required unless every range is of type GIT")
    if not isinstance(package, dict):
        raise _Invalid(f"{path}.package must be an object")
    ecosystem = _required_string(package, "ecosystem", f"{path}.package.ecosystem")
    name = _required_string(package, "name", f"{path}.package.name")
    return AffectedPackage(
        ecosystem=ecosystem,
        name=name,
        purl=_optional_string(package, "purl", f"{path}.package.purl"),
        ranges=ranges,
        versions=_strings(raw, "versions", f"{path}.versions"),
        severity=_severity(raw, f"{path}.severity"),
        ecosystem_specific=_object(raw, "ecosystem_specific", f"{path}.ecosystem_specific"),
        database_specific=_object(raw, "database_specific", f"{path}.database_specific"),
    )


def _range(raw: object, path: str) -> AffectedRange:
    if not isinstance(raw, dict):
        raise _Invalid(f"{path} must be an object")
    type_name = raw.get("type")
    range_type = _RANGE_TYPES.get(type_name) if isinstance(type_name, str) else None
    if range_type is None:
        raise _Invalid(f"{path}.type must be SEMVER, ECOSYSTEM or GIT, got {_show(type_name)}")
    repo = _optional_string(raw, "repo", f"{path}.repo")
    if range_type is RangeType.GIT and not repo:
        raise _Invalid(f"{path}.repo is required for a GIT range")
    raw_events = raw.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise _Invalid(f"{path}.events must be a non-empty list")
    events = tuple(_event(item, f"{path}.events[{index}]") for index, item in enumerate(raw_events))
    kinds = {event.kind for event in events}
    # Schema: "each range must contain at least one introduced event" and
    # "fixed and last_affected must not both appear in the same range".
    if EventKind.INTRODUCED not in kinds:
        raise _Invalid(f"{path} has no `introduced` event")
    if EventKind.FIXED in kinds and EventKind.LAST_AFFECTED in kinds:
        raise _Invalid(f"{path} mixes `fixed` and `last_affected` events")
    return AffectedRange(
        type=range_type,
        events=events,
        repo=repo,
        database_specific=_object(raw, "database_specific", f"{path}.database_specific"),
    )


def _event(raw: object, path: str) -> RangeEvent:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _Invalid(f"{path} must be an object with exactly one key")
    ((key, value),) = raw.items()
    kind = _EVENT_KEYS.get(key)
    if kind is None:
        raise _Invalid(
            f"{path} has key {_show(key)}; expected introduced, fixed, last_affected or limit"
        )
    if not isinstance(value, str) or not value or not value.isprintable():
        raise _Invalid(f"{path}.{key} must be a non-empty version string, got {_show(value)}")
    return RangeEvent(kind=kind, version=value)


def _severity(container: dict[str, Any], path: str) -> tuple[SeverityScore, ...]:
    key = path.rsplit(".", 1)[-1]
    scores = []
    for index, raw in enumerate(_list(container, key, path)):
        where = f"{path}[{index}]"
        if not isinstance(raw, dict):
            raise _Invalid(f"{where} must be an object")
        scores.append(
            SeverityScore(
                type=_required_string(raw, "type", f"{where}.type"),
                score=_required_string(raw, "score", f"{where}.score"),
            )
        )
    return tuple(scores)


def _reference(raw: object, path: str) -> Reference:
    if not isinstance(raw, dict):
        raise _Invalid(f"{path} must be an object")
    return Reference(
        type=_required_string(raw, "type", f"{path}.type"),
        url=_required_string(raw, "url", f"{path}.url"),
    )


def _timestamp(value: object, path: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _Invalid(f"`{path}` must be an RFC 3339 timestamp, got {_show(value)}")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise _Invalid(f"`{path}` is not an RFC 3339 timestamp: {_show(value)}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset_hours, offset_minutes = match.group(9), match.group(10)
    try:
        # RFC 3339 allows year 0000 and a leap second (60); datetime allows
        # neither, so those two are checked against their neighbours.
        datetime(max(year, 1), month, day, hour, minute, min(second, 59))
    except ValueError:
        raise _Invalid(f"`{path}` is not a valid date and time: {_show(value)}") from None
    if second > 60 or (
        offset_hours is not None and (int(offset_hours) > 23 or int(offset_minutes) > 59)
    ):
        raise _Invalid(f"`{path}` is not a valid date and time: {_show(value)}")
    return value


def _list(container: dict[str, Any], key: str, path: str) -> list[Any]:
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"`{path}` must be a list")
    return value


def _strings(container: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    values = _list(container, key, path)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise _Invalid(f"`{path}[{index}]` must be a string, got {_show(value)}")
    return tuple(values)


def _object(container: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"`{path}` must be an object")
    return value


def _optional_string(container: dict[str, Any], key: str, path: str) -> str | None:
    value = container.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Invalid(f"`{path}` must be a string, got {_show(value)}")


def _required_string(container: dict[str, Any], key: str, path: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise _Invalid(f"`{path}` must be a non-empty string, got {_show(value)}")
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
