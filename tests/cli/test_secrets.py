"""`seawall secrets` end to end: formats (SARIF validated), exit codes, config, no value printed."""

import json
from pathlib import Path

import jsonschema
import pytest

from tests.pipeline.test_secrets import PLANTED, secret_image
from tests.support.cli import run_cli
from tests.support.imagebuild import write_docker_archive

SARIF_SCHEMA = Path(__file__).parents[2].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = run_cli("secrets", *args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("img") / "image.tar"
    write_docker_archive(path, [(secret_image(), ["app:1"])])
    return f"docker-archive:{path}:app:1"


def test_formats_and_exit_codes(archive: str, tmp_path: Path) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache"), "-q"]
    outputs = {}
    for fmt in ("json", "sarif", "table"):
        out = tmp_path / f"out.{fmt}"
        code, stdout, err = invoke(archive, "-f", fmt, "-o", str(out), *cache)
        assert code == 1, err  # secrets found: policy failed
        outputs[fmt] = out.read_text()
    document = json.loads(outputs["json"])
    assert document["schema"] == "seawall.secrets/v1"
    creds = next(
        f for f in document["findings"] if f["location"]["path"] == "/root/.git-credentials"
    )
    assert creds["still_extractable"] is True
    assert creds["location"]["layer_created_by"] == "COPY creds /"
    assert creds["location"]["removed_by_created_by"].startswith("(build step withheld")
    sarif = json.loads(outputs["sarif"])
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert len(sarif["runs"][0]["results"]) == len(document["findings"])
    assert "still extractable" in outputs["table"]
    for text in outputs.values():
        for value in PLANTED:
            assert value not in text

    code, stdout, _ = invoke(archive, "-f", "json", "--exit-code", "0", *cache)
    assert code == 0 and json.loads(stdout)["status"]["layers_read"] == 0


def test_baseline_config_clears_the_exit_code(archive: str, tmp_path: Path) -> None:
    code, stdout, _ = invoke(archive, "-f", "json", "--no-cache", "-q")
    fingerprints = [f["fingerprint"] for f in json.loads(stdout)["findings"]]
    config = tmp_path / "secrets.yaml"
    config.write_text(
        "baseline:\n"
        + "".join(f"  - fingerprint: {fp}\n    reason: rotated\n" for fp in fingerprints)
    )
    code, stdout, err = invoke(archive, "-f", "json", "--no-cache", "-q", "--config", str(config))
    assert code == 0, err
    assert json.loads(stdout)["status"]["suppressed"] == len(fingerprints)


def test_usage_errors(tmp_path: Path) -> None:
    code, _, err = invoke()
    assert code == 2 and "either a TARGET or --git" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("allow: [{paths: ['(']}]\n")
    code, _, err = invoke(f"dir:{tmp_path}", "--config", str(bad))
    assert code == 2 and "bad.yaml" in err
    code, _, err = invoke("--git", str(tmp_path))
    assert code == 2 and "not a readable git repository" in err


def test_help_renders() -> None:
    result = run_cli("secrets", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--exit-code" in result.stdout
