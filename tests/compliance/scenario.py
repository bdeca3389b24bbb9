"""A scan result with one of everything, for the compliance tests (fixed, deterministic)."""

from datetime import UTC, datetime

from seawall.analyze.misconfig import make_finding
from seawall.model.compliance import Coverage
from seawall.model.finding import (
    SecretFinding,
    SecretLocation,
    SecretSource,
    Severity,
    VulnerabilityFinding,
)
from seawall.model.image import Image, SourceKind
from seawall.model.package import Distro, Ecosystem, Inventory, Location, Package
from seawall.model.scan import DatabaseInfo, DataSource, ScanResult

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

OPENSSL = Package(
    name="libssl3",
    version="3.0.11-1",
    ecosystem=Ecosystem.DEBIAN,
    purl="pkg:deb/debian/libssl3@3.0.11-1?distro=debian-12",
    cataloger="os/dpkg",
    ecosystem_release="12",
    source_name="openssl",
    locations=(Location("/var/lib/dpkg/status", 0),),
)


def vulnerability(vuln_id: str, severity: Severity, fixed: tuple[str, ...]) -> VulnerabilityFinding:
    return VulnerabilityFinding(
        id=vuln_id,
        aliases=(vuln_id,),
        package=OPENSSL,
        fixed_versions=fixed,
        severity=severity,
        cvss=(),
        summary=f"{vuln_id} in openssl",
        references=(),
        reasons=(),
        fingerprint=f"fp-{vuln_id}",
    )


def result(
    *,
    vulnerabilities: tuple[VulnerabilityFinding, ...] | None = None,
    secrets: tuple[SecretFinding, ...] | None = None,
    updated: str = "2026-10-30T00:00:00Z",
) -> ScanResult:
    if vulnerabilities is None:
        vulnerabilities = (
            vulnerability("CVE-2024-0001", Severity.HIGH, ("3.0.15-1",)),
            vulnerability("CVE-2024-0002", Severity.CRITICAL, ()),
            vulnerability("CVE-2024-0003", Severity.LOW, ("3.0.15-1",)),
        )
    if secrets is None:
        secrets = (
            SecretFinding(
                rule_id="aws-access-key-id",
                title="AWS access key id",
                severity=Severity.HIGH,
                location=SecretLocation(SecretSource.FILE, path="/app/.env", line=3, layer=1),
                preview="AKIA… (20 chars, sha256:1f2e3d4c)",
                fingerprint="fp-secret",
            ),
        )
    misconfigurations = (
        make_finding(
            "SW-IMG-001", "no USER is set: runs as root", target="image config", subject="user"
        ),
        make_finding(
            "SW-IMG-006",
            "/usr/bin/helper is setuid (mode 4755, uid 0) (layer 1)",
            target="image filesystem",
            subject="/usr/bin/helper",
            path="/usr/bin/helper",
            layer=1,
        ),
    )
    return ScanResult(
        image=Image(
            source_kind=SourceKind.DOCKER_ARCHIVE,
            reference="shop/web:1.4.2",
            manifest_digest="sha256:" + "1" * 64,
            config_digest="sha256:" + "2" * 64,
        ),
        inventory=Inventory(
            packages=(OPENSSL,), distro=Distro("debian", "12", "Debian GNU/Linux 12 (bookworm)")
        ),
        vulnerabilities=vulnerabilities,
        database=DatabaseInfo(
            location="/cache/db/seawall.db",
            schema_version=3,
            sources=(DataSource("osv:Debian", 12345, updated),),
        ),
        scanned_at="2026-11-01T11:59:00Z",
        secrets=secrets,
        misconfigurations=misconfigurations,
    )


FULL = Coverage(misconfig_kinds=frozenset({"image"}), vulnerabilities=True, secrets=True, sbom=True)
