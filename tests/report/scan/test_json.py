"""Native scan JSON: schema-valid, complete, deterministic, in risk order."""

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

import seawall
from seawall.model.finding import CvssScore, MatchReason, Severity
from seawall.report.sbom.native import distro_record, package_record, status_record
from seawall.report.scan import render_json, scan_to_dict
from tests.report.scan.goldens import MASK, check_golden
from tests.report.scan.scanresult import (
    INVENTORY,
    PKCS7,
    RESULT,
    RISK_ORDER,
)

SCHEMAS = Path(seawall.__file__).parent / "report" / "schemas"


def validator() -> jsonschema.Draft202012Validator:
    scan = json.loads((SCHEMAS / "scan.schema.json").read_text())
    sbom = json.loads((SCHEMAS / "sbom.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(scan)
    registry: Registry[Any] = Registry().with_resource(sbom["$id"], Resource.from_contents(sbom))
    return jsonschema.Draft202012Validator(
        scan, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def masked(document: dict[str, Any]) -> str:
    document["tool"]["version"] = MASK
    document["scanned_at"] = MASK
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_golden() -> None:
    check_golden("scan.json", masked(json.loads(render_json(RESULT))))


def test_validates_against_its_schema() -> None:
    document = json.loads(render_json(RESULT))
    validator().validate(document)
    assert document["schema"] == "seawall.scan/v1"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("vulnerabilities", 0, "severity"), "severe"),
        (("vulnerabilities", 0, "epss", "score"), 1.5),
        (("vulnerabilities", 0, "package", "location", "layer"), -1),
        (("inventory", "packages", 0, "ecosystem"), None),
        (("subject", "layers", 0, "index"), "0"),
        (("summary", "by_severity", "critical"), -1),
    ],
)
def test_the_schema_rejects_what_is_wrong(path: tuple[Any, ...], value: Any) -> None:
    document = json.loads(render_json(RESULT))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validator().validate(document)


def test_vulnerabilities_in_risk_order_with_everything_a_finding_holds() -> None:
    document = scan_to_dict(RESULT)
    assert [(v["id"], v["package"]["name"]) for v in document["vulnerabilities"]] == [
        (f.id, f.package.name) for f in RISK_ORDER
    ]
    http2 = document["vulnerabilities"][0]
    assert http2["aliases"] == ["CVE-2023-44487", "DEBIAN-CVE-2023-44487"]
    assert http2["package"] == {
        "name": "nginx",
        "version": "1.22.1-9+deb12u9",
        "ecosystem": "Debian:12",
        "purl": "pkg:deb/debian/nginx@1.22.1-9%2Bdeb12u9?arch=amd64&distro=debian-12",
        "source_name": "nginx",
        "source_version": "1.22.1-9+deb12u9",
        "location": {"path": "/var/lib/dpkg/status", "layer": 1},
    }
    assert http2["fixed_versions"] == ["1.22.1-9+deb12u11"] and http2["fixable"] is True
    assert http2["kev"]["date_added"] == "2023-10-10"
    assert http2["epss"] == {
        "cve": "CVE-2023-44487",
        "score": 0.94425,
        "percentile": 0.99976,
        "date": "2026-11-22",
    }
    assert http2["cvss"] == [
        {
            "version": "3.1",
            "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "base_score": 7.5,
            "severity": "high",
            "source": "nvd",
        }
    ]
    assert http2["reasons"][0]["decision"] == "1.22.1-9+deb12u9 < 1.22.1-9+deb12u11 (dpkg)"
    assert http2["fingerprint"] == RISK_ORDER[0].fingerprint
    marvin = next(v for v in document["vulnerabilities"] if v["id"] == "CVE-2023-49092")
    assert marvin["fixed_versions"] == [] and marvin["fixable"] is False
    assert marvin["epss"] is None and marvin["kev"] is None
    assert document["summary"] == {
        "total": 10,
        "fixable": 8,
        "kev": 2,
        "by_severity": {
            "critical": 2,
            "high": 4,
            "medium": 3,
            "low": 0,
            "negligible": 1,
            "unknown": 0,
        },
    }


def test_inventory_is_written_by_the_sbom_helpers() -> None:
    document = scan_to_dict(RESULT)
    inventory = document["inventory"]
    assert inventory["packages"] == [package_record(p) for p in INVENTORY.packages]
    assert inventory["distro"] == distro_record(INVENTORY.distro)  # type: ignore[arg-type]
    assert inventory["statuses"] == [status_record(s) for s in INVENTORY.statuses]
    assert inventory["partial"] is False
    assert inventory["relationships"] == [
        {"parent": "pkg:cargo/rsa@0.9.6", "child": "pkg:cargo/num-bigint-dig@0.8.4"}
    ]
    subject = document["subject"]
    assert subject["reference"] == "registry.example.com/shop/api:1.4.2"
    assert subject["manifest_digest"] == RESULT.image.manifest_digest  # type: ignore[union-attr]
    assert [layer["diff_id"] for layer in subject["layers"]] == [
        layer.diff_id
        for layer in RESULT.image.layers  # type: ignore[union-attr]
    ]
    assert "config" not in subject and "history" not in subject
    assert document["database"]["sources"][0]["name"] == "epss"  # sorted by name


def test_output_does_not_depend_on_input_order() -> None:
    reference = render_json(RESULT)
    shuffled = list(RESULT.vulnerabilities)
    extra_cvss = CvssScore("2.0", "AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0, Severity.MEDIUM, "nvd")
    extra_reason = MatchReason("GHSA-jfhm-5ghh-2f97", "PyPI", "cryptography", "r", "d")
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert render_json(replace(RESULT, vulnerabilities=tuple(shuffled))) == reference
    one = replace(
        PKCS7,
        cvss=(extra_cvss, *PKCS7.cvss),
        reasons=(extra_reason, *PKCS7.reasons),
        aliases=tuple(reversed(PKCS7.aliases)),
    )
    other = replace(
        one,
        cvss=tuple(reversed(one.cvss)),
        reasons=tuple(reversed(one.reasons)),
        aliases=PKCS7.aliases,
    )
    first = scan_to_dict(replace(RESULT, vulnerabilities=(one,)))["vulnerabilities"][0]
    second = scan_to_dict(replace(RESULT, vulnerabilities=(other,)))["vulnerabilities"][0]
    assert first == second
    assert [c["version"] for c in first["cvss"]] == ["3.1", "2.0"]
    assert [r["record"] for r in first["reasons"]] == ["GHSA-jfhm-5ghh-2f97", "PYSEC-2023-254"]
    assert first["aliases"] == ["CVE-2023-49083", "GHSA-jfhm-5ghh-2f97", "PYSEC-2023-254"]


def test_a_result_without_image_or_database_is_valid() -> None:
    document = json.loads(render_json(replace(RESULT, image=None, database=None)))
    validator().validate(document)
    assert document["subject"] is None and document["database"] is None
