"""Every scan format with a policy applied: decisions, risk, suppressed findings, remediation."""

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from rich.console import Console

from seawall.model.policy import Decision
from seawall.report.sbom.common import SbomOptions
from seawall.report.scan import ScanReportOptions, render_json, render_sarif, render_table
from seawall.report.scan.cyclonedx import scan_to_cyclonedx
from seawall.report.scan.junit import render_junit
from seawall.report.scan.markdown import MAX_CHARACTERS, render_markdown
from tests.policy.scanfixture import PYMUPDF, RESULT
from tests.report.scan.goldens import MASK, check_golden
from tests.report.scan.policyresult import DECIDED
from tests.report.scan.scanresult import HTTP2, PKCS7, SECRETS, WEBP
from tests.report.scan.test_json import validator


def _table(options: ScanReportOptions, width: int = 160) -> str:
    console = Console(width=width, no_color=True, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_table(DECIDED, options))
    return console.export_text()


def test_json_carries_every_decision_and_validates() -> None:
    document = json.loads(render_json(DECIDED))
    validator().validate(document)
    policy = document["policy"]
    assert policy["verdict"] == "failed"
    decisions = {d["fingerprint"]: d for d in policy["decisions"]}
    assert len(decisions) == 11 + 2 + 2 + 1  # vulnerabilities, secrets, misconfigs, licence
    http2 = decisions[HTTP2.fingerprint]
    assert http2["decision"] == "suppressed"
    assert http2["suppressed_by"]["kind"] == "vex"
    assert http2["suppressed_by"]["justification"] == "vulnerable_code_not_in_execute_path"
    pkcs7 = decisions[PKCS7.fingerprint]
    assert pkcs7["suppressed_by"]["owner"] == "payments-team@example.com"
    assert [p["name"] for p in decisions[WEBP.fingerprint]["risk"]["parts"]][:3] == [
        "severity",
        "kev",
        "epss",
    ]
    assert policy["expired_ignores"][0]["entry"] == "ignores[1]"
    assert policy["remediations"][0]["kind"] == "base-image"
    ids = [v["id"] for v in document["vulnerabilities"]]
    assert ids.index("CVE-2023-4863") < ids.index("CVE-2023-45288") < ids.index("CVE-2010-4756")
    assert document["secrets"][0]["preview"].startswith(("AKIA", "hunt"))


def test_json_golden_with_a_policy() -> None:
    document = json.loads(render_json(DECIDED))
    document["tool"]["version"] = MASK
    document["scanned_at"] = MASK
    document["policy"]["evaluated_at"] = MASK
    check_golden("scan-policy.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_the_json_schema_rejects_a_wrong_decision() -> None:
    document = json.loads(render_json(DECIDED))
    document["policy"]["decisions"][0]["decision"] = "maybe"
    errors = list(validator().iter_errors(document))
    assert errors


def test_table_sorts_by_risk_and_hides_suppressed_unless_asked() -> None:
    text = _table(ScanReportOptions())
    assert "CVE-2023-44487" not in text  # suppressed by VEX
    assert "3 hidden: --show-suppressed lists them" in text
    assert text.index("CVE-2023-4863") < text.index("CVE-2023-45288") < text.index("CVE-2010-4756")
    assert "Policy FAILED (shop-api production gate)" in text
    assert "grade F" in text
    assert "expired ignore ignores[1]" in text
    assert "Fix first:" in text and "upgrade libwebp7 1.2.4-0.2 → 1.2.4-0.2+deb12u1" in text
    shown = _table(ScanReportOptions(show_suppressed=True))
    assert "CVE-2023-44487" in shown and "suppressed" in shown
    reasons = _table(ScanReportOptions(show_reasons=True))
    assert "Risk scores:" in reasons
    assert "CVE-2023-4863 libwebp7: severity +35.2, kev +20, epss +19.35" in reasons
    for secret in SECRETS:
        assert secret not in shown and secret not in reasons


def test_sarif_follows_the_risk_order() -> None:
    sarif = json.loads(render_sarif(DECIDED))
    ids = [r["ruleId"] for r in sarif["runs"][0]["results"]]
    # By risk score first: the Go finding (on PATH, EPSS 0.14) outranks the critical OpenSSL one.
    assert ids.index("CVE-2023-45288") < ids.index("CVE-2024-5535")


def test_junit_one_case_per_finding_class() -> None:
    text = render_junit(DECIDED)
    root = ET.fromstring(text)  # noqa: S314 (our own output)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {
        "seawall vulnerabilities",
        "seawall secrets",
        "seawall misconfigurations",
        "seawall licences",
    }
    vulns = {c.get("name"): c for c in suites["seawall vulnerabilities"].iter("testcase")}
    assert len(vulns) == 10  # CVE-2024-5535 covers two packages in one case
    assert vulns["CVE-2023-4863"].find("failure") is not None
    assert vulns["CVE-2023-44487"].find("skipped") is not None  # suppressed by VEX
    assert vulns["CVE-2023-49092"].find("failure") is None  # passes: no rule matched
    both = vulns["CVE-2024-5535"].find("failure")
    assert both is not None and "libssl3" in (both.text or "") and "openssl" in (both.text or "")
    assert suites["seawall vulnerabilities"].get("failures") == "3"
    assert root.get("tests") == str(sum(int(s.get("tests") or 0) for s in suites.values()))
    out = suites["seawall vulnerabilities"].find("system-out")
    assert out is not None and (out.text or "").startswith("Fix first:")
    licences = list(suites["seawall licences"].iter("testcase"))
    assert licences[0].get("name") == "licence:AGPL-3.0-or-later"
    check_golden("scan.junit.xml", text)


def test_junit_without_a_policy_fails_every_class() -> None:
    root = ET.fromstring(render_junit(RESULT))  # noqa: S314 (our own output)
    assert root.get("failures") == root.get("tests")


def test_markdown_is_a_pr_comment() -> None:
    text = render_markdown(DECIDED, ScanReportOptions(top=5))
    assert text.startswith("### seawall: registry.example.com/shop/api:1.4.2 — policy ❌ failed")
    assert "risk grade **F**" in text
    assert "#### Top 5 by risk" in text
    assert "#### Fix first" in text
    assert "<details><summary>3 suppressed</summary>" in text
    assert "<details><summary>1 expired ignores</summary>" in text
    check_golden("scan-policy.md", text)


def test_markdown_stays_under_the_comment_limit_and_escapes() -> None:
    many = tuple(
        replace(
            HTTP2,
            id=f"CVE-2024-{i:05d}",
            aliases=(f"CVE-2024-{i:05d}",),
            fingerprint=f"{i:064x}",
            summary="<img src=x onerror=alert(1)> [click](https://evil.example)",
        )
        for i in range(3000)
    )
    evil = replace(
        RESULT,
        vulnerabilities=many,
        inventory=replace(
            RESULT.inventory,
            packages=(replace(PYMUPDF, name="](https://evil.example)<script>"),),
        ),
    )
    text = render_markdown(evil)
    assert len(text) < MAX_CHARACTERS + 1000
    assert "more not shown" in text
    assert "<script>" not in text and "<img" not in text


def _cyclonedx(vex: bool) -> dict[str, Any]:
    return scan_to_cyclonedx(DECIDED, SbomOptions(), vex=vex)


def test_cyclonedx_with_vulnerabilities_validates() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    for vex in (False, True):
        document = _cyclonedx(vex)
        assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is None
    document = _cyclonedx(False)
    refs = {c["bom-ref"] for c in document["components"]}
    vulns = {v["id"]: v for v in document["vulnerabilities"]}
    assert len(document["vulnerabilities"]) == 11
    assert all(a["ref"] in refs for v in document["vulnerabilities"] for a in v["affects"])
    assert vulns["CVE-2023-44487"]["analysis"]["state"] == "not_affected"
    assert vulns["CVE-2023-44487"]["analysis"]["justification"] == "code_not_reachable"
    assert "analysis" not in vulns["CVE-2023-4863"]
    assert vulns["CVE-2023-4863"]["recommendation"] == "Upgrade libwebp7 to 1.2.4-0.2+deb12u1"
    webp_ratings = vulns["CVE-2023-4863"]["ratings"]
    assert webp_ratings[0]["method"] == "CVSSv31" and webp_ratings[0]["score"] == 8.8
    vex_doc = {v["id"]: v for v in _cyclonedx(True)["vulnerabilities"]}
    assert vex_doc["CVE-2023-4863"]["analysis"]["state"] == "exploitable"  # VEX said affected
    assert vex_doc["CVE-2023-49092"]["analysis"]["state"] == "in_triage"
    assert vex_doc["CVE-2024-37891"]["analysis"]["state"] == "resolved"


def test_decisions_agree_across_formats() -> None:
    document = json.loads(render_json(DECIDED))
    failing = {d["id"] for d in document["policy"]["decisions"] if d["decision"] == "fail"}
    assert DECIDED.policy is not None
    assert failing == {
        d.finding_id for d in DECIDED.policy.decisions if d.decision is Decision.FAIL
    }
