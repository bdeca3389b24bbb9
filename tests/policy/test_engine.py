"""apply_policy: rules over every finding kind, ignores with expiry, baselines, the verdict."""

import datetime as dt
from dataclasses import replace

from seawall.model.finding import Severity
from seawall.model.policy import Decision, FindingKind, RemediationKind, Verdict
from seawall.policy import apply_policy, default_policy, licence_fingerprint, parse_policy
from seawall.policy.rules import Policy
from tests.policy.scanfixture import (
    AWS_KEY,
    CONTINUATION,
    ENV_SECRET,
    NO_HEALTHCHECK,
    PYMUPDF,
    RESULT,
)
from tests.report.scan.scanresult import (
    GLOB,
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

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def _apply(text: str, **kwargs: object) -> dict[str, Decision]:
    policy = parse_policy("version: 1\n" + text, "policy.yaml")
    result = apply_policy(RESULT, policy, now=NOW, **kwargs)  # type: ignore[arg-type]
    return {d.fingerprint: d.decision for d in result.decisions}


def _failing(text: str) -> set[str]:
    return {fp for fp, decision in _apply(text).items() if decision is Decision.FAIL}


def test_without_a_policy_everything_passes_and_every_finding_is_decided() -> None:
    result = apply_policy(RESULT, now=NOW)
    assert result.verdict is Verdict.PASSED
    assert {d.decision for d in result.decisions} == {Decision.PASS}
    kinds = [d.kind for d in result.decisions]
    assert kinds.count(FindingKind.VULNERABILITY) == 11
    assert kinds.count(FindingKind.SECRET) == 2
    assert kinds.count(FindingKind.MISCONFIGURATION) == 2
    scores = [d.risk.score for d in result.decisions]
    assert scores == sorted(scores, reverse=True)


def test_fail_on_severity_and_only_fixable() -> None:
    result = apply_policy(RESULT, default_policy(Severity.HIGH), now=NOW)
    failing = {d.fingerprint for d in result.decisions if d.decision is Decision.FAIL}
    assert failing == {
        f.fingerprint for f in (HTTP2, WEBP, NPN_LIBSSL3, NPN_OPENSSL, PKCS7, MULTIPART)
    }
    assert result.verdict is Verdict.FAILED
    only_fixed = apply_policy(RESULT, default_policy(Severity.MEDIUM, only_fixed=True), now=NOW)
    failing = {d.fingerprint for d in only_fixed.decisions if d.decision is Decision.FAIL}
    assert MARVIN.fingerprint not in failing  # medium, no fix yet
    assert {PROXY_AUTH.fingerprint, REDIRECT_BODY.fingerprint, CONTINUATION.fingerprint} <= failing


def test_kev_epss_and_risk_conditions() -> None:
    assert _failing("rules: [{vulnerability: {kev: true}}]") == {
        HTTP2.fingerprint,
        WEBP.fingerprint,
    }
    assert _failing("rules: [{vulnerability: {epss: 0.1}}]") == {
        HTTP2.fingerprint,
        WEBP.fingerprint,
        CONTINUATION.fingerprint,
    }
    assert _failing("rules: [{vulnerability: {epss: 0.1, kev: false}}]") == {
        CONTINUATION.fingerprint
    }
    assert _failing("rules: [{vulnerability: {risk: 70}}]") == {
        HTTP2.fingerprint,
        WEBP.fingerprint,
    }


def test_secret_misconfig_and_licence_rules() -> None:
    secrets = _failing("rules: [{secret: {severity: critical}}]")
    assert secrets == {AWS_KEY.fingerprint}
    misconfig = _failing("rules: [{misconfiguration: {severity: medium}}]")
    assert misconfig == {ENV_SECRET.fingerprint}
    checks = _failing("rules: [{misconfiguration: {checks: [sw-df-0006]}}]")
    assert checks == {NO_HEALTHCHECK.fingerprint}
    policy = parse_policy(
        "version: 1\nrules: [{name: copyleft, licence: {deny: [AGPL-3.0-or-later]}}]\n", "p"
    )
    result = apply_policy(RESULT, policy, now=NOW)
    licence = [d for d in result.decisions if d.kind is FindingKind.LICENCE]
    assert len(licence) == 1
    assert licence[0].decision is Decision.FAIL
    assert licence[0].subject == PYMUPDF.purl
    assert licence[0].fingerprint == licence_fingerprint(PYMUPDF.purl, "AGPL-3.0-or-later")
    assert licence[0].rules == ("copyleft",)
    assert result.verdict is Verdict.FAILED


def test_a_compound_licence_expression_is_denied_when_it_names_a_denied_licence() -> None:
    package = replace(PYMUPDF, licenses=("(AGPL-3.0-only OR LicenseRef-Commercial)",))
    inventory = replace(RESULT.inventory, packages=(package,))
    policy = parse_policy("version: 1\nrules: [{licence: {deny: [agpl-3.0-only]}}]\n", "p")
    result = apply_policy(replace(RESULT, inventory=inventory), policy, now=NOW)
    assert [d.decision for d in result.decisions if d.kind is FindingKind.LICENCE] == [
        Decision.FAIL
    ]


def test_warn_does_not_fail_the_verdict_and_fail_wins_over_warn() -> None:
    policy = parse_policy(
        "version: 1\nrules:\n  - {action: warn, vulnerability: {severity: high}}\n", "p"
    )
    result = apply_policy(RESULT, policy, now=NOW)
    assert result.verdict is Verdict.PASSED
    assert result.decision_for(HTTP2.fingerprint).decision is Decision.WARN  # type: ignore[union-attr]
    both = _apply(
        "rules:\n  - {action: warn, vulnerability: {severity: high}}\n"
        "  - {name: kev, vulnerability: {kev: true}}\n"
    )
    assert both[HTTP2.fingerprint] is Decision.FAIL
    assert both[PKCS7.fingerprint] is Decision.WARN


def test_max_counts() -> None:
    policy = parse_policy(
        "version: 1\nrules:\n"
        "  - {name: few-mediums, max: {kind: vulnerability, severity: medium, count: 9}}\n"
        "  - {name: no-secrets, action: warn, max: {kind: secret, count: 0}}\n",
        "p",
    )
    result = apply_policy(RESULT, policy, now=NOW)
    messages = {v.rule: (v.decision, v.message) for v in result.violations}
    assert messages["few-mediums"] == (
        Decision.FAIL,
        "10 vulnerability findings of severity ≥ medium, more than the 9 allowed",
    )
    assert messages["no-secrets"][0] is Decision.WARN
    assert result.verdict is Verdict.FAILED


IGNORE = "    reason: accepted\n    owner: alice@example.com\n    expires: {expires}\n"


def _ignored(selector: str, expires: str = "2026-12-31", rules: str = "") -> dict[str, Decision]:
    text = (rules or "rules: [{vulnerability: {}}, {secret: {}}, {misconfiguration: {}}]\n") + (
        "ignores:\n  - " + selector + "\n" + IGNORE.format(expires=expires)
    )
    return _apply(text)


def _suppressed(decisions: dict[str, Decision]) -> set[str]:
    return {fp for fp, d in decisions.items() if d is Decision.SUPPRESSED}


def test_ignores_match_by_id_alias_package_purl_path_and_fingerprint() -> None:
    assert _suppressed(_ignored("id: CVE-2023-44487")) == {HTTP2.fingerprint}
    assert _suppressed(_ignored("id: dsa-5497-1")) == {WEBP.fingerprint}  # an alias, any case
    assert _suppressed(_ignored("id: CVE-2024-5535\n    package: libssl3")) == {
        NPN_LIBSSL3.fingerprint
    }
    # A source package name covers the binary packages built from it.
    assert _suppressed(_ignored("package: openssl")) == {
        NPN_LIBSSL3.fingerprint,
        NPN_OPENSSL.fingerprint,
    }
    assert _suppressed(_ignored("purl: pkg:pypi/urllib3")) == {
        PROXY_AUTH.fingerprint,
        REDIRECT_BODY.fingerprint,
    }
    assert _suppressed(_ignored("purl: pkg:pypi/urllib3@1.26.16")) == set()
    assert _suppressed(_ignored("path: /usr/local/lib/python3.11/site-packages/*")) == {
        PKCS7.fingerprint,
        MULTIPART.fingerprint,
        PROXY_AUTH.fingerprint,
        REDIRECT_BODY.fingerprint,
    }
    assert _suppressed(_ignored("path: app/.env")) == {AWS_KEY.fingerprint}
    assert _suppressed(_ignored(f"fingerprint: {GLOB.fingerprint}")) == {GLOB.fingerprint}
    assert _suppressed(_ignored("id: SW-DF-0006")) == {NO_HEALTHCHECK.fingerprint}


def test_a_suppressed_finding_keeps_what_suppressed_it() -> None:
    policy = parse_policy(
        "version: 1\nrules: [{vulnerability: {kev: true}}]\nignores:\n"
        "  - id: CVE-2023-44487\n" + IGNORE.format(expires="2026-11-23") + "    justification:"
        " vulnerable_code_not_in_execute_path\n    created: 2026-10-01\n",
        "gate.yaml",
    )
    result = apply_policy(RESULT, policy, now=NOW)
    decision = result.decision_for(HTTP2.fingerprint)
    assert decision is not None and decision.decision is Decision.SUPPRESSED
    suppression = decision.suppressed_by
    assert suppression is not None
    assert (suppression.source, suppression.statement, suppression.owner) == (
        "gate.yaml",
        "ignores[0]",
        "alice@example.com",
    )
    assert suppression.expires == "2026-11-23"
    assert suppression.justification == "vulnerable_code_not_in_execute_path"
    assert suppression.timestamp == "2026-10-01"
    assert "ignored by gate.yaml ignores[0] until 2026-11-23" in decision.reason
    assert decision.risk.score > 0  # still scored, still reported
    assert result.verdict is Verdict.FAILED  # WEBP is in KEV too


def test_an_expired_ignore_stops_applying_and_is_reported() -> None:
    decisions = _ignored("id: CVE-2023-44487", expires="2026-11-22")
    assert decisions[HTTP2.fingerprint] is Decision.FAIL
    policy = parse_policy(
        "version: 1\nignores:\n  - id: CVE-2024-5535\n" + IGNORE.format(expires="2026-11-22"),
        "gate.yaml",
    )
    result = apply_policy(RESULT, policy, now=NOW)
    (expired,) = result.expired_ignores
    assert (expired.entry, expired.owner, expired.expires, expired.would_match) == (
        "ignores[0]",
        "alice@example.com",
        "2026-11-22",
        2,
    )
    assert expired.selector == "id CVE-2024-5535"


def test_with_a_baseline_only_new_findings_fail() -> None:
    old = replace(
        RESULT,
        vulnerabilities=tuple(f for f in RESULT.vulnerabilities if f is not WEBP),
        secrets=(),
    )
    policy = parse_policy(
        "version: 1\nrules:\n  - {vulnerability: {severity: high}}\n  - {secret: {}}\n"
        "  - {name: cap, max: {kind: vulnerability, count: 1}}\n",
        "p",
    )
    result = apply_policy(RESULT, policy, baseline=old, now=NOW)
    by = result.by_fingerprint()
    assert by[WEBP.fingerprint].decision is Decision.FAIL
    assert by[WEBP.fingerprint].in_baseline is False
    assert by[HTTP2.fingerprint].decision is Decision.WARN
    assert by[HTTP2.fingerprint].in_baseline is True
    assert "already in the baseline" in by[HTTP2.fingerprint].reason
    assert by[AWS_KEY.fingerprint].decision is Decision.FAIL  # the change added the secret
    assert result.violations == ()  # only WEBP is new: 1 is not more than 1
    assert result.baseline == "registry.example.com/shop/api:1.4.2 scanned 2026-11-23T09:30:00Z"
    same = apply_policy(RESULT, policy, baseline=RESULT, now=NOW)
    assert same.verdict is Verdict.PASSED


def test_remediation_plan_fixes_the_most_first() -> None:
    result = apply_policy(RESULT, Policy(), now=NOW)
    first = result.remediations[0]
    assert len(first.fixes) == 2
    by_target = {r.target: r for r in result.remediations if r.kind is RemediationKind.PACKAGE}
    assert by_target["urllib3"].upgrade_to == "1.26.19"  # fixes both urllib3 findings
    assert by_target["Werkzeug"].upgrade_to == "2.3.8"  # the lowest fix above 2.3.7
    assert by_target["stdlib"].upgrade_to == "1.21.9"
    assert "rsa" not in by_target  # no fix yet
    (base,) = [r for r in result.remediations if r.kind is RemediationKind.BASE_IMAGE]
    assert base.fixed_ids == ("CVE-2024-5535",)
    assert base.target == "layer 0"
    assert result.base_layers == 1


def test_remediation_uses_the_comparator_given() -> None:
    calls: list[str] = []

    def compare(ecosystem: str, a: str, b: str) -> int:
        calls.append(ecosystem)
        return (a > b) - (a < b)

    apply_policy(RESULT, Policy(), now=NOW, compare=compare)
    assert "Debian:12" in calls and "PyPI" in calls
