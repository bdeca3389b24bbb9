"""A realistic scan result, built by hand from real advisory data.

Ids, versions, fixed versions, CVSS vectors (with the base scores the CVSS
v2/v3.1 formulas give) and the CISA KEV entries are real (KEV entries as in
../shared/vulndata/kev); EPSS scores are realistic values (no EPSS data is
available here, see vulndata/MANIFEST.md). The image is a Debian 12 based
Python service whose config env holds credentials and whose history leaks
them, so tests can prove no reporter renders them.
"""

import hashlib

from seawall.model.advisory import EpssScore, KevEntry
from seawall.model.finding import CvssScore, MatchReason, Severity, VulnerabilityFinding
from seawall.model.image import HistoryEntry, Image, ImageConfig, Layer, Platform, SourceKind
from seawall.model.package import (
    CatalogerStatus,
    Distro,
    Ecosystem,
    Inventory,
    Location,
    Package,
    Relationship,
)
from seawall.model.scan import DatabaseInfo, DataSource, ScanResult

DB_PASSWORD = "hunter2-Vq9xL3"
API_TOKEN = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly00"
BUILD_ARG_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDk1ZTU4"
SECRETS = (DB_PASSWORD, API_TOKEN, BUILD_ARG_TOKEN)
DPKG_STATUS = "/var/lib/dpkg/status"
SITE = "/usr/local/lib/python3.11/site-packages"


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _layer(index: int, created_by: str, size: int) -> Layer:
    return Layer(
        index=index,
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
        digest=_digest(f"blob {index}"),
        diff_id=_digest(f"diff {index}"),
        size=size,
        created_by=created_by,
    )


IMAGE = Image(
    source_kind=SourceKind.REGISTRY,
    reference="registry.example.com/shop/api:1.4.2",
    manifest_digest=_digest("manifest"),
    manifest_media_type="application/vnd.oci.image.manifest.v1+json",
    config_digest=_digest("config"),
    platform=Platform("linux", "amd64"),
    created="2026-11-02T14:11:09Z",
    config=ImageConfig(
        user="app",
        working_dir="/app",
        cmd=("gunicorn", "shop.wsgi"),
        env=(
            ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ("LANG", "C.UTF-8"),
            ("DEBUG", "1"),
            ("DB_PASSWORD", DB_PASSWORD),
            ("API_TOKEN", API_TOKEN),
        ),
        exposed_ports=("8000/tcp",),
    ),
    history=(
        HistoryEntry(
            created_by="/bin/sh -c #(nop) ADD file:d9b2b1c8f0e1a7e3 in / ",
            created="2026-10-21T00:00:00Z",
        ),
        HistoryEntry(created_by='/bin/sh -c #(nop)  CMD ["bash"]', empty_layer=True),
        HistoryEntry(created_by=f"ENV DB_PASSWORD={DB_PASSWORD}", empty_layer=True),
        HistoryEntry(created_by=f"ENV API_TOKEN={API_TOKEN}", empty_layer=True),
    ),
    layers=(
        _layer(0, "/bin/sh -c #(nop) ADD file:d9b2b1c8f0e1a7e3 in / ", 29_153_211),
        _layer(
            1,
            "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends"
            " nginx libwebp7 && rm -rf /var/lib/apt/lists/* # buildkit",
            21_877_340,
        ),
        _layer(
            2,
            f"RUN |1 PIP_INDEX_TOKEN={BUILD_ARG_TOKEN} /bin/sh -c pip install --no-cache-dir"
            " -r /app/requirements.txt # buildkit",
            14_002_117,
        ),
        _layer(3, "COPY app/ /app # buildkit", 2_310_554),
        _layer(
            4,
            f"RUN /bin/sh -c psql \"postgres://shop:{DB_PASSWORD}@db/shop\" -c 'select 1'"
            " # buildkit",
            1_024,
        ),
    ),
    repo_tags=("registry.example.com/shop/api:1.4.2",),
)


def _deb(
    name: str, version: str, source: str, layer: int, source_version: str | None = None
) -> Package:
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem.DEBIAN,
        purl=f"pkg:deb/debian/{name}@{version.replace('+', '%2B')}?arch=amd64&distro=debian-12",
        cataloger="os/dpkg",
        ecosystem_release="12",
        source_name=source,
        source_version=source_version or version,
        arch="amd64",
        locations=(Location(DPKG_STATUS, layer),),
    )


def _pypi(name: str, version: str) -> Package:
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem.PYPI,
        purl=f"pkg:pypi/{name.lower()}@{version}",
        cataloger="python/installed",
        locations=(Location(f"{SITE}/{name}-{version}.dist-info/METADATA", 2),),
    )


LIBC6 = _deb("libc6", "2.36-9+deb12u7", "glibc", 0)
LIBSSL3 = _deb("libssl3", "3.0.11-1~deb12u2", "openssl", 0)
OPENSSL = _deb("openssl", "3.0.11-1~deb12u2", "openssl", 0)
BASH = _deb("bash", "5.2.15-2+b7", "bash", 0, "5.2.15-2")
NGINX = _deb("nginx", "1.22.1-9+deb12u9", "nginx", 1)
LIBWEBP7 = _deb("libwebp7", "1.2.4-0.2", "libwebp", 1)
URLLIB3 = _pypi("urllib3", "1.26.17")
WERKZEUG = _pypi("Werkzeug", "2.3.7")
CRYPTOGRAPHY = _pypi("cryptography", "41.0.3")
RSA = Package(
    name="rsa",
    version="0.9.6",
    ecosystem=Ecosystem.CRATES_IO,
    purl="pkg:cargo/rsa@0.9.6",
    cataloger="rust/cargo-lock",
    locations=(Location("/app/worker/Cargo.lock", 3),),
)

INVENTORY = Inventory(
    packages=(
        BASH,
        LIBC6,
        LIBSSL3,
        OPENSSL,
        NGINX,
        LIBWEBP7,
        URLLIB3,
        WERKZEUG,
        CRYPTOGRAPHY,
        RSA,
    ),
    distro=Distro(
        id="debian",
        version_id="12",
        pretty_name="Debian GNU/Linux 12 (bookworm)",
        version_codename="bookworm",
        version="12 (bookworm)",
    ),
    relationships=(Relationship(RSA.purl, "pkg:cargo/num-bigint-dig@0.8.4"),),
    statuses=(
        CatalogerStatus("os/dpkg", 1, files_read=1),
        CatalogerStatus("python/installed", 1, files_read=3),
        CatalogerStatus("rust/cargo-lock", 1, files_read=1),
    ),
)

KEV_HTTP2 = KevEntry(
    cve="CVE-2023-44487",
    vendor="IETF",
    product="HTTP/2",
    name="HTTP/2 Rapid Reset Attack Vulnerability",
    date_added="2023-10-10",
    due_date="2023-10-31",
    required_action=(
        "Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for"
        " cloud services, or discontinue use of the product if mitigations are unavailable."
    ),
    known_ransomware_use="Unknown",
)
KEV_WEBP = KevEntry(
    cve="CVE-2023-4863",
    vendor="Google",
    product="Chromium WebP",
    name="Google Chromium WebP Heap-Based Buffer Overflow Vulnerability",
    date_added="2023-09-13",
    due_date="2023-10-04",
    required_action=(
        "Apply mitigations per vendor instructions or discontinue use of the product if"
        " mitigations are unavailable."
    ),
    known_ransomware_use="Unknown",
)

V31 = "CVSS:3.1/"


def cvss31(vector: str, score: float, severity: Severity, source: str = "nvd") -> CvssScore:
    return CvssScore("3.1", V31 + vector, score, severity, source)


def fingerprint(vuln_id: str, package: Package) -> str:
    """What a matcher derives a fingerprint from: the vulnerability, the package, its evidence."""
    place = package.locations[0].path if package.locations else ""
    return hashlib.sha256(f"{vuln_id}\0{package.purl}\0{place}".encode()).hexdigest()


def _debian_reason(
    vuln: str, package: Package, fixed: str | None, installed: str | None = None
) -> MatchReason:
    installed = installed or package.version
    if fixed is None:
        return MatchReason(
            record=f"DEBIAN-{vuln}",
            ecosystem="Debian:12",
            package=package.source_name or package.name,
            range="ECOSYSTEM: introduced 0",
            decision=f"{installed} >= 0, no fix (dpkg)",
        )
    return MatchReason(
        record=f"DEBIAN-{vuln}",
        ecosystem="Debian:12",
        package=package.source_name or package.name,
        range=f"ECOSYSTEM: introduced 0, fixed {fixed}",
        decision=f"{installed} < {fixed} (dpkg)",
    )


def _finding(
    vuln_id: str,
    aliases: tuple[str, ...],
    package: Package,
    fixed: tuple[str, ...],
    severity: Severity,
    cvss: tuple[CvssScore, ...],
    summary: str,
    reasons: tuple[MatchReason, ...],
    epss: tuple[float, float] | None = None,
    kev: KevEntry | None = None,
    references: tuple[str, ...] = (),
) -> VulnerabilityFinding:
    return VulnerabilityFinding(
        id=vuln_id,
        aliases=(vuln_id, *aliases),
        package=package,
        fixed_versions=fixed,
        severity=severity,
        cvss=cvss,
        summary=summary,
        references=references or (f"https://nvd.nist.gov/vuln/detail/{vuln_id}",),
        reasons=reasons,
        fingerprint=fingerprint(vuln_id, package),
        published=None,
        modified="2026-11-19T21:02:23Z",
        kev=kev,
        epss=None if epss is None else EpssScore(vuln_id, epss[0], epss[1], "2026-11-22"),
    )


HTTP2 = _finding(
    "CVE-2023-44487",
    ("DEBIAN-CVE-2023-44487",),
    NGINX,
    ("1.22.1-9+deb12u11",),
    Severity.HIGH,
    (cvss31("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Severity.HIGH),),
    "HTTP/2 Rapid Reset: a client can reset many streams quickly and exhaust the server.",
    (_debian_reason("CVE-2023-44487", NGINX, "1.22.1-9+deb12u11"),),
    epss=(0.94425, 0.99976),
    kev=KEV_HTTP2,
    references=(
        "https://security-tracker.debian.org/tracker/CVE-2023-44487",
        "https://www.cisa.gov/news-events/alerts/2023/10/10/http2-rapid-reset-vulnerability-cve-2023-44487",
    ),
)
WEBP = _finding(
    "CVE-2023-4863",
    ("DSA-5497-1",),
    LIBWEBP7,
    ("1.2.4-0.2+deb12u1",),
    Severity.HIGH,
    (cvss31("AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, Severity.HIGH),),
    "Heap buffer overflow in libwebp allows a crafted WebP image to write out of bounds.",
    (_debian_reason("CVE-2023-4863", LIBWEBP7, "1.2.4-0.2+deb12u1"),),
    epss=(0.93561, 0.99832),
    kev=KEV_WEBP,
)
GLOB = _finding(
    "CVE-2010-4756",
    (),
    LIBC6,
    (),
    Severity.NEGLIGIBLE,
    (CvssScore("2.0", "AV:N/AC:L/Au:S/C:N/I:N/A:P", 4.0, Severity.MEDIUM, "nvd"),),
    "glob() in glibc allows authenticated users to exhaust CPU and memory with crafted"
    " glob expressions.",
    (_debian_reason("CVE-2010-4756", LIBC6, None),),
    epss=(0.01163, 0.84121),
)
_NPN = (cvss31("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H", 9.1, Severity.CRITICAL),)
_NPN_SUMMARY = "SSL_select_next_proto buffer overread with an empty client protocol list."
NPN_LIBSSL3 = _finding(
    "CVE-2024-5535",
    (),
    LIBSSL3,
    ("3.0.14-1~deb12u1",),
    Severity.CRITICAL,
    _NPN,
    _NPN_SUMMARY,
    (_debian_reason("CVE-2024-5535", LIBSSL3, "3.0.14-1~deb12u1"),),
    epss=(0.00449, 0.76120),
)
NPN_OPENSSL = _finding(
    "CVE-2024-5535",
    (),
    OPENSSL,
    ("3.0.14-1~deb12u1",),
    Severity.CRITICAL,
    _NPN,
    _NPN_SUMMARY,
    (_debian_reason("CVE-2024-5535", OPENSSL, "3.0.14-1~deb12u1"),),
    epss=(0.00449, 0.76120),
)
PKCS7 = _finding(
    "CVE-2023-49083",
    ("GHSA-jfhm-5ghh-2f97", "PYSEC-2023-254"),
    CRYPTOGRAPHY,
    ("41.0.6",),
    Severity.HIGH,
    (cvss31("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Severity.HIGH),),
    "NULL-dereference when loading PKCS7 certificates",
    (
        MatchReason(
            "PYSEC-2023-254",
            "PyPI",
            "cryptography",
            "ECOSYSTEM: introduced 3.1, fixed 41.0.6",
            "3.1 <= 41.0.3 < 41.0.6 (PEP 440)",
        ),
    ),
    epss=(0.00243, 0.63110),
)
MULTIPART = _finding(
    "CVE-2023-46136",
    ("GHSA-hrfv-mqp8-q5rw", "PYSEC-2023-221"),
    WERKZEUG,
    ("2.3.8", "3.0.1"),
    Severity.HIGH,
    (cvss31("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Severity.HIGH),),
    "Werkzeug DoS: high resource usage when parsing multipart form data with many CR/LF",
    (
        MatchReason(
            "PYSEC-2023-221",
            "PyPI",
            "werkzeug",
            "ECOSYSTEM: introduced 0, fixed 2.3.8; introduced 3.0.0, fixed 3.0.1",
            "2.3.7 < 2.3.8 (PEP 440)",
        ),
    ),
)
MARVIN = _finding(
    "CVE-2023-49092",
    ("GHSA-4grx-2x9w-596c", "GHSA-c38w-74pg-36hr", "RUSTSEC-2023-0071"),
    RSA,
    (),
    Severity.MEDIUM,
    (cvss31("AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, Severity.MEDIUM, "RUSTSEC-2023-0071"),),
    "Marvin Attack: potential key recovery through timing sidechannels",
    (
        MatchReason(
            "RUSTSEC-2023-0071",
            "crates.io",
            "rsa",
            "SEMVER: introduced 0.0.0-0",
            "0.9.6 >= 0.0.0-0, no fix (semver)",
        ),
    ),
)
REDIRECT_BODY = _finding(
    "CVE-2023-45803",
    ("GHSA-g4mx-q9vg-27p4", "PYSEC-2023-212"),
    URLLIB3,
    ("1.26.18",),
    Severity.MEDIUM,
    (cvss31("AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N", 4.2, Severity.MEDIUM),),
    "urllib3 keeps the request body after a 303 redirect changes the method to GET",
    (
        MatchReason(
            "PYSEC-2023-212",
            "PyPI",
            "urllib3",
            "ECOSYSTEM: introduced 2.0.0, fixed 2.0.7; introduced 0, fixed 1.26.18",
            "1.26.17 < 1.26.18 (PEP 440)",
        ),
    ),
)
PROXY_AUTH = _finding(
    "CVE-2024-37891",
    ("GHSA-34jh-p97f-mpxf",),
    URLLIB3,
    ("1.26.19", "2.2.2"),
    Severity.MEDIUM,
    (cvss31("AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N", 4.4, Severity.MEDIUM),),
    "Proxy-Authorization request header isn't stripped during cross-origin redirects",
    (
        MatchReason(
            "GHSA-34jh-p97f-mpxf",
            "PyPI",
            "urllib3",
            "ECOSYSTEM: introduced 0, fixed 1.26.19; introduced 2.0.0, fixed 2.2.2",
            "1.26.17 < 1.26.19 (PEP 440)",
        ),
    ),
)

RISK_ORDER = (
    HTTP2,
    WEBP,
    GLOB,
    NPN_LIBSSL3,
    NPN_OPENSSL,
    PKCS7,
    MULTIPART,
    MARVIN,
    PROXY_AUTH,
    REDIRECT_BODY,
)
"""The findings as the reporters must order them."""

DATABASE = DatabaseInfo(
    location="/home/ci/.cache/seawall/vulns.sqlite3",
    schema_version=1,
    sources=(
        DataSource("osv:Debian:12", 6547, "2026-11-23T06:00:12Z", "2026-11-21T00:00:00Z"),
        DataSource("osv:PyPI", 2661, "2026-11-23T06:00:12Z", "2024-10-10T00:00:00Z"),
        DataSource("osv:crates.io", 1206, "2026-11-23T06:00:12Z", "2026-08-21T00:00:00Z"),
        DataSource("kev", 1404, "2026-11-20T06:00:00Z", "2025-08-25T17:04:19Z"),
        DataSource("epss", 281_912, "2026-11-22T06:00:00Z", "2026-11-22"),
    ),
)

RESULT = ScanResult(
    image=IMAGE,
    inventory=INVENTORY,
    # Deliberately not in risk order: the reporters sort.
    vulnerabilities=(
        REDIRECT_BODY,
        GLOB,
        PKCS7,
        NPN_OPENSSL,
        MARVIN,
        WEBP,
        PROXY_AUTH,
        HTTP2,
        MULTIPART,
        NPN_LIBSSL3,
    ),
    database=DATABASE,
    scanned_at="2026-11-23T09:30:00Z",
    warnings=("osv:Debian:12: 3 malformed records skipped at import",),
)
