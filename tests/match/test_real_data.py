"""The matcher on real OSV records (../shared/vulndata) and real packages.

Debian:12 records are checked against `dpkg --compare-versions` (the
reference) for this machine's installed source packages, and exactly against
the CVE lists of provenance/debian-derivation.json for a status file of
known-old versions; PyPI, Go and crates.io against pinned ids read from the
records.
"""

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.os.dpkg import DpkgCataloger
from seawall.match import Matcher, match_inventory
from seawall.model.finding import Severity
from seawall.model.package import Distro, Ecosystem, Inventory, Package
from seawall.versions import key
from tests.match.support import load_zip, package, real_store, vulndata

BOOKWORM = Distro(id="debian", version_id="12", version_codename="bookworm")


def dpkg_packages(status: bytes) -> tuple[Package, ...]:
    result = DpkgCataloger().catalog(
        [CatalogFile("/var/lib/dpkg/status", status, 0)], CatalogContext(distro=BOOKWORM)
    )
    assert result.problems == ()
    return result.packages


def derivation() -> dict[str, dict[str, object]]:
    data = json.loads((vulndata() / "provenance" / "debian-derivation.json").read_text("utf-8"))
    return {entry["source"]: entry for entry in data["debian12_sources"]}


def stanza(name: str, version: str, source: str) -> str:
    return (
        f"Package: {name}\nStatus: install ok installed\nPriority: optional\n"
        f"Section: libs\nArchitecture: amd64\nSource: {source}\nVersion: {version}\n"
        f"Description: {name}\n"
    )


OLD_BOOKWORM = "\n".join(
    [
        stanza("libssl3", "3.0.11-1~deb12u2", "openssl"),
        stanza("openssl", "3.0.11-1~deb12u2", "openssl"),
        stanza("libexpat1", "2.5.0-1", "expat"),
        stanza("perl-base", "5.36.0-7+deb12u1", "perl"),
        stanza("libpython3.11-minimal", "3.11.2-6+deb12u1", "python3.11"),
        stanza("nginx", "1.22.1-9", "nginx"),
        # bookworm-security carries an older curl than 12.15: no records for it.
        stanza("libcurl4", "7.88.1-10+deb12u5", "curl"),
    ]
).encode()


def test_debian12_old_packages_match_exactly_the_security_fixes() -> None:
    packages = dpkg_packages(OLD_BOOKWORM)
    result = match_inventory(Inventory(packages), real_store("Debian:12"), key)
    assert result.problems == ()
    assert result.unmatched_packages == 0
    sources = derivation()
    by_package: dict[str, set[str]] = {}
    for finding in result.findings:
        by_package.setdefault(finding.package.name, set()).add(finding.id)
    for binary, source in [
        ("libssl3", "openssl"),
        ("openssl", "openssl"),
        ("libexpat1", "expat"),
        ("perl-base", "perl"),
        ("libpython3.11-minimal", "python3.11"),
        ("nginx", "nginx"),
    ]:
        expected = set(sources[source]["cves"])  # type: ignore[call-overload]
        assert expected, source
        assert by_package[binary] == expected, binary
    assert "libcurl4" not in by_package
    (ssl,) = [f for f in result.findings if f.package.name == "libssl3"][:1]
    security = sources["openssl"]["security"]
    assert ssl.fixed_versions == (security,)
    assert ssl.aliases == (ssl.id, f"DEBIAN-{ssl.id}")
    assert ssl.reasons[0].package == "openssl"
    assert ssl.reasons[0].decision == (
        f"3.0.11-1~deb12u2 < fixed {security} (Debian:12 comparator)"
    )
    assert ssl.layer == 0
    # CVE-2023-44487 (HTTP/2 rapid reset) is in CISA's KEV catalogue.
    rapid_reset = [f for f in result.findings if f.id == "CVE-2023-44487"]
    assert [f.package.name for f in rapid_reset] == ["nginx"]
    assert rapid_reset[0].kev is not None
    assert rapid_reset[0].kev.date_added == "2023-10-10"


STATUS = Path("/var/lib/dpkg/status")


def test_debian12_records_agree_with_dpkg_on_this_machine() -> None:
    if not STATUS.is_file() or shutil.which("dpkg") is None:
        pytest.skip("no dpkg database on this machine")
    packages = dpkg_packages(STATUS.read_bytes())
    if not any(p.ecosystem_release == "12" for p in packages):
        pytest.skip("not a Debian 12 dpkg database")
    records = load_zip("Debian:12")
    fixed_by_source: dict[str, dict[str, str]] = {}
    for advisory in records:
        for entry in advisory.affected:
            fix = [e.version for r in entry.ranges for e in r.events if e.kind.value == "fixed"]
            fixed_by_source.setdefault(entry.name, {})[advisory.aliases[0]] = fix[0]
    verdicts: dict[tuple[str, str], bool] = {}

    def older(installed: str, fixed: str) -> bool:
        if (installed, fixed) not in verdicts:
            run = subprocess.run(
                ["dpkg", "--compare-versions", installed, "lt", fixed], check=False
            )
            verdicts[(installed, fixed)] = run.returncode == 0
        return verdicts[(installed, fixed)]

    result = match_inventory(Inventory(packages), real_store("Debian:12"), key)
    found: dict[tuple[str, str], set[str]] = {}
    for finding in result.findings:
        found.setdefault((finding.package.name, finding.package.version), set()).add(finding.id)
    checked = 0
    for pkg in packages:
        source = pkg.source_name or pkg.name
        version = pkg.source_version or pkg.version
        expected = {
            cve for cve, fixed in fixed_by_source.get(source, {}).items() if older(version, fixed)
        }
        assert found.get((pkg.name, pkg.version), set()) == expected, (pkg.name, source, version)
        checked += bool(fixed_by_source.get(source))
    assert checked > 0


def test_pypi_real_records_exact_ids() -> None:
    store = real_store("PyPI")
    cases = {
        ("requests", "2.19.0"): {
            "CVE-2018-18074": ("GHSA-x84v-xcm2-53pg", "PYSEC-2018-28"),
            "CVE-2023-32681": ("GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"),
        },
        ("urllib3", "1.24.1"): {
            "CVE-2018-25091": ("PYSEC-2023-207",),
            "CVE-2019-11236": ("GHSA-r64q-w8jr-g9qp", "PYSEC-2019-132"),
            "CVE-2019-11324": ("GHSA-mh33-7rrq-662w", "PYSEC-2019-133"),
            "CVE-2020-26137": ("GHSA-wqvq-5m8c-6g24", "PYSEC-2020-148"),
            "CVE-2021-33503": ("GHSA-q2q7-5pp4-w6pg", "PYSEC-2021-108"),
            "CVE-2023-43804": ("GHSA-v845-jxx5-vc9f", "PYSEC-2023-192"),
            "CVE-2023-45803": ("GHSA-g4mx-q9vg-27p4", "PYSEC-2023-212"),
        },
        ("requests", "2.32.3"): {},
    }
    for (name, version), expected in cases.items():
        result = match_inventory(Inventory((package(Ecosystem.PYPI, name, version),)), store, key)
        assert {f.id: f.aliases[1:] for f in result.findings} == expected, name


def test_a_package_debian_installed_is_left_to_debian_advisories() -> None:
    store = real_store("PyPI", "Debian:12")
    pip_copy = package(Ecosystem.PYPI, "requests", "2.19.0", path="/usr/local/lib/python3.11")
    debian_copy = replace(
        package(Ecosystem.PYPI, "requests", "2.19.0", path="/usr/lib/python3/dist-packages"),
        owner="pkg:deb/debian/python3-requests@2.19.0-1?arch=all&distro=debian-12",
    )
    owner = package(
        Ecosystem.DEBIAN,
        "python3-requests",
        "2.19.0-1",
        release="12",
        source_name="requests",
        source_version="2.19.0-1",
    )
    result = match_inventory(Inventory((pip_copy, debian_copy, owner)), store, key)
    assert result.owned_skipped == 1
    pypi = {f.id for f in result.findings if f.package is pip_copy}
    assert {"CVE-2018-18074", "CVE-2023-32681"} <= pypi  # the pip-installed copy is PyPI's
    assert not [f for f in result.findings if f.package is debian_copy]
    # The owner is matched against Debian:12 (whose records here are DSAs, none for requests).
    assert result.unmatched_packages == 0


def test_pypi_names_as_installed_and_fixes_above_the_version() -> None:
    store = real_store("PyPI")
    result = match_inventory(Inventory((package(Ecosystem.PYPI, "Django", "3.2.0"),)), store, key)
    by_id = {f.id: f for f in result.findings}
    finding = by_id["CVE-2021-31542"]
    assert finding.fixed_versions == ("3.2.1",)  # 2.2.21 and 3.1.9 are below 3.2.0
    assert finding.reasons[0].range.startswith("ECOSYSTEM: introduced 2.2, fixed 2.2.21")
    assert finding.reasons[0].decision == (
        "3.2.0 >= introduced 3.2 and 3.2.0 < fixed 3.2.1 (PyPI comparator)"
    )
    assert result.git_ranges_skipped > 0  # PYSEC records carry GIT ranges too


def test_go_modules_with_or_without_v_and_stdlib_with_kev() -> None:
    store = real_store("Go")
    matcher = Matcher(store, key)

    def ids(name: str, version: str) -> list[str]:
        inventory = Inventory((package(Ecosystem.GO, name, version),))
        return [f.id for f in matcher.match(inventory).findings]

    with_v = ids("golang.org/x/net", "v0.7.0")
    assert "CVE-2023-39325" in with_v  # GO-2023-2102, HTTP/2 rapid reset
    assert ids("golang.org/x/net", "0.7.0") == with_v
    assert ids("golang.org/x/net", "v0.0.0-20220906165146-f3363e06e74c") != []
    assert "CVE-2023-39325" not in ids("golang.org/x/net", "v0.17.0")
    stdlib = matcher.match(Inventory((package(Ecosystem.GO, "stdlib", "v1.12.0"),))).findings
    crypt32 = next(f for f in stdlib if f.id == "CVE-2020-0601")
    assert crypt32.aliases == ("CVE-2020-0601", "GO-2022-0535")
    assert crypt32.kev is not None and crypt32.kev.cve == "CVE-2020-0601"
    assert crypt32.fixed_versions == ("1.12.16", "1.13.7")
    # A record aliasing two CVEs makes one finding with both ids.
    http2 = next(f for f in stdlib if "GO-2022-0536" in f.aliases)
    assert {"CVE-2019-9512", "CVE-2019-9514"} <= set(http2.aliases)
    assert http2.id == "CVE-2019-9512"
    assert all(f.kev is None for f in stdlib if f is not crypt32)


def test_a_go_main_module_built_from_a_checkout_is_left_unmatched_quietly() -> None:
    store = real_store("Go")
    # A module the records name, so a version would have had findings to give.
    devel = package(Ecosystem.GO, "golang.org/x/net", "(devel)")
    unversioned = package(Ecosystem.GO, "golang.org/x/net", "")
    bad = package(Ecosystem.GO, "golang.org/x/net", "v1.2.x")
    quiet = match_inventory(Inventory((devel, unversioned)), store, key)
    assert (quiet.findings, quiet.problems, quiet.unmatched_packages) == ((), (), 2)
    # A version that is there but wrong is still a problem.
    loud = match_inventory(Inventory((devel, bad)), store, key)
    assert loud.unmatched_packages == 2
    assert [p for p in loud.problems if "v1.2.x" in p] != []
    assert not any("(devel)" in p for p in loud.problems)


def test_crates_io_with_cvss_from_rustsec() -> None:
    store = real_store("crates.io")
    result = match_inventory(
        Inventory((package(Ecosystem.CRATES_IO, "smallvec", "1.6.0"),)), store, key
    )
    (finding,) = result.findings
    assert finding.aliases == ("CVE-2021-25900", "GHSA-43w2-9j62-hq99", "RUSTSEC-2021-0003")
    assert finding.fixed_versions == ("1.6.1",)
    assert finding.severity is Severity.CRITICAL
    assert finding.cvss[0].base_score == 9.8
    assert finding.summary == "Buffer overflow in SmallVec::insert_many"
    fixed = Inventory((package(Ecosystem.CRATES_IO, "smallvec", "1.6.1"),))
    assert match_inventory(fixed, store, key).findings == ()


@pytest.mark.slow
def test_every_real_event_version_matches_without_problems() -> None:
    # Every event version of every record, installed: never a crash, and a
    # version equal to a `fixed` event is never reported by the range that fixed it.
    for folder, ecosystem, release in [
        ("PyPI", Ecosystem.PYPI, None),
        ("Go", Ecosystem.GO, None),
        ("crates.io", Ecosystem.CRATES_IO, None),
        ("Debian:11", Ecosystem.DEBIAN, "11"),
    ]:
        wanted = f"Debian:{release}" if release else folder
        packages = {
            (entry.name, event.version): package(
                ecosystem, entry.name, event.version, release=release, source_name=entry.name
            )
            for advisory in load_zip(folder)
            for entry in advisory.affected
            if entry.ecosystem == wanted
            for affected_range in entry.ranges
            if affected_range.type.value != "GIT"
            for event in affected_range.events
            if event.version != "0"
        }
        result = match_inventory(Inventory(tuple(packages.values())), real_store(folder), key)
        # Only event versions the ecosystem itself rejects (PyPI's `2019-09-12`)
        # leave their package unmatched, each with its reason.
        assert all("not matched: invalid" in problem for problem in result.problems), folder
        assert result.unmatched_packages == len(result.problems) <= 5, folder
        assert result.findings, folder
        for finding in result.findings:
            for reason in finding.reasons:
                if reason.range.startswith("versions list"):
                    continue
                written = reason.range + ","
                version = finding.package.version
                # The same version may be fixed on one branch and introduced on another.
                if f"introduced {version}," not in written:
                    assert f"fixed {version}," not in written, reason


def test_vulndata_is_where_the_tests_look() -> None:
    assert (vulndata() / "Debian:12" / "all.zip").is_file()
