"""OSV range semantics on hand-written records, through the public matcher.

Each case is one record and one package version; expectations follow the OSV
schema's "Evaluation" pseudo-code and its examples.
"""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seawall.match import MatchResult, match_inventory
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from tests.match.support import MemoryStore, package, record


def ranged(events: list[dict[str, str]], kind: str = "ECOSYSTEM", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "events": events, **extra}


def osv(
    ranges: list[dict[str, Any]],
    *,
    name: str = "demo",
    ecosystem: str = "PyPI",
    versions: list[str] | None = None,
    record_id: str = "TEST-1",
    **extra: Any,
) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if ranges:
        affected["ranges"] = ranges
    if versions is not None:
        affected["versions"] = versions
    return {"id": record_id, "affected": [affected], **extra}


def run(
    data: dict[str, Any],
    version: str,
    ecosystem: Ecosystem = Ecosystem.PYPI,
    name: str = "demo",
    *,
    ignore_unfixed: bool = False,
    **kwargs: Any,
) -> MatchResult:
    store = MemoryStore([record(data)])
    inventory = Inventory((package(ecosystem, name, version, **kwargs),))
    return match_inventory(inventory, store, key, ignore_unfixed=ignore_unfixed)


def affected(data: dict[str, Any], version: str, **kwargs: Any) -> bool:
    return bool(run(data, version, **kwargs).findings)


FIXED = osv([ranged([{"introduced": "1.0"}, {"fixed": "2.0"}])])


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.9", False), ("1.0", True), ("1.0.0", True), ("1.5", True), ("2.0", False), ("2.1", False)],
)
def test_introduced_and_fixed(version: str, expected: bool) -> None:
    assert affected(FIXED, version) is expected


def test_introduced_zero_is_below_every_version() -> None:
    data = osv([ranged([{"introduced": "0"}, {"fixed": "1.0"}])])
    assert affected(data, "0.0.0.dev0")
    assert affected(data, "0.9")
    assert not affected(data, "1.0")


def test_introduced_only_affects_every_later_version_and_has_no_fix() -> None:
    data = osv([ranged([{"introduced": "0"}])])
    result = run(data, "99.0")
    (finding,) = result.findings
    assert finding.fixed_versions == ()
    assert not finding.fixable
    assert "no fixed version" in finding.reasons[0].decision
    assert run(data, "99.0", ignore_unfixed=True).findings == ()


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", True), ("2.1.214", True), ("2.1.215", False)]
)
def test_last_affected_is_inclusive(version: str, expected: bool) -> None:
    # OSV schema, "`last_affected` vs `fixed` example".
    data = osv([ranged([{"introduced": "0"}, {"last_affected": "2.1.214"}])])
    assert affected(data, version) is expected


def test_last_affected_reason_and_no_fixed_version() -> None:
    data = osv([ranged([{"introduced": "0"}, {"last_affected": "2.1.214"}])])
    (finding,) = run(data, "2.1.214").findings
    assert finding.reasons[0].decision == "2.1.214 <= last_affected 2.1.214 (PyPI comparator)"
    assert finding.fixed_versions == ()


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.5", False), ("1.0.0", True), ("1.0.1", True), ("1.0.2", False), ("2.9", False),
     ("3.0.0", True), ("3.2.4", True), ("3.2.5", False)],
)  # fmt: skip
def test_several_introduced_fixed_pairs_in_one_range(version: str, expected: bool) -> None:
    # OSV schema, "Multiple range example".
    data = osv(
        [
            ranged(
                [{"introduced": "1.0.0"}, {"fixed": "1.0.2"}, {"introduced": "3.0.0"},
                 {"fixed": "3.2.5"}],
                "SEMVER",
            )
        ],
        ecosystem="crates.io",
    )  # fmt: skip
    assert affected(data, version, ecosystem=Ecosystem.CRATES_IO) is expected


def test_unsorted_events_are_sorted_by_version_first() -> None:
    # The same range written out of order means the same thing.
    data = osv(
        [ranged([{"fixed": "3.2.5"}, {"introduced": "3.0.0"}, {"fixed": "1.0.2"},
                 {"introduced": "1.0.0"}])]
    )  # fmt: skip
    assert affected(data, "1.0.1")
    assert not affected(data, "2.0")
    assert affected(data, "3.1")
    assert not affected(data, "3.2.5")


def test_several_ranges_are_or_ed() -> None:
    data = osv(
        [
            ranged([{"introduced": "1.0"}, {"fixed": "1.5"}]),
            ranged([{"introduced": "2.0"}, {"fixed": "2.5"}]),
        ]
    )
    assert affected(data, "1.2")
    assert not affected(data, "1.7")
    (finding,) = run(data, "2.2").findings
    assert finding.reasons[0].range == "ECOSYSTEM: introduced 2.0, fixed 2.5"
    assert finding.fixed_versions == ("2.5",)
    # Fixes above the installed version from every range are offered.
    (finding,) = run(data, "1.2").findings
    assert finding.fixed_versions == ("1.5", "2.5")


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", True), ("1.9", True), ("2.0", False), ("5.0", False)]
)
def test_limit_bounds_the_range(version: str, expected: bool) -> None:
    data = osv([ranged([{"introduced": "1.0"}, {"limit": "2.0"}])])
    assert affected(data, version) is expected


def test_limit_star_is_infinity_and_several_limits_are_any_of() -> None:
    assert affected(osv([ranged([{"introduced": "1.0"}, {"limit": "*"}])]), "1000")
    data = osv([ranged([{"introduced": "1.0"}, {"limit": "1.5"}, {"limit": "3.0"}])])
    assert affected(data, "2.0")
    assert not affected(data, "3.0")


def test_versions_list_matches_by_ecosystem_equality() -> None:
    data = osv([], versions=["1.0.0", "1.1", "2.0rc1"])
    assert affected(data, "1.0")  # PEP 440: 1.0 == 1.0.0
    assert affected(data, "2.0.0rc1")
    assert not affected(data, "1.0.1")
    (finding,) = run(data, "1.1").findings
    assert finding.reasons[0].range == "versions list (3 versions)"
    assert finding.reasons[0].decision == "1.1 == listed 1.1 (PyPI comparator)"


def test_versions_list_or_ranges() -> None:
    data = osv([ranged([{"introduced": "1.0"}, {"fixed": "1.2"}])], versions=["5.0"])
    assert affected(data, "1.1")
    assert affected(data, "5.0")
    assert not affected(data, "3.0")


def test_invalid_listed_versions_are_left_out() -> None:
    data = osv([], versions=["2.0.0-final", "1.0"])
    result = run(data, "1.0")
    assert len(result.findings) == 1
    assert result.problems == ()
    assert run(data, "2.0.0-final").unmatched_packages == 1


def test_git_ranges_are_skipped_and_counted() -> None:
    commit = "a" * 40
    data = osv(
        [ranged([{"introduced": commit}, {"fixed": "b" * 40}], "GIT", repo="https://x/y")],
    )
    result = run(data, "1.0")
    assert result.findings == ()
    assert result.git_ranges_skipped == 1
    # The versions list still decides, as OSV's PyPI records rely on.
    data["affected"][0]["versions"] = ["1.0"]
    assert run(data, "1.0").findings


def test_withdrawn_records_never_match() -> None:
    data = osv([ranged([{"introduced": "0"}])], withdrawn="2024-02-01T00:00:00Z")
    assert not affected(data, "1.0")


def test_semver_range_with_go_versions_with_and_without_v() -> None:
    data = osv(
        [ranged([{"introduced": "0"}, {"fixed": "1.2.3"}], "SEMVER")],
        ecosystem="Go",
        name="example.com/mod",
    )
    for version in ("v1.2.2", "1.2.2", "v1.2.3-rc.1", "v0.0.0-20200101000000-abcdefabcdef"):
        assert affected(data, version, ecosystem=Ecosystem.GO, name="example.com/mod"), version
    for version in ("v1.2.3", "1.2.3", "v1.2.3+incompatible", "v2.0.0"):
        assert not affected(data, version, ecosystem=Ecosystem.GO, name="example.com/mod"), version
    (finding,) = run(data, "v1.2.2", ecosystem=Ecosystem.GO, name="example.com/mod").findings
    assert finding.reasons[0].decision == (
        "v1.2.2 < fixed 1.2.3 (SemVer precedence, Go comparator)"
    )


def test_semver_prerelease_precedence() -> None:
    data = osv(
        [ranged([{"introduced": "1.0.0-alpha"}, {"fixed": "1.0.0-beta.2"}], "SEMVER")],
        ecosystem="crates.io",
    )
    for version, expected in [
        ("0.9.9", False), ("1.0.0-alpha", True), ("1.0.0-alpha.1", True),
        ("1.0.0-beta", True), ("1.0.0-beta.11", False), ("1.0.0", False),
    ]:  # fmt: skip
        assert affected(data, version, ecosystem=Ecosystem.CRATES_IO) is expected, version


def test_ecosystem_range_uses_the_ecosystem_order_not_text() -> None:
    # dpkg: ~ sorts before anything, so 1.0~rc1 < 1.0; epochs dominate.
    data = osv(
        [ranged([{"introduced": "0"}, {"fixed": "1:1.0-1"}])],
        ecosystem="Debian:12",
        name="src",
    )
    deb: dict[str, Any] = {"ecosystem": Ecosystem.DEBIAN, "name": "src", "release": "12"}
    assert affected(data, "9.9-1", **deb)  # no epoch = epoch 0
    assert affected(data, "1:1.0~rc1-1", **deb)
    assert not affected(data, "1:1.0-1", **deb)
    assert not affected(data, "2:0.1-1", **deb)


def test_invalid_event_version_skips_that_range_with_a_problem() -> None:
    data = osv(
        [
            ranged([{"introduced": "0"}, {"fixed": "not*a@version"}]),
            ranged([{"introduced": "2.0"}, {"fixed": "3.0"}]),
        ]
    )
    result = run(data, "2.5")
    assert len(result.findings) == 1
    assert result.findings[0].reasons[0].range == "ECOSYSTEM: introduced 2.0, fixed 3.0"
    assert any("not*a@version" in problem for problem in result.problems)
    assert run(data, "1.0").findings == ()


def test_invalid_installed_version_is_unmatched_with_a_reason() -> None:
    result = run(FIXED, "not a version")
    assert result.findings == ()
    assert result.unmatched_packages == 1
    assert any("not a version" in problem for problem in result.problems)


def test_packages_without_comparator_or_release_are_unmatched() -> None:
    store = MemoryStore([record(FIXED)])
    packages = (
        package(Ecosystem.CONDA, "demo", "1.0"),
        package(Ecosystem.CONDA, "other", "1.0"),
        package(Ecosystem.DEBIAN, "bash", "5.2-1"),  # no release: distro unknown
    )
    result = match_inventory(Inventory(packages), store, key)
    assert result.unmatched_packages == 3
    assert len(result.problems) == 2  # one per cause, not one per package


def test_other_packages_of_the_same_record_do_not_match() -> None:
    data = osv([ranged([{"introduced": "0"}])], name="demo")
    data["affected"].append(
        {"package": {"ecosystem": "PyPI", "name": "demo-extra"}, "ranges": [ranged([])]}
    )
    data["affected"][1]["ranges"][0]["events"] = [{"introduced": "0"}, {"fixed": "1.0"}]
    (finding,) = run(data, "5.0").findings
    assert finding.reasons[0].package == "demo"
    assert run(data, "5.0", name="Demo_Extra").findings == ()  # 5.0 >= fixed 1.0


def test_pypi_names_match_under_pep_503() -> None:
    assert affected(osv([ranged([{"introduced": "0"}])], name="Zope.Interface"), "1.0",
                    name="zope-interface")  # fmt: skip


def test_debian_unfixed_status_is_no_fix_yet() -> None:
    # The DSA/DLA records here: `<unfixed>` / `<end-of-life>` lines have no fix.
    data = osv(
        [ranged([{"introduced": "0"}])],
        ecosystem="Debian:9",
        name="src",
        record_id="DLA-1-1",
    )
    data["affected"][0]["database_specific"] = {"status": "<end-of-life>"}
    (finding,) = run(
        data, "1.0-1", ecosystem=Ecosystem.DEBIAN, name="bin", source_name="src", release="9"
    ).findings
    assert finding.fixed_versions == ()
    assert "Debian security tracker status <end-of-life>" in finding.reasons[0].decision


def test_distro_match_uses_the_source_package_and_version() -> None:
    data = osv(
        [ranged([{"introduced": "0"}, {"fixed": "3.0.15-1~deb12u1"}])],
        ecosystem="Debian:12",
        name="openssl",
        record_id="DEBIAN-CVE-2024-0001",
        aliases=["CVE-2024-0001"],
    )
    deb: dict[str, Any] = {"ecosystem": Ecosystem.DEBIAN, "release": "12"}
    # A binNMU's binary version (+b1) is above the fix, its source version below.
    (finding,) = run(
        data, "3.0.15-1~deb12u1+b1", name="libssl3", source_name="openssl",
        source_version="3.0.11-1~deb12u2", **deb,
    ).findings  # fmt: skip
    assert finding.id == "CVE-2024-0001"
    assert finding.package.name == "libssl3"
    assert finding.fixed_versions == ("3.0.15-1~deb12u1",)
    reason = finding.reasons[0]
    assert (reason.record, reason.ecosystem, reason.package) == (
        "DEBIAN-CVE-2024-0001", "Debian:12", "openssl",
    )  # fmt: skip
    assert reason.range == "ECOSYSTEM: introduced 0, fixed 3.0.15-1~deb12u1"
    assert reason.decision == "3.0.11-1~deb12u2 < fixed 3.0.15-1~deb12u1 (Debian:12 comparator)"
    # Another release's records do not apply.
    assert not affected(data, "3.0.11-1", name="openssl", ecosystem=Ecosystem.DEBIAN, release="11")


def test_red_hat_release_matches_every_stream_under_it() -> None:
    data = osv(
        [ranged([{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}])],
        ecosystem="Red Hat:enterprise_linux:9::appstream",
        name="openssl",
    )
    rh: dict[str, Any] = {"ecosystem": Ecosystem.RED_HAT, "source_name": "openssl"}
    assert affected(data, "1:3.0.7-24.el9", name="openssl-libs", release="enterprise_linux:9", **rh)
    assert not affected(data, "1:3.0.7-24.el9", name="openssl", release="enterprise_linux:8", **rh)


EVENT_VERSIONS = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5)).map(lambda t: f"{t[0]}.{t[1]}"),
    min_size=1,
    max_size=6,
)


@given(introduced=EVENT_VERSIONS, fixed=EVENT_VERSIONS, order=st.randoms(use_true_random=False))
def test_a_version_equal_to_a_fixed_event_never_matches_that_range(
    introduced: list[str], fixed: list[str], order: Any
) -> None:
    # With no introduced event at the same version (which would reopen it),
    # the pseudo-code's walk ends closed at a `fixed` equal to the version.
    events = [{"introduced": v} for v in introduced] + [{"fixed": v} for v in fixed]
    order.shuffle(events)
    data = osv([ranged(events)])
    store = MemoryStore([record(data)])
    for version in fixed:
        if any(key("PyPI", version) == key("PyPI", v) for v in introduced):
            continue
        result = match_inventory(Inventory((package(Ecosystem.PYPI, "demo", version),)), store, key)
        assert result.findings == (), (events, version)
