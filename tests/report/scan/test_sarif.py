"""SARIF 2.1.0: valid against the OASIS schema, shaped for GitHub code scanning."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seawall.model.finding import Severity
from seawall.model.package import Location
from seawall.report.scan import render_sarif, scan_to_sarif
from tests.report.scan.goldens import MASK, check_golden
from tests.report.scan.scanresult import MARVIN, PKCS7, RESULT, RISK_ORDER, RSA

# The official schema, read in place (../shared/schemas, next to the repository).
SARIF_SCHEMA = Path(__file__).parents[3].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # the draft the schema declares
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def run_of(document: dict[str, Any]) -> dict[str, Any]:
    assert len(document["runs"]) == 1
    run: dict[str, Any] = document["runs"][0]
    return run


def test_golden() -> None:
    document = json.loads(render_sarif(RESULT))
    run = run_of(document)
    run["tool"]["driver"]["version"] = MASK
    run["invocations"][0]["endTimeUtc"] = MASK
    check_golden("scan.sarif", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_validates_against_the_sarif_schema(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    document = json.loads(render_sarif(RESULT))
    sarif_validator.validate(document)
    assert document["version"] == "2.1.0"
    empty = json.loads(render_sarif(replace(RESULT, vulnerabilities=(), image=None, database=None)))
    sarif_validator.validate(empty)
    broken = json.loads(render_sarif(RESULT))
    broken["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate(broken)


def test_one_rule_per_vulnerability_id_with_remediation_and_severity() -> None:
    run = run_of(scan_to_sarif(RESULT))
    driver = run["tool"]["driver"]
    assert driver["name"] == "seawall"
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == list(dict.fromkeys(f.id for f in RISK_ORDER))
    npn = rules[ids.index("CVE-2024-5535")]
    assert npn["properties"]["security-severity"] == "9.1"
    assert "security" in npn["properties"]["tags"] and "critical" in npn["properties"]["tags"]
    help_text = npn["help"]["text"]
    assert "- upgrade libssl3 to 3.0.14-1~deb12u1 (installed 3.0.11-1~deb12u2)" in help_text
    assert "- upgrade openssl to 3.0.14-1~deb12u1 (installed 3.0.11-1~deb12u2)" in help_text
    assert "https://nvd.nist.gov/vuln/detail/CVE-2024-5535" in help_text
    assert "upgrade `libssl3` to `3.0.14-1~deb12u1`" in npn["help"]["markdown"]
    assert "<https://nvd.nist.gov/vuln/detail/CVE-2024-5535>" in npn["help"]["markdown"]
    assert npn["helpUri"] == "https://nvd.nist.gov/vuln/detail/CVE-2024-5535"
    marvin = rules[ids.index("CVE-2023-49092")]
    assert "no fix yet for rsa 0.9.6" in marvin["help"]["text"]
    assert "no-fix-yet" in marvin["properties"]["tags"]
    assert "GHSA-c38w-74pg-36hr" in marvin["fullDescription"]["text"]
    http2 = rules[ids.index("CVE-2023-44487")]
    assert "known-exploited" in http2["properties"]["tags"]
    assert "in the CISA KEV catalogue since 2023-10-10" in http2["help"]["text"]
    assert http2["shortDescription"]["text"].startswith("CVE-2023-44487: HTTP/2 Rapid Reset")


def test_results_levels_locations_fingerprints_and_properties() -> None:
    run = run_of(scan_to_sarif(RESULT))
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["properties"]["purl"]) for r in results] == [
        (f.id, f.package.purl) for f in RISK_ORDER
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["CVE-2024-5535"] == "error"  # critical
    assert levels["CVE-2023-44487"] == "error"  # high
    assert levels["CVE-2023-49092"] == "warning"  # medium
    assert levels["CVE-2010-4756"] == "note"  # negligible
    http2 = results[0]
    location = http2["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "var/lib/dpkg/status"
    digest = RESULT.image.manifest_digest  # type: ignore[union-attr]
    assert location["logicalLocations"] == [
        {
            "name": "layer 1",
            "fullyQualifiedName": f"registry.example.com/shop/api:1.4.2@{digest}/layer/1",
            "kind": "layer",
            "decoratedName": "RUN apt-get update && apt-get install -y --no-install-recommends"
            " nginx libwebp7 && rm -rf /var/lib/apt/lists/*",
        }
    ]
    assert http2["partialFingerprints"] == {"seawall/v1": RISK_ORDER[0].fingerprint}
    assert http2["properties"]["kev"] is True and http2["properties"]["epss"] == 0.94425
    assert http2["properties"]["fixed"] == ["1.22.1-9+deb12u11"]
    assert http2["properties"]["installed"] == "1.22.1-9+deb12u9"
    assert http2["properties"]["layer"] == 1
    assert http2["message"]["text"].startswith(
        "nginx 1.22.1-9+deb12u9 (Debian:12) is affected by CVE-2023-44487 (high, known exploited)"
    )
    assert http2["message"]["text"].endswith(
        "Upgrade nginx to 1.22.1-9+deb12u11 (installed 1.22.1-9+deb12u9)."
    )
    marvin = next(r for r in results if r["ruleId"] == "CVE-2023-49092")
    assert marvin["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "app/worker/Cargo.lock"
    )
    assert run["invocations"][0]["endTimeUtc"] == "2026-11-23T09:30:00Z"
    assert (
        run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        == (RESULT.warnings[0])
    )


def test_security_severity_without_cvss_stands_in_by_severity() -> None:
    findings = (
        replace(PKCS7, cvss=(), severity=Severity.CRITICAL),
        replace(MARVIN, cvss=(), severity=Severity.UNKNOWN),
    )
    rules = run_of(scan_to_sarif(replace(RESULT, vulnerabilities=findings)))["tool"]["driver"][
        "rules"
    ]
    assert rules[0]["properties"]["security-severity"] == "9.5"
    assert "security-severity" not in rules[1]["properties"]


def test_uris_are_encoded_and_markdown_is_inert(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    odd = replace(RSA, locations=(Location("/srv/my app/Cargo.lock#x?y", 3),))
    finding = replace(
        MARVIN,
        package=odd,
        summary="see [here](javascript:alert(1)) <img src=x onerror=alert(1)> **now**",
        references=("javascript:alert(1)", "https://example.com/a b"),
    )
    document = scan_to_sarif(replace(RESULT, vulnerabilities=(finding,)))
    sarif_validator.validate(document)
    run = run_of(document)
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "srv/my%20app/Cargo.lock%23x%3Fy"
    rule = run["tool"]["driver"]["rules"][0]
    markdown = rule["help"]["markdown"]
    assert "\\[here\\]\\(javascript:alert\\(1\\)\\)" in markdown
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in markdown and "\\*\\*now\\*\\*" in markdown
    assert "- `javascript:alert(1)`" in markdown and "<javascript:" not in markdown
    assert "helpUri" not in rule  # neither reference is a usable web address


def test_a_package_without_location_points_at_the_image() -> None:
    finding = replace(MARVIN, package=replace(RSA, locations=()))
    run = run_of(scan_to_sarif(replace(RESULT, vulnerabilities=(finding,))))
    location = run["results"][0]["locations"][0]
    digest = RESULT.image.manifest_digest  # type: ignore[union-attr]
    assert location["logicalLocations"][0]["kind"] == "image"
    assert location["physicalLocation"]["artifactLocation"]["uri"] == (
        f"registry.example.com/shop/api%3A1.4.2%40{digest.replace(':', '%3A')}"
    )
