"""Compliance: framework catalogues as data, per-control evaluation of a scan, audit evidence.

A stage package: it reads `ScanResult` values and check references from the
model and never imports another stage; the pipeline hands it the analyzer's
check catalogue (`CheckRef`s) and what the scan covered (`Coverage`).
"""

from seawall.compliance.evaluate import evaluate
from seawall.compliance.evidence import (
    EvidenceManifest,
    Verification,
    verify_evidence,
    write_evidence,
)
from seawall.compliance.frameworks import FRAMEWORK_IDS, framework, frameworks, parse_framework

__all__ = [
    "FRAMEWORK_IDS",
    "EvidenceManifest",
    "Verification",
    "evaluate",
    "framework",
    "frameworks",
    "parse_framework",
    "verify_evidence",
    "write_evidence",
]
