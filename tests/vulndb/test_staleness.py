"""Warnings for old vulnerability data."""

from datetime import UTC, datetime, timedelta

from seawall.model.scan import DatabaseInfo, DataSource
from seawall.vulndb.staleness import staleness_warnings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _info(*sources: DataSource) -> DatabaseInfo:
    return DatabaseInfo(location="/db", schema_version=1, sources=sources)


def test_fresh_sources_give_no_warning() -> None:
    info = _info(
        DataSource("PyPI", 10, "2026-11-22T12:00:00Z"), DataSource("kev", 5, "2026-11-23T00:00:00Z")
    )
    assert staleness_warnings(info, now=NOW) == []


def test_old_and_never_updated_sources_are_named() -> None:
    info = _info(DataSource("PyPI", 10, "2026-11-01T12:00:00Z"), DataSource("Go", 1, None))
    warnings = staleness_warnings(info, now=NOW)
    assert warnings == [
        "vulnerability data source PyPI was last updated 22 days ago (2026-11-01T12:00:00Z), "
        "more than 7 days; run `seawall db update`",
        "vulnerability data source Go was never updated",
    ]
    assert staleness_warnings(info, max_age=timedelta(days=30), now=NOW) == [warnings[1]]


def test_a_store_without_advisories_is_flagged() -> None:
    (warning,) = staleness_warnings(_info(DataSource("kev", 5, "2026-11-23T00:00:00Z")), now=NOW)
    assert "has no advisories" in warning
