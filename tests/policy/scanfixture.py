"""A realistic scan result for the policy, diff and report tests.

It extends the reporters' hand-built result (tests/report/scan/scanresult.py:
real ids, versions, CVSS vectors and KEV entries) with what the policy looks
at: a history that accounts for every layer (a Debian base image, then the
application's steps), a Go binary on PATH with a real standard-library
vulnerability, an AGPL-licensed Python package, leaked secrets and
misconfigurations.
"""

import hashlib
from dataclasses import replace

from seawall.model.advisory import EpssScore
from seawall.model.finding import (
    MatchReason,
    MisconfigFinding,
    SecretFinding,
    SecretLocation,
    SecretSource,
    Severity,
    VulnerabilityFinding,
)
from seawall.model.image import HistoryEntry
from seawall.model.package import Ecosystem, Location, Package
from seawall.model.scan import ScanResult
from tests.report.scan import scanresult as base
from tests.report.scan.scanresult import cvss31

HISTORY = (
    HistoryEntry(created_by="/bin/sh -c #(nop) ADD file:d9b2b1c8f0e1a7e3 in / "),
    HistoryEntry(created_by='/bin/sh -c #(nop)  CMD ["bash"]', empty_layer=True),
    HistoryEntry(created_by="ENV LANG=C.UTF-8", empty_layer=True),
    HistoryEntry(created_by=base.IMAGE.layers[1].created_by),
    HistoryEntry(created_by=base.IMAGE.layers[2].created_by),
    HistoryEntry(created_by=base.IMAGE.layers[3].created_by),
    HistoryEntry(created_by=base.IMAGE.layers[4].created_by),
    HistoryEntry(created_by="USER app", empty_layer=True),
    HistoryEntry(created_by='CMD ["gunicorn" "shop.wsgi"]', empty_layer=True),
)
IMAGE = replace(base.IMAGE, history=HISTORY)

SHOPCTL = Package(
    name="stdlib",
    version="1.21.5",
    ecosystem=Ecosystem.GO,
    purl="pkg:golang/stdlib@1.21.5",
    cataloger="go/binary",
    locations=(Location("/usr/local/bin/shopctl", 3),),
)
PYMUPDF = Package(
    name="PyMuPDF",
    version="1.23.6",
    ecosystem=Ecosystem.PYPI,
    purl="pkg:pypi/pymupdf@1.23.6",
    cataloger="python/installed",
    licenses=("AGPL-3.0-or-later",),
    locations=(Location(f"{base.SITE}/PyMuPDF-1.23.6.dist-info/METADATA", 2),),
)
INVENTORY = replace(base.INVENTORY, packages=(*base.INVENTORY.packages, SHOPCTL, PYMUPDF))

CONTINUATION = VulnerabilityFinding(
    id="CVE-2023-45288",
    aliases=("CVE-2023-45288", "GO-2024-2687"),
    package=SHOPCTL,
    fixed_versions=("1.21.9", "1.22.2"),
    severity=Severity.MEDIUM,
    cvss=(cvss31("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, Severity.MEDIUM),),
    summary="HTTP/2 CONTINUATION flood in net/http",
    references=("https://pkg.go.dev/vuln/GO-2024-2687",),
    reasons=(
        MatchReason(
            "GO-2024-2687",
            "Go",
            "stdlib",
            "SEMVER: introduced 0, fixed 1.21.9; introduced 1.22.0-0, fixed 1.22.2",
            "1.21.5 < 1.21.9 (semver)",
        ),
    ),
    fingerprint=base.fingerprint("CVE-2023-45288", SHOPCTL),
    epss=EpssScore("CVE-2023-45288", 0.14276, 0.95521, "2026-11-22"),
)
VULNERABILITIES = (*base.RESULT.vulnerabilities, CONTINUATION)


def _fp(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


AWS_KEY = SecretFinding(
    rule_id="aws-access-key-id",
    title="AWS access key id",
    severity=Severity.CRITICAL,
    location=SecretLocation(SecretSource.FILE, path="/app/.env", line=3, layer=3, removed_in=4),
    preview="AKIA… (20 chars, sha256:5c1e9a02)",
    fingerprint=_fp("aws-access-key-id\0/app/.env\0AKIA"),
)
HISTORY_PASSWORD = SecretFinding(
    rule_id="generic-password",
    title="Password in a build step",
    severity=Severity.HIGH,
    location=SecretLocation(SecretSource.HISTORY, history_index=6),
    preview="hunt… (14 chars, sha256:0b9d1c44)",
    fingerprint=_fp("generic-password\0history\0hunt"),
)
ENV_SECRET = MisconfigFinding(
    check_id="SW-DF-0010",
    title="Secret in ENV",
    severity=Severity.HIGH,
    message="ENV DB_PASSWORD sets a credential that every container and image layer exposes",
    target="image config",
    remediation="Pass credentials at run time (secrets mount, orchestrator secrets).",
    fingerprint=_fp("SW-DF-0010\0image config\0DB_PASSWORD"),
    controls=("cis-docker:4.10",),
)
NO_HEALTHCHECK = MisconfigFinding(
    check_id="SW-DF-0006",
    title="No HEALTHCHECK",
    severity=Severity.LOW,
    message="The image defines no HEALTHCHECK",
    target="image config",
    remediation="Add a HEALTHCHECK instruction, or let the orchestrator probe the container.",
    fingerprint=_fp("SW-DF-0006\0image config"),
    controls=("cis-docker:4.6",),
)

RESULT = ScanResult(
    image=IMAGE,
    inventory=INVENTORY,
    vulnerabilities=VULNERABILITIES,
    database=base.DATABASE,
    scanned_at="2026-11-23T09:30:00Z",
    secrets=(AWS_KEY, HISTORY_PASSWORD),
    misconfigurations=(ENV_SECRET, NO_HEALTHCHECK),
    warnings=base.RESULT.warnings,
)
"""Findings: 11 vulnerabilities, 2 secrets, 2 misconfigurations; 1 AGPL package."""
