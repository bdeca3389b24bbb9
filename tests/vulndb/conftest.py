"""Fixtures for the vulnerability store tests: the real OSV data in ../shared/vulndata."""

import os
import zipfile
from pathlib import Path

import pytest

from seawall.vulndb.importer import import_paths


def vulndata_dir() -> Path:
    """`$SEAWALL_VULNDATA`, else `shared/vulndata` beside the repository checkout."""
    if explicit := os.environ.get("SEAWALL_VULNDATA"):
        return Path(explicit)
    return (Path(__file__).parents[3] / "shared" / "vulndata").resolve()


@pytest.fixture(scope="session")
def vulndata() -> Path:
    root = vulndata_dir()
    if not (root / "PyPI" / "all.zip").is_file():
        pytest.skip(f"no OSV data at {root} (set SEAWALL_VULNDATA)")
    return root


@pytest.fixture(scope="session")
def small_store(vulndata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PyPI, crates.io, Debian:10 and Debian:11 and KEV imported once for the session."""
    store = tmp_path_factory.mktemp("small") / "seawall.db"
    import_paths(
        store,
        [
            vulndata / "PyPI" / "all.zip",
            vulndata / "crates.io" / "all.zip",
            vulndata / "Debian:10" / "all.zip",
            vulndata / "Debian:11" / "all.zip",
            vulndata / "kev" / "known_exploited_vulnerabilities.json",
        ],
    )
    return store


def zip_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path
