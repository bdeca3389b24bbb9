"""VEX out: OpenVEX (schema-valid), CSAF 2.0 VEX (the profile's required fields and the
mandatory tests on impact and action statements), from the scan and the policy's triage."""

import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

import jsonschema

from seawall.policy import apply_policy, parse_vex
from seawall.report.vex import VexOptions, scan_to_csaf_vex, scan_to_openvex
from tests.policy.scanfixture import RESULT
from tests.report.scan import goldens
from tests.report.scan.policyresult import DECIDED
from tests.report.scan.scanresult import HTTP2, MULTIPART, PKCS7

OPTIONS = VexOptions(
    author="Shop Security <security@example.com>",
    namespace="https://shop.example.com",
    created=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
    document_id=uuid.UUID("6f1c1e0a-4c1b-4f43-9a55-3f0c5b1f4a10"),
)
SCHEMA = Path(__file__).parents[4] / "shared" / "schemas" / "openvex_json_schema.json"


def _statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        s["products"][0]["subcomponents"][0]["@id"] + " " + s["vulnerability"]["name"]: s
        for s in document["statements"]
    }


def test_openvex_is_valid_and_carries_the_triage() -> None:
    document = scan_to_openvex(DECIDED, OPTIONS)
    validator = jsonschema.Draft202012Validator(
        json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker()
    )
    validator.validate(document)
    by = _statements(document)
    pkcs7 = by[f"{PKCS7.package.purl} {PKCS7.id}"]
    assert pkcs7["status"] == "not_affected"
    assert pkcs7["justification"] == "vulnerable_code_not_in_execute_path"
    assert pkcs7["impact_statement"] == (
        "we never load PKCS7 certificates (decided by payments-team@example.com)"
    )
    assert "expires 2027-01-31" in pkcs7["status_notes"]
    webp = next(s for s in document["statements"] if s["vulnerability"]["name"] == "CVE-2023-4863")
    assert webp["status"] == "affected"
    assert webp["action_statement"] == "Upgrade libwebp7 from 1.2.4-0.2 to 1.2.4-0.2+deb12u1."
    werkzeug = by[f"{MULTIPART.package.purl} {MULTIPART.id}"]
    assert werkzeug["status"] == "under_investigation"
    product = document["statements"][0]["products"][0]["@id"]
    assert product.startswith("pkg:oci/api@sha256%3A")
    assert len(document["statements"]) == 11
    goldens.check_golden("openvex.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_openvex_out_reads_back_in_and_suppresses_the_same_findings() -> None:
    document = scan_to_openvex(DECIDED, OPTIONS)
    statements = parse_vex(document, "roundtrip.json")
    again = apply_policy(RESULT, vex=statements).by_fingerprint()
    assert DECIDED.policy is not None
    suppressed = {
        d.fingerprint
        for d in DECIDED.policy.decisions
        if d.suppressed_by is not None and d.kind.value == "vulnerability"
    }
    assert {fp for fp, d in again.items() if d.suppressed_by is not None} == suppressed
    assert again[HTTP2.fingerprint].suppressed_by is not None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_csaf_vex_has_what_the_profile_requires() -> None:
    document = scan_to_csaf_vex(DECIDED, OPTIONS)
    meta = document["document"]
    assert meta["category"] == "csaf_vex" and meta["csaf_version"] == "2.0"
    assert set(meta["publisher"]) == {"category", "name", "namespace"}
    assert meta["publisher"]["category"] in {
        "coordinator",
        "discoverer",
        "other",
        "translator",
        "user",
        "vendor",
    }
    tracking = meta["tracking"]
    for key in (
        "current_release_date",
        "id",
        "initial_release_date",
        "revision_history",
        "status",
        "version",
    ):
        assert key in tracking
    assert tracking["status"] in {"draft", "final", "interim"}
    assert all(_DATE.match(tracking[k]) for k in ("current_release_date", "initial_release_date"))
    assert tracking["revision_history"][0]["number"] == tracking["version"]
    assert meta["title"]
    # Every product id used is defined once in the product tree.
    tree = document["product_tree"]
    defined = [p["product_id"] for p in tree["full_product_names"]]
    defined += [r["full_product_name"]["product_id"] for r in tree["relationships"]]
    assert len(defined) == len(set(defined))
    for relationship in tree["relationships"]:
        assert relationship["category"] == "default_component_of"
        assert relationship["product_reference"] in defined
        assert relationship["relates_to_product_reference"] in defined
    statuses = {"fixed", "known_affected", "known_not_affected", "under_investigation"}
    for vulnerability in document["vulnerabilities"]:
        assert "cve" in vulnerability or vulnerability.get("ids")
        if "cve" in vulnerability:
            assert re.match(r"^CVE-[0-9]{4}-[0-9]{4,}$", vulnerability["cve"])
        assert vulnerability["notes"]
        status = vulnerability["product_status"]
        assert status and set(status) <= statuses
        for ids in status.values():
            assert set(ids) <= set(defined)
        # Mandatory test 6.1.27.9: every not-affected product has an impact statement.
        impacts = {
            pid
            for threat in vulnerability.get("threats", [])
            if threat["category"] == "impact"
            for pid in threat["product_ids"]
        }
        flagged = {pid for flag in vulnerability.get("flags", []) for pid in flag["product_ids"]}
        assert set(status.get("known_not_affected", [])) <= impacts | flagged
        # Mandatory test 6.1.27.10: every affected product has an action statement.
        actions = {pid for r in vulnerability.get("remediations", []) for pid in r["product_ids"]}
        assert set(status.get("known_affected", [])) <= actions
    by_cve = {v.get("cve"): v for v in document["vulnerabilities"]}
    pkcs7 = by_cve["CVE-2023-49083"]
    assert pkcs7["flags"][0]["label"] == "vulnerable_code_not_in_execute_path"
    assert {i["text"] for i in pkcs7["ids"]} == {"GHSA-jfhm-5ghh-2f97", "PYSEC-2023-254"}
    assert len(by_cve["CVE-2024-5535"]["product_status"]["under_investigation"]) == 2
    goldens.check_golden("csaf-vex.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_csaf_vex_reads_back_in() -> None:
    statements = parse_vex(scan_to_csaf_vex(DECIDED, OPTIONS), "csaf.json")
    again = apply_policy(RESULT, vex=statements).by_fingerprint()
    assert again[PKCS7.fingerprint].suppressed_by is not None
    assert again[MULTIPART.fingerprint].suppressed_by is None
