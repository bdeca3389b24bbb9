"""seawall.yaml and SEAWALL_* through the commands: command line > variable > file > default."""

import json
import os
from pathlib import Path

import pytest

from seawall.cli.settings import insecure_for
from seawall.vulndb.importer import import_paths
from tests.support.cli import run_cli
from tests.support.imagebuild import Dir, File, ImageSpec, LayerSpec, build_image, write_oci_layout

VULNDATA = Path(
    os.environ.get("SEAWALL_VULNDATA", Path(__file__).resolve().parents[3] / "shared" / "vulndata")
)
REQUESTS = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n"
# exiv2's PyPI advisories carry CVSS vectors, so they have a severity to fail on.
EXIV2 = b"Metadata-Version: 2.1\nName: exiv2\nVersion: 0.3.1\n\n"
# SW-DF-0010 (a credential in ENV) is high; nothing here is critical.
DOCKERFILE = "FROM alpine:3.20\nUSER app\nENV DB_PASSWORD=correct-horse-battery\n"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run_cli(*args, env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "seawall.db"
    import_paths(path, [VULNDATA / "PyPI" / "all.zip"])
    return path


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = "usr/lib/python3/dist-packages/requests-2.19.0.dist-info"
    exiv2 = "usr/lib/python3/dist-packages/exiv2-0.3.1.dist-info"
    image = build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir(site),
                        File(f"{site}/METADATA", REQUESTS),
                        Dir(exiv2),
                        File(f"{exiv2}/METADATA", EXIV2),
                    ],
                    created_by="pip install requests==2.19.0",
                )
            ]
        )
    )
    return write_oci_layout(tmp_path_factory.mktemp("image") / "layout", [(image, "v1")])


def project(tmp_path: Path, database: Path, extra: str = "") -> Path:
    """A project directory whose seawall.yaml names the database relative to itself."""
    root = tmp_path / "project"
    (root / "db").mkdir(parents=True)
    (root / "db" / "seawall.db").symlink_to(database)
    (root / "seawall.yaml").write_text(
        "db: db/seawall.db\n"
        "offline: true\n"
        "scanners: [vuln]\n"
        "fail_on: medium\n"
        "context: {internet_facing: true, data: [payment], criticality: high}\n" + extra,
        encoding="utf-8",
    )
    return root


def test_scan_takes_its_defaults_from_the_project_file(
    tmp_path: Path, database: Path, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, database))
    target = f"oci-dir:{layout}:v1"
    cache = ["--cache-dir", str(tmp_path / "cache"), "-q"]
    code, stdout, stderr = invoke("scan", target, "-f", "json", *cache)
    assert code == 1, stderr  # fail_on: medium, and requests 2.19.0 has medium+ advisories
    document = json.loads(stdout)
    assert document["vulnerabilities"] and document["secrets"] == []
    assert document["policy"]["context"] == {
        "internet_facing": True,
        "data": ["payment"],
        "criticality": "high",
    }
    # The command line wins over the file, field by field.
    code, stdout, _ = invoke(
        "scan", target, "-f", "json", "--internal", "--fail-on", "critical", *cache
    )
    context = json.loads(stdout)["policy"]["context"]
    assert context == {"internet_facing": False, "data": ["payment"], "criticality": "high"}
    assert code == 0
    # A variable wins over the file, the command line over the variable.
    code, stdout, _ = invoke(
        "scan",
        target,
        "-f",
        "json",
        *cache,
        env={"SEAWALL_CRITICALITY": "low", "SEAWALL_FAIL_ON": "critical"},
    )
    assert code == 0 and json.loads(stdout)["policy"]["context"]["criticality"] == "low"
    code, stdout, _ = invoke(
        "scan",
        target,
        "-f",
        "json",
        "--criticality",
        "medium",
        *cache,
        env={"SEAWALL_CRITICALITY": "low"},
    )
    assert json.loads(stdout)["policy"]["context"]["criticality"] == "medium"


def test_an_explicit_config_replaces_the_discovered_one(
    tmp_path: Path, database: Path, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, database))
    other = tmp_path / "other.yaml"
    other.write_text("db: missing/seawall.db\noffline: true\n", encoding="utf-8")
    code, _, stderr = invoke("scan", f"oci-dir:{layout}:v1", "--config", str(other), "-q")
    assert code == 2
    assert f"no vulnerability database at {tmp_path / 'missing' / 'seawall.db'}" in " ".join(
        stderr.split()
    )
    # --db on the command line wins over the file's db.
    code, _, stderr = invoke(
        "scan",
        f"oci-dir:{layout}:v1",
        "--config",
        str(other),
        "--db",
        str(database),
        "-q",
        "-f",
        "json",
    )
    assert code == 0, stderr


def test_a_bad_file_is_an_input_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seawall.yaml").write_text("offline: true\nfail_on: severe\n", encoding="utf-8")
    for command in (["scan", "dir:."], ["sbom", "dir:."], ["inspect", "dir:."], ["config", "."]):
        code, _, stderr = invoke(*command)
        assert code == 2, command
        assert "seawall.yaml:2:10: fail_on: unknown severity 'severe'" in stderr


def test_config_command_fail_on_from_file_variable_and_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert invoke("config", "Dockerfile", "-q")[0] == 0  # no fail_on anywhere
    (tmp_path / "seawall.yaml").write_text("fail_on: high\n", encoding="utf-8")
    assert invoke("config", "Dockerfile", "-q")[0] == 1
    assert invoke("config", "Dockerfile", "-q", env={"SEAWALL_FAIL_ON": "critical"})[0] == 0
    assert invoke("config", "Dockerfile", "-q", "--fail-on", "critical")[0] == 0
    assert (
        invoke(
            "config", "Dockerfile", "-q", "--fail-on", "high", env={"SEAWALL_FAIL_ON": "critical"}
        )[0]
        == 1
    )


def test_sbom_and_inspect_cache_dir_from_the_user_file(
    tmp_path: Path, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "seawall").mkdir(parents=True)
    (xdg / "seawall" / "seawall.yaml").write_text("cache_dir: cache\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("SEAWALL_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _stdout, stderr = invoke("sbom", f"oci-dir:{layout}:v1", "-q", "-f", "json")
    assert code == 0, stderr
    assert any((xdg / "seawall" / "cache").iterdir())  # relative to the file
    option = tmp_path / "from-option"
    assert invoke("sbom", f"oci-dir:{layout}:v1", "-q", "--cache-dir", str(option))[0] == 0
    assert any(option.iterdir())
    variable = tmp_path / "from-variable"
    env = {"SEAWALL_CACHE_DIR": str(variable)}
    assert invoke("inspect", f"oci-dir:{layout}:v1", "-q", env=env)[0] == 0
    assert invoke("sbom", f"oci-dir:{layout}:v1", "-q", env=env)[0] == 0
    assert any(variable.iterdir())


def test_insecure_only_for_listed_registry_hosts() -> None:
    listed = ("localhost:5000", "Registry.Example:8443")
    assert insecure_for("registry:localhost:5000/app:1", False, listed)
    assert insecure_for("registry.example:8443/team/app@sha256:" + "a" * 64, False, listed)
    assert not insecure_for("localhost:5001/app:1", False, listed)
    assert not insecure_for("docker.io/library/alpine", False, listed)
    assert not insecure_for("dir:/tmp", False, listed)
    assert not insecure_for("registry:", False, listed)  # bad TARGET: the command reports it
    assert insecure_for("anything", True, ())
