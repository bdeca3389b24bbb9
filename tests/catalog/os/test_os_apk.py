"""The apk cataloger on an installed database written in apk-tools' real format."""

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.apk import ApkCataloger
from seawall.model.package import Distro, Ecosystem, Location

INSTALLED = "/lib/apk/db/installed"
ALPINE = Distro(id="alpine", version_id="3.20.3", pretty_name="Alpine Linux v3.20")

# The shape apk-tools 2 writes: package fields, then F:/R:/a:/Z: lines for its files.
DATABASE = b"""\
C:Q1r3YtC4u4tQ2a8lL4vHzB1J4hS0c=
P:musl
V:1.2.5-r0
A:x86_64
S:411323
I:657408
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Ter\xc3\xa4s <timo.teras@iki.fi>
t:1712159513
c:1c9a4a1ba57d0c6d15b2a3bfb2a27e0ab4d4a2b8
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Tq4fBR5m5rRcZ7sIj4yXC3zfO4Y=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1mAybFLXOQ1x4lVchL8v1ROGfWr0=
P:libcrypto3
V:3.3.2-r0
A:x86_64
S:1810446
I:4759552
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1725299542
c:4a4fd2f1c26ea2bd21ed0838ecb6aa09f8f5fb66
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:usr/lib
R:libcrypto.so.3
Z:Q1fYGvbUc5h4yQvW2ArnVxG7nN+7M=

C:Q1iZ9+9g3M+uhtCKxz7X8q3Y7sd1M=
P:ca-certificates-bundle
V:20240705-r0
A:x86_64
L:MPL-2.0 AND MIT
o:ca-certificates
t:1720167427
F:etc/ssl/certs
R:ca-certificates.crt
Z:Q1mI2OuH3qh7m6x9fmw5rFBt+TOgM=

P:alpine-baselayout-data
V:3.6.5-r0
A:x86_64
L:GPL-2.0-only
o:alpine-baselayout
F:etc
R:hosts
"""


def catalog(*files: CatalogFile, distro: Distro | None = ALPINE) -> CatalogResult:
    return ApkCataloger().catalog(files, CatalogContext(distro=distro))


def test_packages_origins_licences_and_purls() -> None:
    result = catalog(CatalogFile(INSTALLED, DATABASE, 0))
    assert result.problems == ()
    assert result.files_read == 1
    got = {p.name: p for p in result.packages}
    assert list(got) == ["musl", "libcrypto3", "ca-certificates-bundle", "alpine-baselayout-data"]
    crypto = got["libcrypto3"]
    assert (crypto.version, crypto.arch) == ("3.3.2-r0", "x86_64")
    assert (crypto.source_name, crypto.source_version) == ("openssl", "3.3.2-r0")
    assert crypto.licenses == ("Apache-2.0",)
    assert crypto.ecosystem is Ecosystem.ALPINE and crypto.osv_ecosystem == "Alpine:v3.20"
    assert crypto.purl == "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3"
    assert crypto.locations == (Location(INSTALLED, 0),)
    assert got["ca-certificates-bundle"].licenses == ("MPL-2.0 AND MIT",)
    assert got["ca-certificates-bundle"].source_name == "ca-certificates"


def test_wolfi_and_chainguard() -> None:
    wolfi = Distro(id="wolfi", version_id="20230201", pretty_name="Wolfi")
    package = catalog(CatalogFile(INSTALLED, DATABASE), distro=wolfi).packages[0]
    assert package.osv_ecosystem == "Wolfi"
    assert package.purl == "pkg:apk/wolfi/musl@1.2.5-r0?arch=x86_64&distro=wolfi-20230201"
    chainguard = Distro(id="chainguard", version_id="20230214")
    assert (
        catalog(CatalogFile(INSTALLED, DATABASE), distro=chainguard).packages[0].osv_ecosystem
        == "Chainguard"
    )


def test_crlf_and_no_trailing_newline() -> None:
    text = b"P:busybox\r\nV:1.36.1-r29\r\nA:aarch64\r\n\r\nP:zlib\r\nV:1.3.1-r1"
    result = catalog(CatalogFile(INSTALLED, text))
    assert [(p.name, p.version, p.arch, p.source_name) for p in result.packages] == [
        ("busybox", "1.36.1-r29", "aarch64", "busybox"),
        ("zlib", "1.3.1-r1", None, "zlib"),
    ]


def test_malformed_blocks_are_problems() -> None:
    text = b"P:nover\nA:x86_64\n\nV:1.0-r0\n\nP:ok\nV:1-r0\nnot a field line\n\n\xff\xfe\n"
    result = catalog(CatalogFile(INSTALLED, text))
    assert [p.name for p in result.packages] == ["ok"]
    assert result.problems == (
        f"{INSTALLED}: package at line 1 has no V: line; skipped",
        f"{INSTALLED}: package at line 4 has no P: line; skipped",
        f"{INSTALLED}: 2 line(s) are not `X:value` lines (first at line 8); ignored",
    )


@pytest.mark.parametrize(
    "content", [b"", b"\x00" * 4096, bytes(range(256)) * 32], ids=["empty", "nul", "bytes"]
)
def test_garbage_never_raises(content: bytes) -> None:
    result = catalog(CatalogFile(INSTALLED, content))
    assert all(problem.startswith(INSTALLED) for problem in result.problems)


def test_wants_only_the_installed_database() -> None:
    cataloger = ApkCataloger()
    assert cataloger.wants(INSTALLED)
    assert not cataloger.wants("/lib/apk/db/triggers")
    assert not cataloger.wants("/usr/lib/apk/db/installed.bak")


def test_files_are_owned_by_their_package() -> None:
    result = catalog(CatalogFile(INSTALLED, DATABASE, 0))
    purl = {p.name: p.purl for p in result.packages}
    assert result.owned == (
        ("/lib/ld-musl-x86_64.so.1", purl["musl"]),
        ("/lib/libc.musl-x86_64.so.1", purl["musl"]),
        ("/usr/lib/libcrypto.so.3", purl["libcrypto3"]),
        ("/etc/ssl/certs/ca-certificates.crt", purl["ca-certificates-bundle"]),
        ("/etc/hosts", purl["alpine-baselayout-data"]),
    )


def test_a_file_before_any_directory_is_in_the_root_and_a_nameless_block_owns_nothing() -> None:
    database = b"P:rootfile\nV:1-r0\nR:.profile\nF:usr/bin\nR:tool\n\nV:2-r0\nF:opt\nR:orphan\n"
    result = catalog(CatalogFile(INSTALLED, database, 0))
    (package,) = result.packages
    assert result.owned == (("/.profile", package.purl), ("/usr/bin/tool", package.purl))
