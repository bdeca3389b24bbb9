"""Risk order: KEV, then EPSS, then severity, then CVSS base score, then id."""

import random
from dataclasses import replace

from seawall.model.advisory import EpssScore
from seawall.model.finding import CvssScore, Severity
from seawall.report.scan import in_risk_order, preferred_cvss, risk_order_key
from tests.report.scan.scanresult import (
    GLOB,
    HTTP2,
    KEV_HTTP2,
    MARVIN,
    NPN_LIBSSL3,
    PKCS7,
    RESULT,
    RISK_ORDER,
    WEBP,
)


def test_the_fixture_sorts_into_risk_order_from_any_input_order() -> None:
    findings = list(RESULT.vulnerabilities)
    for seed in range(20):
        random.Random(seed).shuffle(findings)
        assert in_risk_order(tuple(findings)) == list(RISK_ORDER)


def test_kev_comes_before_higher_cvss_epss_and_severity() -> None:
    # A KEV finding with low everything beats a critical 9.1 with a higher EPSS.
    low_kev = replace(
        MARVIN, kev=replace(KEV_HTTP2, cve=MARVIN.id), epss=EpssScore(MARVIN.id, 0.0001, 0.01)
    )
    critical = replace(NPN_LIBSSL3, epss=EpssScore(NPN_LIBSSL3.id, 0.97, 0.999))
    assert in_risk_order((critical, low_kev)) == [low_kev, critical]


def test_within_kev_epss_decides_before_cvss() -> None:
    # The fixture's two KEV findings: HTTP/2 (CVSS 7.5, EPSS 94.4%) before libwebp (8.8, 93.6%).
    assert preferred_cvss(WEBP).base_score > preferred_cvss(HTTP2).base_score  # type: ignore[union-attr]
    assert in_risk_order((WEBP, HTTP2)) == [HTTP2, WEBP]


def test_epss_decides_before_severity() -> None:
    # A negligible glibc finding with EPSS 1.2% before a critical one at 0.4%.
    assert in_risk_order((NPN_LIBSSL3, GLOB)) == [GLOB, NPN_LIBSSL3]


def test_a_missing_epss_sorts_after_any_score_even_zero() -> None:
    zero = replace(MARVIN, epss=EpssScore(MARVIN.id, 0.0, 0.0))
    unscored_critical = replace(NPN_LIBSSL3, epss=None)
    assert in_risk_order((unscored_critical, zero)) == [zero, unscored_critical]


def test_severity_decides_before_cvss_then_cvss_then_id() -> None:
    high_low_score = replace(PKCS7, epss=None, cvss=(replace(PKCS7.cvss[0], base_score=7.0),))
    medium_high_score = replace(MARVIN, epss=None, cvss=(replace(MARVIN.cvss[0], base_score=6.9),))
    assert in_risk_order((medium_high_score, high_low_score)) == [
        high_low_score,
        medium_high_score,
    ]
    a = replace(PKCS7, epss=None, id="CVE-2023-00001")
    b = replace(
        PKCS7, epss=None, id="CVE-2023-00002", cvss=(replace(PKCS7.cvss[0], base_score=7.6),)
    )
    c = replace(PKCS7, epss=None, id="CVE-2023-00003")
    assert in_risk_order((c, a, b)) == [b, a, c]


def test_no_cvss_sorts_after_any_cvss_of_the_same_severity() -> None:
    scored = replace(PKCS7, epss=None, cvss=(replace(PKCS7.cvss[0], base_score=0.1),))
    unscored = replace(PKCS7, epss=None, cvss=(), id="CVE-2000-0001")
    assert in_risk_order((unscored, scored)) == [scored, unscored]


def test_preferred_cvss_is_the_newest_version_then_the_highest_score() -> None:
    v2 = CvssScore("2.0", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, Severity.HIGH, "nvd")
    v31_low = CvssScore(
        "3.1", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, Severity.LOW, "a"
    )
    v31_high = replace(
        v31_low, vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", base_score=7.5
    )
    finding = replace(PKCS7, cvss=(v2, v31_high, v31_low))
    assert preferred_cvss(finding) == v31_high
    assert preferred_cvss(replace(PKCS7, cvss=())) is None


def test_the_key_is_a_plain_tuple_issue_7_can_prefix() -> None:
    key = risk_order_key(HTTP2)
    assert key.not_kev is False and key.epss == -0.94425 and key.cvss == -7.5
    assert (0, *key) < (1, *risk_order_key(WEBP))
