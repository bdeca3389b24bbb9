"""One finding per vulnerability and package: aliases, bundles, text, KEV/EPSS, fingerprints."""

import hashlib
import json
import random
from typing import Any

from seawall.match import match_inventory
from seawall.model.advisory import EpssScore, KevEntry
from seawall.model.finding import Severity
from seawall.model.package import Ecosystem, Inventory, Package
from seawall.versions import key
from tests.match.support import MemoryStore, package, record


def rec(
    record_id: str,
    aliases: list[str] | None = None,
    *,
    ecosystem: str = "PyPI",
    name: str = "demo",
    fixed: str = "2.0",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": record_id,
        "aliases": aliases or [],
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        **extra,
    }


DEMO = package(Ecosystem.PYPI, "demo", "1.0")


def findings(records: list[dict[str, Any]], *packages: Package, **store: Any) -> Any:
    memory = MemoryStore([record(r) for r in records], **store)
    return match_inventory(Inventory(packages or (DEMO,)), memory, key).findings


def test_aliases_merge_into_one_finding_with_every_id() -> None:
    result = findings(
        [
            rec("PYSEC-2021-1", ["CVE-2021-1000", "GHSA-aaaa-bbbb-cccc"]),
            rec("GHSA-aaaa-bbbb-cccc", ["CVE-2021-1000"], fixed="1.5"),
            rec("PYSEC-2021-2", ["CVE-2021-2000"]),
        ]
    )
    assert [f.id for f in result] == ["CVE-2021-1000", "CVE-2021-2000"]
    first = result[0]
    assert first.aliases == ("CVE-2021-1000", "GHSA-aaaa-bbbb-cccc", "PYSEC-2021-1")
    assert [r.record for r in first.reasons] == ["GHSA-aaaa-bbbb-cccc", "PYSEC-2021-1"]
    assert first.fixed_versions == ("1.5", "2.0")
    assert result[1].aliases == ("CVE-2021-2000", "PYSEC-2021-2")


def test_aliases_are_transitive() -> None:
    result = findings([rec("A-1", ["B-1"]), rec("C-1", ["B-1"]), rec("D-1", ["C-1"])])
    (finding,) = result
    assert set(finding.aliases) == {"A-1", "B-1", "C-1", "D-1"}


def test_lowest_cve_is_preferred_and_most_informative_record_gives_the_text() -> None:
    result = findings(
        [
            rec("GO-2024-1", ["CVE-2024-20000", "CVE-2024-3000"], details="short"),
            rec(
                "GHSA-zzzz-zzzz-zzzz",
                ["CVE-2024-3000"],
                summary="Heap overflow in demo",
                severity=[
                    {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
                ],
                references=[{"type": "WEB", "url": "https://example.org/ghsa"}],
            ),
        ]
    )
    (finding,) = result
    assert finding.id == "CVE-2024-3000"  # numerically lowest, not textually
    assert finding.summary == "Heap overflow in demo"
    assert finding.severity is Severity.CRITICAL
    assert finding.references == ("https://example.org/ghsa",)


def test_without_cve_the_most_informative_record_id_is_preferred() -> None:
    (finding,) = findings(
        [rec("PYSEC-1", ["GHSA-1"]), rec("GHSA-1", summary="Told in words", details="x" * 10)]
    )
    assert finding.id == "GHSA-1"
    assert finding.aliases == ("GHSA-1", "PYSEC-1")


def test_summary_falls_back_to_the_first_paragraph_of_details() -> None:
    (finding,) = findings([rec("X-1", details="First line\ncontinues.\n\nSecond paragraph.")])
    assert finding.summary == "First line continues."


def deb11(name: str = "src", version: str = "1.0-1") -> Package:
    return package(Ecosystem.DEBIAN, name, version, release="11", source_name="src")


def test_related_is_not_an_alias_and_a_covered_dsa_folds_into_its_cves() -> None:
    records = [
        rec(
            "DEBIAN-CVE-2023-1001",
            ["CVE-2023-1001"],
            ecosystem="Debian:11",
            name="src",
            fixed="1.0-2",
            details="CVE-2023-1001 is fixed in 1.0-2.",
        ),
        rec(
            "DEBIAN-CVE-2023-2002",
            ["CVE-2023-2002"],
            ecosystem="Debian:11",
            name="src",
            fixed="1.0-2",
            details="CVE-2023-2002 is fixed in 1.0-2.",
        ),
        rec(
            "DSA-5000-1",
            ecosystem="Debian:11",
            name="src",
            fixed="1.0-3",
            related=["CVE-2023-1001", "CVE-2023-2002"],
            summary="src - security update",
        ),
    ]
    result = findings(records, deb11())
    assert [f.id for f in result] == ["CVE-2023-1001", "CVE-2023-2002"]
    for finding in result:
        assert finding.related == ("DSA-5000-1",)
        assert "DSA-5000-1" not in finding.aliases
        assert {r.record for r in finding.reasons} == {f"DEBIAN-{finding.id}", "DSA-5000-1"}
        assert finding.fixed_versions == ("1.0-2", "1.0-3")
        # The CVE's own text, though the DSA has a summary: it speaks of several CVEs.
        assert finding.summary == f"{finding.id} is fixed in 1.0-2."


def test_a_dsa_with_uncovered_cves_stays_a_finding() -> None:
    records = [
        rec(
            "DEBIAN-CVE-2023-1001",
            ["CVE-2023-1001"],
            ecosystem="Debian:11",
            name="src",
            fixed="1.0-2",
        ),
        rec(
            "DSA-5000-1",
            ecosystem="Debian:11",
            name="src",
            related=["CVE-2023-1001", "CVE-2023-2002"],
        ),
    ]
    kev = [KevEntry("CVE-2023-2002", vendor="v")]
    result = findings(records, deb11(), kev=kev)
    assert [f.id for f in result] == ["CVE-2023-1001", "DSA-5000-1"]
    cve, dsa = result
    assert cve.related == ("DSA-5000-1",)
    assert dsa.aliases == ("DSA-5000-1",)
    assert dsa.related == ("CVE-2023-1001", "CVE-2023-2002")
    # The DSA's fix covers CVE-2023-2002, which is exploited: the DSA says so.
    assert dsa.kev is not None and dsa.kev.cve == "CVE-2023-2002"
    assert cve.kev is None


def test_kev_and_epss_are_looked_up_by_every_cve_of_the_finding() -> None:
    kev = [KevEntry("CVE-2021-44228", vendor="Apache", product="Log4j2")]
    epss = [EpssScore("CVE-2021-44228", 0.9, 0.99), EpssScore("CVE-2021-45046", 0.97, 0.999)]
    (finding,) = findings(
        [rec("GHSA-jfh8", ["CVE-2021-44228"]), rec("X-9", ["CVE-2021-45046", "GHSA-jfh8"])],
        kev=kev,
        epss=epss,
    )
    assert finding.kev == kev[0]
    assert finding.epss == epss[1]  # the highest score


def expected_fingerprint(vuln: str, pkg: Package) -> str:
    fields = ["vulnerability", vuln, pkg.osv_ecosystem, pkg.name, pkg.version, "/app"]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def test_fingerprint_is_what_the_finding_is_never_when() -> None:
    first = findings([rec("PYSEC-1", ["CVE-2020-1001"])])[0]
    assert first.fingerprint == expected_fingerprint("CVE-2020-1001", DEMO)
    # More, unrelated data and a different record text change nothing.
    again = findings(
        [rec("PYSEC-1", ["CVE-2020-1001"], summary="new text"), rec("Z-1", name="other")]
    )
    assert again[0].fingerprint == first.fingerprint
    newer = package(Ecosystem.PYPI, "demo", "1.1")
    assert findings([rec("PYSEC-1", ["CVE-2020-1001"])], newer)[0].fingerprint != first.fingerprint


def test_order_is_deterministic() -> None:
    records = [rec(f"PYSEC-{i}", [f"CVE-2020-{1000 + i}"], name=n) for i, n in
               enumerate(["demo", "other", "third"] * 3)]  # fmt: skip
    packages = [
        package(Ecosystem.PYPI, n, "1.0", path=f"/p/{n}") for n in ("demo", "other", "third")
    ]
    baseline = [(f.package.name, f.id) for f in findings(records, *packages)]
    shuffler = random.Random(7)
    for _ in range(5):
        shuffler.shuffle(records)
        shuffler.shuffle(packages)
        assert [(f.package.name, f.id) for f in findings(records, *packages)] == baseline
    assert len(baseline) == 9
