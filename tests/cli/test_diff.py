"""`seawall diff OLD NEW` on two saved results, and the policy options the scan command takes."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from seawall.cli.policy_options import ReportFormat
from seawall.cli.policy_run import apply_inputs, load_policy_inputs, render_scan
from seawall.errors import InputError
from seawall.model.finding import Severity
from seawall.model.policy import Criticality, DataClass, Verdict
from seawall.report.scan import ScanReportOptions, render_json
from seawall.vulndb.importer import import_paths
from tests.policy.scanfixture import CONTINUATION, RESULT
from tests.policy.vexdocs import OPENVEX
from tests.report.scan.scanresult import WEBP
from tests.support.cli import run_cli
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    write_oci_layout,
)
from tests.vulndb.conftest import vulndata_dir


def _save(path: Path, result: object) -> Path:
    path.write_text(render_json(result))  # type: ignore[arg-type]
    return path


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, Path]:
    old = replace(
        RESULT, vulnerabilities=tuple(v for v in RESULT.vulnerabilities if v is not CONTINUATION)
    )
    new = replace(RESULT, vulnerabilities=tuple(v for v in RESULT.vulnerabilities if v is not WEBP))
    return _save(tmp_path / "old.json", old), _save(tmp_path / "new.json", new)


def test_diff_of_two_saved_results(saved: tuple[Path, Path]) -> None:
    old, new = saved
    result = run_cli("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["schema"] == "seawall.diff/v1"
    assert [r["id"] for r in document["introduced"]] == ["CVE-2023-45288"]
    assert [r["id"] for r in document["fixed"]] == ["CVE-2023-4863"]
    assert document["improved"] is False
    text = run_cli("diff", str(old), str(new))
    assert "1 introduced, 1 fixed, 13 unchanged" in text.output
    markdown = run_cli("diff", str(old), str(new), "--format", "markdown")
    assert "#### Introduced" in markdown.output


def test_fail_on_new_exits_1_only_when_something_was_introduced(
    saved: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = saved
    assert run_cli("diff", str(old), str(new), "--fail-on-new").exit_code == 1
    assert run_cli("diff", str(new), str(new), "--fail-on-new").exit_code == 0
    out = tmp_path / "diff.md"
    run_cli("diff", str(old), str(new), "-f", "markdown", "-o", str(out))
    assert out.read_text().startswith("### seawall diff")


def test_a_broken_saved_result_is_an_input_error(tmp_path: Path, saved: tuple[Path, Path]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "seawall.scan/v1", "inventory": []}')
    result = run_cli("diff", str(broken), str(saved[1]))
    assert result.exit_code == 2
    assert "scan result" in result.output


def test_policy_inputs_from_options(tmp_path: Path, saved: tuple[Path, Path]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules: [{vulnerability: {kev: true}}]\ncontext: {criticality: low}\n"
    )
    vex = tmp_path / "vex.json"
    vex.write_text(json.dumps(OPENVEX))
    inputs = load_policy_inputs(
        policy=policy,
        vex=[vex],
        baseline=saved[0],
        fail_on=Severity.CRITICAL,
        internet_facing=True,
        data=["payment"],
    )
    assert len(inputs.policy.rules) == 2
    assert inputs.context.criticality is Criticality.LOW  # from the file
    assert inputs.context.data_classes == frozenset({DataClass.PAYMENT})
    assert inputs.baseline is not None
    decided = apply_inputs(RESULT, inputs)
    # Every KEV and critical finding is in the baseline: only new ones could fail.
    assert decided.verdict is Verdict.PASSED
    webp = decided.decision_for(WEBP.fingerprint)
    assert webp is not None and webp.in_baseline and webp.decision.value == "warn"
    assert decided.vex_documents == (str(vex),)
    result = replace(RESULT, policy=decided)
    for output_format in ReportFormat:
        if output_format is ReportFormat.table:
            continue
        assert render_scan(result, output_format, ScanReportOptions())
    with pytest.raises(InputError, match="unknown data class"):
        load_policy_inputs(policy=None, vex=None, baseline=None, data=["secrets"])


OS_RELEASE = b'ID=debian\nVERSION_ID="12"\n'
NGINX = (
    b"Package: nginx\nStatus: install ok installed\nArchitecture: amd64\n"
    b"Version: 1.22.1-9+deb12u1\n"
)
BUILD_TOKEN = "ghp_build-argument-never-printed-42"
PASSWORD = "hunter2-never-printed"


@pytest.fixture(scope="module")
def debian_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("db") / "seawall.db"
    import_paths(store, [vulndata_dir() / "Debian:12" / "all.zip"])
    return store


def test_layers_shown_by_a_diff_of_two_images_carry_no_build_secret(
    tmp_path: Path, debian_store: Path
) -> None:
    base = [Dir("etc"), File("etc/os-release", OS_RELEASE)]
    old = build_image(ImageSpec(steps=[LayerSpec(base)]))
    new = build_image(
        ImageSpec(
            steps=[
                LayerSpec(base),
                LayerSpec(
                    [Dir("var/lib/dpkg"), File("var/lib/dpkg/status", NGINX)],
                    created_by=f"|1 GITHUB_TOKEN={BUILD_TOKEN} /bin/sh -c install {PASSWORD}",
                ),
            ],
            config=ConfigSpec(env=["PATH=/usr/bin", f"DB_PASSWORD={PASSWORD}"]),
        )
    )
    layout = write_oci_layout(tmp_path / "layout", [(old, "old"), (new, "new")])
    shown = {}
    for output_format in ("table", "json", "markdown"):
        result = run_cli(
            "diff",
            f"oci-dir:{layout}:old",
            f"oci-dir:{layout}:new",
            "--db",
            str(debian_store),
            "--cache-dir",
            str(tmp_path / "cache"),
            "-q",
            "-f",
            output_format,
        )
        assert result.exit_code == 0, result.output
        assert "CVE-2023-44487" in result.output  # the layer with the secrets is shown
        assert BUILD_TOKEN not in result.output and PASSWORD not in result.output
        shown[output_format] = result.stdout
    (layer,) = [g for g in json.loads(shown["json"])["layers"] if g["created_by"]]
    assert layer["created_by"] == "|1 GITHUB_TOKEN=*** /bin/sh -c install ***"
