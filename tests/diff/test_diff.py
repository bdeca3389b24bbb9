"""diff(old, new): findings by fingerprint, packages by identity, grouped by layer."""

from dataclasses import replace

from seawall.diff import diff
from seawall.model.diff import PackageChangeKind
from seawall.model.policy import FindingKind
from tests.policy.scanfixture import AWS_KEY, CONTINUATION, RESULT
from tests.report.scan.scanresult import (
    HTTP2,
    LIBWEBP7,
    NGINX,
    PROXY_AUTH,
    REDIRECT_BODY,
    URLLIB3,
    WEBP,
)


def test_introduced_fixed_unchanged_and_packages() -> None:
    old = replace(
        RESULT,
        vulnerabilities=tuple(v for v in RESULT.vulnerabilities if v is not CONTINUATION),
        inventory=replace(
            RESULT.inventory,
            packages=tuple(p for p in RESULT.inventory.packages if p.name != "stdlib"),
        ),
    )
    new_urllib3 = replace(URLLIB3, version="1.26.19", purl="pkg:pypi/urllib3@1.26.19")
    new = replace(
        RESULT,
        vulnerabilities=tuple(
            v for v in RESULT.vulnerabilities if v not in (PROXY_AUTH, REDIRECT_BODY, WEBP)
        ),
        secrets=tuple(s for s in RESULT.secrets if s is not AWS_KEY),
        inventory=replace(
            RESULT.inventory,
            packages=tuple(
                new_urllib3 if p is URLLIB3 else p
                for p in RESULT.inventory.packages
                if p is not LIBWEBP7
            ),
        ),
    )
    change = diff(old, new)
    assert [r.fingerprint for r in change.introduced] == [CONTINUATION.fingerprint]
    assert {r.fingerprint for r in change.fixed} == {
        PROXY_AUTH.fingerprint,
        REDIRECT_BODY.fingerprint,
        WEBP.fingerprint,
        AWS_KEY.fingerprint,
    }
    assert change.fixed[0].kind is FindingKind.SECRET  # critical first
    assert HTTP2.fingerprint in {r.fingerprint for r in change.unchanged}
    assert not change.improved
    by_kind = {(c.kind, c.name): c for c in change.packages}
    assert by_kind[(PackageChangeKind.CHANGED, "urllib3")].old_version == "1.26.17"
    assert by_kind[(PackageChangeKind.CHANGED, "urllib3")].new_version == "1.26.19"
    assert (PackageChangeKind.REMOVED, "libwebp7") in by_kind
    assert (PackageChangeKind.ADDED, "stdlib") in by_kind
    assert (PackageChangeKind.CHANGED, NGINX.name) not in by_kind
    layers = {(g.side, g.index): g for g in change.layers}
    assert layers[("new", 3)].introduced == (CONTINUATION.fingerprint,)
    assert layers[("new", 3)].packages_added == ("stdlib 1.21.5",)
    assert layers[("new", 2)].packages_changed == ("urllib3 1.26.17 → 1.26.19",)
    assert layers[("old", 1)].fixed == (WEBP.fingerprint,)
    assert layers[("old", 1)].packages_removed == ("libwebp7 1.2.4-0.2",)
    assert layers[("old", 1)].in_both  # the same layer (diff_id) is in the new image
    assert change.layers[0].side == "new"


def test_the_same_scan_changes_nothing() -> None:
    change = diff(RESULT, RESULT)
    assert change.introduced == () and change.fixed == () and change.packages == ()
    assert len(change.unchanged) == 15
    assert change.layers == ()


def test_a_pure_fix_is_an_improvement() -> None:
    new = replace(RESULT, vulnerabilities=RESULT.vulnerabilities[1:])
    change = diff(RESULT, new)
    assert change.improved
    assert change.old_subject == change.new_subject == "registry.example.com/shop/api:1.4.2"
