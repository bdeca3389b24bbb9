"""`seawall config PATH` end to end: discovery under a directory, formats, exit codes."""

import json
from pathlib import Path

from tests.support.cli import run_cli

WEAK_DOCKERFILE = "FROM debian\nRUN curl -s https://get.example.org | sh\n"
MANIFEST = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers: [{name: a, image: busybox}]
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = run_cli(*args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    (root / "node_modules/pkg").mkdir(parents=True)
    (root / "Dockerfile").write_text(WEAK_DOCKERFILE)
    (root / "api.Dockerfile").write_text("FROM alpine:3.20\nRUN apk add curl\n")
    (root / "deploy/pod.yaml").write_text(MANIFEST)
    (root / "deploy/values.yml").write_text("replicas: 3\nimage: x\n")  # not a manifest
    (root / "node_modules/pkg/Dockerfile").write_text(WEAK_DOCKERFILE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(WEAK_DOCKERFILE)
    (root / "linked").symlink_to(outside)
    (root / "Containerfile").symlink_to(outside / "Dockerfile")
    return root


def test_directory_json_lists_each_configuration_file(tmp_path: Path) -> None:
    code, stdout, stderr = invoke("config", str(tree(tmp_path)), "-f", "json")
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["schema"] == "seawall.config/v1"
    files = {entry["path"]: entry for entry in document["files"]}
    assert set(files) == {"Dockerfile", "api.Dockerfile", "deploy/pod.yaml"}
    assert {f["check_id"] for f in files["Dockerfile"]["findings"]} >= {"SW-DF-002", "SW-DF-014"}
    pod = {f["check_id"]: f for f in files["deploy/pod.yaml"]["findings"]}
    assert pod["SW-K8S-003"]["line"] == 5 and pod["SW-K8S-003"]["target"] == "Pod/p"
    assert "cis-docker:5.10" in pod["SW-K8S-003"]["controls"]


def test_fail_on_sets_the_exit_code(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert invoke("config", str(root), "--fail-on", "high", "-q")[0] == 1
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "Dockerfile").write_text(
        "FROM debian:12@sha256:" + "a" * 64 + '\nHEALTHCHECK CMD ["/hc"]\nUSER app\nCMD ["/a"]\n'
    )
    code, stdout, _ = invoke("config", str(clean / "Dockerfile"), "--fail-on", "low")
    assert code == 0
    assert "0 findings in 1 configuration file(s)" in stdout


def test_table_output_names_checks_and_lines(tmp_path: Path) -> None:
    code, stdout, _ = invoke("config", str(tree(tmp_path) / "deploy/pod.yaml"))
    assert code == 0
    assert "SW-K8S-003" in stdout and "pod.yaml:5" in stdout


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, _, _ = invoke("config", str(tree(tmp_path)), "-f", "json", "-o", str(out))
    assert code == 0 and json.loads(out.read_text())["files"]


def test_bad_input_exits_2(tmp_path: Path) -> None:
    code, _, stderr = invoke("config", str(tmp_path / "missing"))
    assert code == 2 and "cannot be read" in stderr
    assert invoke("config", str(tmp_path), "--fail-on", "urgent")[0] == 2


def test_empty_directory_says_nothing_was_found(tmp_path: Path) -> None:
    code, _, stderr = invoke("config", str(tmp_path))
    assert code == 0 and "no Dockerfile or Kubernetes manifest" in stderr
