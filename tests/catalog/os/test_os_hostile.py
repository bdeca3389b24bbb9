"""Hostile package databases the catalogers' mutation fuzzer and its follow-up probes
found crashing them or echoing unbounded text: each is now a bounded recorded problem.

A package name of only slashes (`Package: /`, `P:/`, an rpm NAME tag `/`) is
accepted by the database formats but spells no package URL (the purl spec strips
a name's slashes, leaving nothing): the package is skipped with a problem naming
the file, and its neighbours are still reported.
"""

from os_rpmdb_builders import package_header, sqlite_bytes

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.apk import ApkCataloger
from seawall.catalog.os.dpkg import DpkgCataloger
from seawall.catalog.os.rpm import RpmCataloger
from seawall.model.package import Distro

DEBIAN = Distro(id="debian", version_id="12", version_codename="bookworm")
ALPINE = Distro(id="alpine", version_id="3.20.3")
RHEL = Distro(id="rhel", version_id="9.4", id_like=("fedora",))
NO_PURL = "has no valid package URL; skipped"


def stanza(name: str, status: str = "install ok installed") -> str:
    return (
        f"Package: {name}\nStatus: {status}\nPriority: optional\nArchitecture: amd64\n"
        "Version: 1.2-1\nDescription: test\n\n"
    )


def test_dpkg_package_named_slash_is_a_problem() -> None:
    status = (stanza("/") + stanza("zlib1g")).encode()
    result = DpkgCataloger().catalog(
        [CatalogFile("/var/lib/dpkg/status", status)], CatalogContext(distro=DEBIAN)
    )
    assert [p.purl for p in result.packages] == [
        "pkg:deb/debian/zlib1g@1.2-1?arch=amd64&distro=debian-12"
    ]
    assert result.problems == (
        f"/var/lib/dpkg/status: stanza at line 1: package 'debian//' version '1.2-1' {NO_PURL}",
    )


def test_dpkg_problem_quoting_huge_fields_stays_short() -> None:
    # A 600 kB Status line was echoed whole into the problem.
    name, status = "n" * 100_000, "install " + "A" * 600_000 + " ok installed"
    result = DpkgCataloger().catalog(
        [CatalogFile("/var/lib/dpkg/status", stanza(name, status).encode())],
        CatalogContext(distro=DEBIAN),
    )
    assert result.packages == ()
    (problem,) = result.problems
    assert "has a malformed Status 'install AAAA" in problem
    assert len(problem) < 400


def test_apk_package_named_slash_is_a_problem() -> None:
    database = b"P:/\nV:1.0-r0\nA:x86_64\n\nP:zlib\nV:1.3.1-r1\nA:x86_64\n\n"
    result = ApkCataloger().catalog(
        [CatalogFile("/lib/apk/db/installed", database)], CatalogContext(distro=ALPINE)
    )
    assert [p.name for p in result.packages] == ["zlib"]
    assert result.problems == (
        f"/lib/apk/db/installed: package at line 1: package 'alpine//' version '1.0-r0' {NO_PURL}",
    )


def test_rpm_header_named_slash_is_a_problem() -> None:
    rows = [(1, package_header("/", "1.0", "1")), (2, package_header("zlib", "1.2.13", "3"))]
    path = "/var/lib/rpm/rpmdb.sqlite"
    result: CatalogResult = RpmCataloger().catalog(
        [CatalogFile(path, sqlite_bytes(rows))], CatalogContext(distro=RHEL)
    )
    assert [p.name for p in result.packages] == ["zlib"]
    assert result.problems == (f"{path}: package 'redhat//' version '1.0-1' {NO_PURL}",)
