"""`seawall db …` through the command line: exit codes, messages, offline, status."""

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.vulndb.feedserver import serve


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SEAWALL_CACHE_DIR": str(tmp_path / "cache"), "SEAWALL_DB": ""}


def test_import_then_status(vulndata: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = run_cli(
        "db",
        "import",
        str(vulndata / "Debian:11" / "all.zip"),
        str(vulndata / "kev" / "known_exploited_vulnerabilities.json"),
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "Debian:11: 410 records, 410 read, 0 malformed" in result.output
    assert (tmp_path / "cache" / "db" / "seawall.db").is_file()
    status = run_cli("db", "status", "--format", "json", env=env)
    assert status.exit_code == 0, status.output
    document = json.loads(status.output)
    assert document["records"] == 410
    assert {s["name"]: s["records"] for s in document["sources"]} == {"Debian:11": 410, "kev": 1404}
    assert document["warnings"] == []
    table = run_cli("db", "status", env=env)
    assert table.exit_code == 0 and "Debian:11" in table.output


def test_seawall_db_points_at_another_file(vulndata: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    env = {**_env(tmp_path), "SEAWALL_DB": str(other)}
    result = run_cli("db", "import", str(vulndata / "Debian:11" / "all.zip"), env=env)
    assert result.exit_code == 0, result.output
    assert other.is_file() and not (tmp_path / "cache").exists()


def test_input_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for args in (
        ["status"],
        ["import", str(tmp_path / "missing.zip")],
        ["import"],
        ["import", "--bundle", str(tmp_path / "missing.tar")],
        ["update", "--no-kev", "--no-epss"],
    ):
        result = run_cli("db", *args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("seawall: error: ")
        assert result.output.count("\n") == 1, result.output


def test_offline_update_touches_no_network(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    with serve(tmp_path / "export") as server:
        env = {
            **_env(tmp_path),
            "SEAWALL_OSV_URL": server.url,
            "SEAWALL_KEV_URL": server.url,
            "SEAWALL_EPSS_URL": server.url,
        }
        result = run_cli("db", "update", "--offline", "-e", "PyPI", env=env)
        assert result.exit_code == 0
        assert "offline" in result.output
        assert server.log == []


def test_export_and_import_bundle(vulndata: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    run_cli("db", "import", str(vulndata / "Debian:11" / "all.zip"), env=env)
    bundle = tmp_path / "b.tar"
    exported = run_cli("db", "export", "--bundle", str(bundle), env=env)
    assert exported.exit_code == 0, exported.output
    target = tmp_path / "other.db"
    imported = run_cli("db", "import", "--bundle", str(bundle), "--db", str(target), env=env)
    assert imported.exit_code == 0, imported.output
    assert "not signature-checked" in imported.output and target.is_file()


@pytest.mark.parametrize("days", ["0", "-1"])
def test_status_rejects_a_bad_max_age(tmp_path: Path, days: str) -> None:
    result = run_cli("db", "status", "--max-age", days, env=_env(tmp_path))
    assert result.exit_code == 2


def test_status_shows_a_path_with_brackets_as_it_is(vulndata: Path, tmp_path: Path) -> None:
    # rich would read `[red]` as markup and drop it from the title.
    store = tmp_path / "[red]x" / "seawall.db"
    env = {**_env(tmp_path), "COLUMNS": "200"}
    imported = run_cli("db", "import", str(vulndata / "crates.io" / "all.zip"), "--db", str(store))
    assert imported.exit_code == 0, imported.output
    status = run_cli("db", "status", "--db", str(store), env=env)
    assert status.exit_code == 0, status.output
    assert "/[red]x/" in status.stdout
