"""Warnings a scan prints when the vulnerability data it used is old.

A source's age is the time since seawall last imported or checked it
(`DataSource.updated`), not the date of its newest record: a quiet
ecosystem publishes nothing for weeks and is still current. The default
maximum age is 7 days: OSV's exports change daily, and a week matches the
cadence of CI pipelines that refresh their cache weekly.
"""

from datetime import UTC, datetime, timedelta

from seawall.model.scan import DatabaseInfo
from seawall.vulndb.timestamps import instant

DEFAULT_MAX_AGE = timedelta(days=7)


def staleness_warnings(
    info: DatabaseInfo, max_age: timedelta = DEFAULT_MAX_AGE, now: datetime | None = None
) -> list[str]:
    """One line per source older than `max_age` (or never updated), plus one for an empty store."""
    moment = now or datetime.now(UTC)
    warnings = []
    if not any(source.name not in ("kev", "epss") for source in info.sources):
        warnings.append(
            f"the vulnerability database at {info.location} has no advisories; "
            "run `seawall db update --ecosystem …` or `seawall db import`"
        )
    for source in info.sources:
        if source.updated is None:
            warnings.append(f"vulnerability data source {source.name} was never updated")
            continue
        try:
            age = moment - instant(source.updated)
        except ValueError:
            warnings.append(f"vulnerability data source {source.name} has no valid update time")
            continue
        if age > max_age:
            warnings.append(
                f"vulnerability data source {source.name} was last updated {describe_age(age)} "
                f"ago ({source.updated}), more than {describe_age(max_age)}; "
                "run `seawall db update`"
            )
    return warnings


def describe_age(age: timedelta) -> str:
    """`3 days`, `5 hours`, `12 minutes`."""
    seconds = max(0, int(age.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
