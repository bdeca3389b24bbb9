"""`seawall sbom` end to end: every format validated, and read back through `sbom:`."""

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from tests.pipeline.test_sbom import layered_image
from tests.support.cli import run_cli
from tests.support.imagebuild import write_docker_archive


def invoke(*args: str) -> tuple[int, str, str]:
    result = run_cli(*args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_every_format_is_valid_and_reads_back(tmp_path: Path) -> None:
    image = layered_image()
    archive = write_docker_archive(tmp_path / "image.tar", [(image, ["app:1"])])
    target = f"docker-archive:{archive}:app:1"
    cache = ["--cache-dir", str(tmp_path / "cache"), "-q"]

    outputs = {}
    for fmt in ("cyclonedx", "spdx", "json"):
        out = tmp_path / f"sbom.{fmt}.json"
        code, _stdout, err = invoke("sbom", target, "-f", fmt, "-o", str(out), *cache)
        assert code == 0, err
        outputs[fmt] = out

    cyclonedx = outputs["cyclonedx"].read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cyclonedx) is None
    spdx_errors = validate_full_spdx_document(parse_file(str(outputs["spdx"])))
    assert [error.validation_message for error in spdx_errors] == []
    native = json.loads(outputs["json"].read_text())
    purls = sorted(p["purl"] for p in native["packages"])
    assert "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u8?arch=amd64&distro=debian-12" in purls
    assert "pkg:maven/org.example/lib@2.0.0" in purls

    for fmt, path in outputs.items():
        code, stdout, err = invoke("sbom", f"sbom:{path}", "-f", "json", "-q")
        assert code == 0, (fmt, err)
        read_back = json.loads(stdout)
        assert sorted(p["purl"] for p in read_back["packages"]) == purls, fmt

    code, stdout, err = invoke("sbom", target, *cache)
    assert code == 0, err
    assert "curl" in stdout and "7.88.1-10+deb12u8" in stdout
    assert "packages on Debian GNU/Linux 12 (bookworm)" in stdout


def test_partial_inventory_is_said(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "package-lock.json").write_text("{ not json")

    code, stdout, err = invoke("sbom", f"dir:{tree}", "-f", "json")

    assert code == 0
    document = json.loads(stdout)
    problems = [s for s in document["statuses"] if s["problems"]]
    assert [s["name"] for s in problems] == ["javascript/package-lock"]
    assert "incomplete" in err


def test_inspect_refuses_an_sbom_document(tmp_path: Path) -> None:
    document = tmp_path / "bom.json"
    document.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}')

    code, _stdout, err = invoke("inspect", f"sbom:{document}", "-q")

    assert code == 2
    assert "seawall sbom" in err
