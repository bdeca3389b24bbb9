"""VEX in: OpenVEX, CycloneDX VEX and CSAF VEX statements suppress or annotate findings."""

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seawall.model.policy import Decision, SuppressionKind
from seawall.policy import VexDocumentError, apply_policy, load_vex, parse_vex
from seawall.policy.vex.statement import VexStatus, purl_matches
from tests.policy.scanfixture import RESULT
from tests.policy.vexdocs import CSAF_VEX, CYCLONEDX_VEX, OPENVEX
from tests.report.scan.scanresult import (
    HTTP2,
    MARVIN,
    MULTIPART,
    NPN_LIBSSL3,
    NPN_OPENSSL,
    PKCS7,
    PROXY_AUTH,
    REDIRECT_BODY,
    WEBP,
)

OPENVEX_SCHEMA = Path(__file__).parents[3] / "shared" / "schemas" / "openvex_json_schema.json"
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def openvex_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(OPENVEX_SCHEMA.read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _decisions(document: dict[str, Any]) -> dict[str, Any]:
    statements = parse_vex(document, "vex.json")
    result = apply_policy(RESULT, vex=statements, now=NOW)
    return result.by_fingerprint()


def test_the_openvex_fixture_is_valid_openvex() -> None:
    openvex_validator().validate(OPENVEX)


def test_openvex_not_affected_suppresses_and_affected_annotates() -> None:
    by = _decisions(OPENVEX)
    http2 = by[HTTP2.fingerprint]
    assert http2.decision is Decision.SUPPRESSED
    suppression = http2.suppressed_by
    assert suppression.kind is SuppressionKind.VEX
    assert suppression.justification == "vulnerable_code_not_in_execute_path"
    assert suppression.reason == "nginx is built without the HTTP/2 module in this image"
    assert suppression.owner == "Shop Security Team <security@example.com>"
    assert suppression.timestamp == "2026-11-20T10:00:00Z"
    assert suppression.statement == "statements[0]"
    webp = by[WEBP.fingerprint]
    assert webp.decision is Decision.PASS
    assert [(a.status, a.detail) for a in webp.annotations] == [
        ("affected", "Upgrade libwebp7 to 1.2.4-0.2+deb12u1")
    ]
    # An alias names the finding; a versioned purl must match the version.
    assert [a.status for a in by[PKCS7.fingerprint].annotations] == ["under_investigation"]
    # A statement about another image's digest does not apply.
    assert by[MULTIPART.fingerprint].decision is Decision.PASS
    assert by[MULTIPART.fingerprint].annotations == ()
    # `fixed` suppresses (the product ships the fix; the match is stale).
    assert by[PROXY_AUTH.fingerprint].decision is Decision.SUPPRESSED


def test_not_affected_without_justification_does_not_suppress() -> None:
    document = copy.deepcopy(OPENVEX)
    del document["statements"][0]["justification"]
    del document["statements"][0]["impact_statement"]
    with pytest.raises(jsonschema.ValidationError):
        openvex_validator().validate(document)
    http2 = _decisions(document)[HTTP2.fingerprint]
    assert http2.decision is Decision.PASS
    assert [a.status for a in http2.annotations] == ["not_affected"]


def test_the_latest_statement_decides() -> None:
    document = copy.deepcopy(OPENVEX)
    document["statements"].append(
        {
            "vulnerability": {"name": "CVE-2023-44487"},
            "products": [{"@id": "pkg:deb/debian/nginx"}],
            "status": "affected",
            "action_statement": "HTTP/2 was turned back on; upgrade nginx",
            "timestamp": "2026-11-22T00:00:00Z",
        }
    )
    openvex_validator().validate(document)
    http2 = _decisions(document)[HTTP2.fingerprint]
    assert http2.decision is Decision.PASS
    statuses = {a.status for a in http2.annotations}
    assert statuses == {"affected", "not_affected"}


def test_cyclonedx_vex() -> None:
    statements = parse_vex(CYCLONEDX_VEX, "bom.vex.json")
    assert [s.status for s in statements] == [
        VexStatus.NOT_AFFECTED,
        VexStatus.AFFECTED,
        VexStatus.UNDER_INVESTIGATION,
    ]
    by = _decisions(CYCLONEDX_VEX)
    redirect = by[REDIRECT_BODY.fingerprint]
    assert redirect.decision is Decision.SUPPRESSED
    assert redirect.suppressed_by.justification == "vulnerable_code_not_in_execute_path"
    assert "code_not_reachable" in redirect.suppressed_by.reason
    assert redirect.suppressed_by.timestamp == "2026-11-21T08:00:00Z"
    # RUSTSEC id is an alias of the Marvin finding.
    assert [a.status for a in by[MARVIN.fingerprint].annotations] == ["affected"]
    assert [a.status for a in by[PROXY_AUTH.fingerprint].annotations] == ["under_investigation"]


def test_cyclonedx_vex_validates_with_the_cyclonedx_library() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(CYCLONEDX_VEX)) is None


def test_csaf_vex_through_relationships_and_plain_products() -> None:
    by = _decisions(CSAF_VEX)
    libssl = by[NPN_LIBSSL3.fingerprint]
    assert libssl.decision is Decision.SUPPRESSED
    assert libssl.suppressed_by.justification == "vulnerable_code_not_in_execute_path"
    assert libssl.suppressed_by.owner == "Example Shop"
    openssl = by[NPN_OPENSSL.fingerprint]
    assert openssl.decision is Decision.PASS
    assert [(a.status, a.detail) for a in openssl.annotations] == [
        ("affected", "vendor_fix: upgrade to 3.0.14")
    ]


def test_csaf_not_affected_without_flag_or_impact_does_not_suppress() -> None:
    document = copy.deepcopy(CSAF_VEX)
    document["vulnerabilities"][0]["flags"] = []
    assert by_status(document) == Decision.PASS


def by_status(document: dict[str, Any]) -> Decision:
    decision: Decision = _decisions(document)[NPN_LIBSSL3.fingerprint].decision
    return decision


def test_purl_matching() -> None:
    installed = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"
    assert purl_matches("pkg:deb/debian/libssl3", installed)
    assert purl_matches("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64", installed)
    assert not purl_matches("pkg:deb/debian/libssl3@3.0.14-1~deb12u1", installed)
    assert not purl_matches("pkg:deb/debian/libssl3?arch=arm64", installed)
    assert not purl_matches("pkg:deb/ubuntu/libssl3", installed)
    assert purl_matches("pkg:pypi/Werkzeug", "pkg:pypi/werkzeug@2.3.7")


def test_files_are_detected_read_and_refused_clearly(tmp_path: Path) -> None:
    for name, document in (("o.json", OPENVEX), ("c.json", CYCLONEDX_VEX), ("s.json", CSAF_VEX)):
        (tmp_path / name).write_text(json.dumps(document))
        assert load_vex(tmp_path / name)
    (tmp_path / "spdx.json").write_text('{"spdxVersion": "SPDX-2.3"}')
    with pytest.raises(VexDocumentError, match="not OpenVEX, CycloneDX or CSAF"):
        load_vex(tmp_path / "spdx.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(VexDocumentError, match="not valid JSON"):
        load_vex(tmp_path / "bad.json")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(VexDocumentError):
        load_vex(tmp_path / "deep.json")
    broken = copy.deepcopy(OPENVEX)
    broken["statements"][0]["status"] = "maybe"
    (tmp_path / "status.json").write_text(json.dumps(broken))
    with pytest.raises(VexDocumentError, match=r"statements\[0\]\.status"):
        load_vex(tmp_path / "status.json")
    with pytest.raises(VexDocumentError, match="no such file"):
        load_vex(tmp_path / "missing.json")
