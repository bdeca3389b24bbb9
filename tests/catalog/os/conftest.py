"""Fixtures for the OS catalogers' tests: real rpm packages and databases, built once."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from os_rpmdb_builders import build_rpms, install_sqlite_db, rpm_query, rpm_tools_available


@dataclass(frozen=True)
class RealRpmDb:
    """A real sqlite rpmdb and what `rpm -qa` says about it."""

    dbpath: Path
    sqlite: Path
    expected: list[str]


@pytest.fixture(scope="session")
def real_rpmdb(tmp_path_factory: pytest.TempPathFactory) -> RealRpmDb:
    if not rpm_tools_available():
        pytest.skip("rpm and rpmbuild are needed (Debian package `rpm`)")
    work = tmp_path_factory.mktemp("rpm")
    rpms = build_rpms(work)
    dbpath = work / "db"
    sqlite = install_sqlite_db(dbpath, rpms)
    return RealRpmDb(dbpath, sqlite, rpm_query(dbpath))
