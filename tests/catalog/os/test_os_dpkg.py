"""The dpkg cataloger: this machine's real status database, distroless status.d, edge cases."""

import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.dpkg import DpkgCataloger, copyright_licenses
from seawall.model.package import Distro, Ecosystem, Location

STATUS = "/var/lib/dpkg/status"
MD5 = b"0123456789abcdef0123456789ABCDEF"
DEBIAN_12 = Distro(id="debian", version_id="12", version_codename="bookworm")


def catalog(*files: CatalogFile, distro: Distro | None = DEBIAN_12) -> CatalogResult:
    return DpkgCataloger().catalog(files, CatalogContext(distro=distro))


@pytest.fixture(scope="module")
def real_status(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path(STATUS).is_file() or not shutil.which("dpkg-query"):
        pytest.skip("needs a Debian-family machine with dpkg")
    copy = tmp_path_factory.mktemp("dpkg") / "status"
    shutil.copyfile(STATUS, copy)
    return copy


def test_real_status_matches_dpkg_query(real_status: Path) -> None:
    reference = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f=${db:Status-Status} ${Package} ${Version} ${source:Package} ${source:Version}\\n",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    expected = sorted(
        line.split(" ", 1)[1]
        for line in reference
        if line.split(" ", 1)[0] not in ("not-installed", "config-files")
    )
    assert len(expected) > 50
    copyrights = [
        CatalogFile(str(path), path.read_bytes(), 0)
        for path in Path("/usr/share/doc").glob("*/copyright")
        if path.is_file()
    ]
    result = catalog(CatalogFile(STATUS, real_status.read_bytes(), 0), *copyrights)
    assert result.problems == ()
    got = sorted(
        f"{p.name} {p.version} {p.source_name} {p.source_version}" for p in result.packages
    )
    assert got == expected
    dpkg = next(p for p in result.packages if p.name == "dpkg")
    assert dpkg.ecosystem is Ecosystem.DEBIAN and dpkg.osv_ecosystem == "Debian:12"
    version = dpkg.version.replace("+", "%2B")
    assert dpkg.purl == f"pkg:deb/debian/dpkg@{version}?arch={dpkg.arch}&distro=debian-12"
    assert dpkg.licenses  # dpkg's copyright file is machine-readable
    assert dpkg.locations[0] == Location(STATUS, 0)
    assert dpkg.locations[1] == Location("/usr/share/doc/dpkg/copyright", 0)


STANZAS = b"""\
Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1
Description: Secure Sockets Layer toolkit
 multi-line description, with a field-like line:
 Package: not-a-package

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Source: bash (5.2.15-2)

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: gone
Status: purge ok not-installed
Architecture: amd64

Package: unpacked-only
Status: install reinstreq half-installed
Architecture: all
Version: 2:1.0-1
Source: src-name

package: lowercase-fields
status: install ok unpacked
version: 1.0
"""


def test_states_sources_and_epochs() -> None:
    result = catalog(CatalogFile(STATUS, STANZAS, 2))
    assert result.problems == ()
    got = {p.name: p for p in result.packages}
    assert set(got) == {"libssl3", "bash", "unpacked-only", "lowercase-fields"}
    assert (got["libssl3"].source_name, got["libssl3"].source_version) == (
        "openssl",
        "3.0.11-1~deb12u2",
    )
    assert got["libssl3"].version == "3.0.11-1~deb12u2+b1"
    assert got["bash"].source_version == "5.2.15-2"
    # `Source:` without a version: the binary's version, as ${source:Version} gives it.
    assert (got["unpacked-only"].source_name, got["unpacked-only"].source_version) == (
        "src-name",
        "2:1.0-1",
    )
    assert got["unpacked-only"].purl == (
        "pkg:deb/debian/unpacked-only@2:1.0-1?arch=all&distro=debian-12"
    )
    assert got["lowercase-fields"].arch is None
    assert got["libssl3"].locations == (Location(STATUS, 2),)


def test_distroless_status_d() -> None:
    base = "/var/lib/dpkg/status.d/"
    files = [
        CatalogFile(
            base + "libc6",
            b"Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n"
            b"Source: glibc\nStatus: install ok installed\n",
            1,
        ),
        CatalogFile(base + "libc6.md5sums", MD5 + b"  lib/x86_64-linux-gnu/libc.so.6\n", 1),
        # Older distroless control files carry no Status line.
        CatalogFile(base + "tzdata", b"Package: tzdata\nVersion: 2024a-0+deb12u1\n", 1),
        CatalogFile(
            "/usr/share/doc/tzdata/copyright",
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
            b"Files: *\nCopyright: none\nLicense: public-domain\n",
            1,
        ),
    ]
    cataloger = DpkgCataloger()
    assert [cataloger.wants(f.path) for f in files] == [True, True, True, True]
    result = catalog(*files)
    assert result.problems == ()
    assert result.files_read == 2  # the md5sums add owners, not packages
    got = {p.name: p for p in result.packages}
    assert set(got) == {"libc6", "tzdata"}
    assert (got["libc6"].source_name, got["libc6"].source_version) == ("glibc", "2.36-9+deb12u4")
    assert got["tzdata"].licenses == ("public-domain",)
    assert got["tzdata"].locations == (
        Location(base + "tzdata", 1),
        Location("/usr/share/doc/tzdata/copyright", 1),
    )
    assert result.owned == (("/lib/x86_64-linux-gnu/libc.so.6", got["libc6"].purl),)


def test_copyright_comes_from_lookup_when_not_among_the_files() -> None:
    copyright_file = CatalogFile(
        "/usr/share/doc/bash/copyright",
        b"This is Debian's bash.\nSee /usr/share/common-licenses/GPL-3.\n",
        4,
    )
    context = CatalogContext(
        distro=DEBIAN_12,
        lookup=lambda path: copyright_file if path == copyright_file.path else None,
    )
    status = b"Package: bash\nStatus: install ok installed\nVersion: 5.2\n"
    result = DpkgCataloger().catalog([CatalogFile(STATUS, status)], context)
    assert result.packages[0].licenses == ("GPL-3",)


def test_dep5_licences_split_on_operators() -> None:
    text = (
        b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        b"Upstream-Name: demo\n\n"
        b"Files: *\nCopyright: 2020 A\nLicense: GPL-2+ or Artistic\n\n"
        b"Files: lib/*\nCopyright: 2021 B\nLicense: BSD-3-clause and MIT,\n\n"
        b"License: GPL-2+\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n"
    )
    assert copyright_licenses(text) == ("GPL-2+", "Artistic", "BSD-3-clause", "MIT")
    assert copyright_licenses(b"") == ()


def test_malformed_stanzas_are_problems() -> None:
    status = (
        b"Package: ok\nStatus: install ok installed\nVersion: 1\n\n"
        b"Status: install ok installed\nVersion: 1\n\n"
        b"Package: noversion\nStatus: install ok installed\n\n"
        b"Package: nostatus\nVersion: 1\n\n"
        b"Package: badstatus\nStatus: installed\nVersion: 1\n\n"
        b"Package: badsource\nStatus: install ok installed\nVersion: 1\nSource: a (b\n\n"
        b"this line is garbage\n \xff\xfe continuation without a field\n"
    )
    result = catalog(CatalogFile(STATUS, status))
    assert {p.name for p in result.packages} == {"ok", "badsource"}
    assert result.problems == (
        f"{STATUS}: stanza at line 5 has no Package field; skipped",
        f"{STATUS}: stanza at line 8 (noversion) has no Version field; skipped",
        f"{STATUS}: stanza at line 11 (nostatus) has no Status field; skipped",
        f"{STATUS}: stanza at line 14 (badstatus) has a malformed Status 'installed'; skipped",
        f"{STATUS}: stanza at line 18 (badsource) has a malformed Source 'a (b'",
        f"{STATUS}: 2 line(s) are neither a field nor a continuation (first at line 23); ignored",
    )


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02" * 1000, bytes(range(256)) * 64, b"\n\n\n \n"],
    ids=["nul", "all-bytes", "blank"],
)
def test_binary_garbage_never_raises(content: bytes) -> None:
    result = catalog(CatalogFile(STATUS, content))
    assert result.packages == ()
    assert all(problem.startswith(STATUS) for problem in result.problems)


def test_empty_status_is_an_empty_database() -> None:
    assert catalog(CatalogFile(STATUS, b"")) == CatalogResult(files_read=1)


def test_problems_per_file_are_capped() -> None:
    status = b"".join(b"Package: p%d\nStatus: install ok installed\n\n" % i for i in range(500))
    result = catalog(CatalogFile(STATUS, status))
    assert len(result.problems) == 21
    assert result.problems[-1] == f"{STATUS}: 480 more problem(s) not listed"


def test_ubuntu_and_unknown_distros() -> None:
    status = (
        b"Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.11\nArchitecture: amd64\n"
    )
    ubuntu = Distro(id="ubuntu", version_id="22.04", version="22.04.4 LTS (Jammy Jellyfish)")
    package = catalog(CatalogFile(STATUS, status), distro=ubuntu).packages[0]
    assert package.osv_ecosystem == "Ubuntu:22.04:LTS"
    assert package.purl == "pkg:deb/ubuntu/zlib1g@1:1.2.11?arch=amd64&distro=ubuntu-22.04"
    package = catalog(CatalogFile(STATUS, status), distro=None).packages[0]
    assert package.osv_ecosystem == "Debian"
    assert package.purl == "pkg:deb/debian/zlib1g@1:1.2.11?arch=amd64"


def multiarch_stanza(name: str, version: str, arch: str) -> str:
    return (
        f"Package: {name}\nStatus: install ok installed\nMulti-Arch: same\n"
        f"Architecture: {arch}\nVersion: {version}\n"
    )


def test_file_lists_name_the_installed_owner_of_each_listed_path() -> None:
    status = "\n".join(
        [
            "Package: python3-six\nStatus: install ok installed\nArchitecture: all\n"
            "Version: 1.16.0-4\nSource: six\n",
            multiarch_stanza("libc6", "2.36-9+deb12u9", "amd64"),
            "Package: gone\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n",
        ]
    ).encode()
    egg = "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"
    result = catalog(
        CatalogFile(STATUS, status, 0),
        CatalogFile("/var/lib/dpkg/info/python3-six.list", f"/.\n/usr\n{egg}\n".encode(), 0),
        CatalogFile("/var/lib/dpkg/info/libc6:amd64.list", b"/usr/bin/ldd\n", 0),
        # Same package, an architecture that is not installed: owns nothing.
        CatalogFile("/var/lib/dpkg/info/libc6:i386.list", b"/usr/lib/i386/ld.so\n", 0),
        # Left behind by a removed package (config-files state): owns nothing.
        CatalogFile("/var/lib/dpkg/info/gone.list", b"/etc/gone.conf\n", 0),
    )
    purl = {p.name: p.purl for p in result.packages}
    assert set(purl) == {"python3-six", "libc6"}
    assert result.owned == (
        ("/", purl["python3-six"]),  # `/.`, normalised
        ("/usr", purl["python3-six"]),
        (egg, purl["python3-six"]),
        ("/usr/bin/ldd", purl["libc6"]),
    )
    assert result.files_read == 1  # the status file; lists add owners, not packages


def test_wants_file_lists_md5sums_and_diversions_only() -> None:
    cataloger = DpkgCataloger()
    assert cataloger.wants("/var/lib/dpkg/info/bash.list")
    assert cataloger.wants("/var/lib/dpkg/info/libc6:amd64.list")
    assert cataloger.wants("/var/lib/dpkg/info/bash.md5sums")
    assert cataloger.wants("/var/lib/dpkg/info/libc6:amd64.md5sums")
    assert cataloger.wants("/var/lib/dpkg/status.d/libssl3-1a2b3c.md5sums")
    assert cataloger.wants("/var/lib/dpkg/diversions")
    for path in (
        "/var/lib/dpkg/info/sub/x.list",
        "/var/lib/dpkg/info/.md5sums",
        "/var/lib/dpkg/info/:amd64.md5sums",
        "/var/lib/dpkg/info/bash.conffiles",
        "/var/lib/dpkg/status.d/.md5sums",
        "/var/lib/dpkg/status.d/sub/x.md5sums",
        "/var/lib/dpkg/diversions-old",
        "/etc/diversions",
        "/etc/apt/sources.list",
    ):
        assert not cataloger.wants(path), path


def test_this_machines_file_lists_agree_with_dpkg_search(real_status: Path) -> None:
    # Every dist-info or egg-info dpkg says it installed is owned by the package `dpkg -S` names.
    found = subprocess.run(
        ["dpkg", "-S", "*-info/METADATA", "*.egg-info/PKG-INFO"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    expected = {
        path: owner.split(":")[0]
        for owner, _, path in (line.partition(": ") for line in found)
        if "," not in owner and path
    }
    if not expected:
        pytest.skip("no Python package installed by dpkg on this machine")
    lists = [
        CatalogFile(str(path), path.read_bytes(), 0)
        for path in Path("/var/lib/dpkg/info").glob("*.list")
    ]
    result = catalog(CatalogFile(STATUS, real_status.read_bytes(), 0), *lists)
    name_of = {p.purl: p.name for p in result.packages}
    owned = {path: name_of[owner] for path, owner in result.owned}
    assert {path: owned.get(path) for path in expected} == expected
