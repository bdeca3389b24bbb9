"""RFC 3339 timestamps as the store compares and writes them."""

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=4096)
def instant(value: str) -> datetime:
    """An RFC 3339 timestamp (already validated) as an aware UTC datetime, for comparing.

    Fractions beyond microseconds are cut; a leap second counts as :59.
    """
    text = value.replace("t", "T").replace(" ", "T").replace("z", "Z")
    date_part, _, rest = text.partition("T")
    clock = rest[:8]
    if clock.endswith(":60"):
        clock = clock[:6] + "59"
    tail = rest[8:]
    fraction = ""
    if tail.startswith("."):
        digits = len(tail) - len(tail[1:].lstrip("0123456789"))
        fraction = (tail[1:digits] + "000000")[:6]
        tail = tail[digits:]
    zone = "+00:00" if tail == "Z" else tail
    year = int(date_part[:4])
    if year == 0:
        # datetime has no year 0; RFC 3339 does. Nothing real is that old.
        return datetime.min.replace(tzinfo=UTC)
    dotted = f".{fraction}" if fraction else ""
    parsed = datetime.fromisoformat(f"{date_part}T{clock}{dotted}{zone}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # An offset that moves the first or last representable day out of range.
        return datetime.min.replace(tzinfo=UTC) if year < 2 else datetime.max.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def sort_key(value: str) -> str:
    """A fixed-width UTC rendering that sorts as the instants do (for cheap comparisons)."""
    moment = instant(value)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def now_rfc3339() -> str:
    """The current time, to the second, in UTC (`2026-11-23T03:20:00Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def age_seconds(value: str, now: datetime | None = None) -> float:
    """Seconds from `value` to `now` (default: the current time)."""
    return ((now or datetime.now(UTC)) - instant(value)).total_seconds()
