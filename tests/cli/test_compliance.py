"""`seawall compliance` end to end on images built by the tests, and `compliance verify`."""

import json
import re
from pathlib import Path

from seawall.cli.compliance import FrameworkName
from seawall.compliance import FRAMEWORK_IDS
from tests.analyze.misconfig.test_image import CASES, Plan
from tests.compliance.test_evidence import keys
from tests.support.cli import run_cli
from tests.support.imagebuild import build_image, write_docker_archive


def invoke(*args: str) -> tuple[int, str, str]:
    result = run_cli(*args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def archive(tmp_path: Path, *weaknesses: str) -> str:
    plan = Plan()
    for check_id in weaknesses:
        CASES[check_id][0](plan)
    path = write_docker_archive(tmp_path / "image.tar", [(build_image(plan.spec()), ["app:1"])])
    return f"docker-archive:{path}"


COMMON = ("--skip-vulnerabilities", "--no-cache", "-q")


def test_weak_image_fails_with_the_findings_and_a_verifiable_bundle(tmp_path: Path) -> None:
    target = archive(tmp_path, "SW-IMG-001", "SW-IMG-006")
    evidence = tmp_path / "evidence"
    code, stdout, stderr = invoke(
        "compliance",
        target,
        "-F",
        "cis-docker",
        "-f",
        "json",
        "--evidence",
        str(evidence),
        *COMMON,
    )
    assert code == 1, stderr
    controls = {c["id"]: c for c in json.loads(stdout)["controls"]}
    assert controls["4.1"]["status"] == "fail"
    assert controls["4.8"]["findings"][0]["location"] == "/usr/local/bin/helper (layer 1)"
    assert controls["4.4"]["status"] == "manual"  # vulnerabilities were skipped
    assert controls["5.5"]["status"] == "not_applicable"  # Kubernetes-only
    code, stdout, _ = invoke("compliance", "verify", str(evidence))
    assert code == 0 and stdout.startswith("OK: ")
    (evidence / "misconfigurations.json").write_text('{"misconfigurations": []}\n')
    code, stdout, stderr = invoke("compliance", "verify", str(evidence))
    assert code == 1 and "misconfigurations.json: altered" in stderr


def test_clean_image_has_no_failed_control(tmp_path: Path) -> None:
    code, stdout, stderr = invoke(
        "compliance", "run", archive(tmp_path), "--framework", "nist-800-53", *COMMON
    )
    assert code == 0, stderr
    assert "FAIL 0" in stdout


def test_markdown_and_html_outputs(tmp_path: Path) -> None:
    target = archive(tmp_path, "SW-IMG-012")
    out = tmp_path / "report.html"
    code, _, _ = invoke(
        "compliance", target, "-F", "pci-dss", "-f", "html", "-o", str(out), *COMMON
    )
    assert code == 1
    html = out.read_text()
    assert "8.6.2" in html and "SW-IMG-012" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?:""", html)
    code, stdout, _ = invoke("compliance", target, "-F", "gdpr", "-f", "markdown", *COMMON)
    assert "| 25 | **FAIL** |" in stdout


def test_configuration_file_target(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian\nUSER root\n")
    code, stdout, _ = invoke("compliance", str(dockerfile), "-F", "cis-docker", "-f", "json")
    assert code == 1
    controls = {c["id"]: c for c in json.loads(stdout)["controls"]}
    assert controls["4.1"]["findings"][0]["id"] == "SW-DF-004"
    assert controls["4.8"]["status"] == "not_applicable"  # an image-only check


def test_signed_bundle(tmp_path: Path) -> None:
    private, public = keys(tmp_path)
    evidence = tmp_path / "evidence"
    code, _, stderr = invoke(
        "compliance",
        archive(tmp_path),
        "-F",
        "soc2",
        "--evidence",
        str(evidence),
        "--sign-key",
        str(private),
        "--skip-vulnerabilities",
        "--no-cache",
    )
    assert code == 0, stderr
    assert "signed" in stderr
    code, stdout, _ = invoke("compliance", "verify", str(evidence), "--public-key", str(public))
    assert code == 0 and "signature: valid" in stdout


def test_bad_input_exits_2(tmp_path: Path) -> None:
    assert invoke("compliance", archive(tmp_path), "-F", "hipaa", *COMMON)[0] == 2
    code, _, stderr = invoke("compliance", "verify", str(tmp_path))
    assert code == 2 and "not an evidence bundle" in stderr
    code, _, stderr = invoke(
        "compliance", archive(tmp_path), "-F", "soc2", "--policy", str(tmp_path / "none"), *COMMON
    )
    assert code == 2 and "--policy" in stderr


def test_framework_choices_match_the_catalogues() -> None:
    assert tuple(name.value for name in FrameworkName) == FRAMEWORK_IDS


def test_directory_target_checks_its_configuration_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "k8s").mkdir(parents=True)
    (tree / "Dockerfile").write_text("FROM debian\n")
    (tree / "k8s/pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: a, image: x, securityContext: {privileged: true}}]}\n"
    )
    code, stdout, _ = invoke("compliance", f"dir:{tree}", "-F", "cis-docker", "-f", "json", *COMMON)
    assert code == 1
    document = json.loads(stdout)
    assert document["coverage"]["misconfig"] == ["dockerfile", "kubernetes"]
    controls = {c["id"]: c for c in document["controls"]}
    assert controls["5.5"]["findings"][0]["location"] == "Pod/p in k8s/pod.yaml:4"
    assert controls["4.2"]["status"] == "fail"
