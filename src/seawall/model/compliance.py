"""Compliance values shared by the compliance stage and its reporters.

A framework is a list of controls; each control names the kinds of evidence
that decide it. Evaluating a scan result gives each control a status with the
evidence and findings behind it. These types live in the model because the
compliance stage (which evaluates) and the reporters (which render) must not
import each other (DESIGN.md §2).
"""

from dataclasses import dataclass
from enum import Enum

from seawall.model.finding import Severity


class ControlStatus(Enum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    """Nothing scanned can evidence it (a Kubernetes control for an image scan)."""
    MANUAL = "manual"
    """A person must decide: no automated evidence exists, or it was not gathered."""


class EvidenceKind(Enum):
    MISCONFIG = "misconfig"
    """The misconfiguration checks mapped to the control."""
    VULNERABILITIES = "vulnerabilities"
    SECRETS = "secrets"
    SBOM = "sbom"
    """A complete package inventory exists."""
    DATABASE = "database"
    """The vulnerability data used is recent enough."""


@dataclass(frozen=True, slots=True)
class Control:
    """One control of a framework, in seawall's own words."""

    id: str
    title: str
    evidence: tuple[EvidenceKind, ...]
    manual: str | None = None
    """What an auditor reviews by hand (the whole control when `evidence` is empty)."""
    vulnerability_threshold: Severity = Severity.HIGH
    """VULNERABILITIES fails on a finding at least this severe."""
    fixable_only: bool = True
    """VULNERABILITIES counts only findings with a fix available."""
    max_database_age_days: int = 7


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    """`cis-docker`, `pci-dss`, `nist-800-53`, `gdpr`, `soc2`."""
    name: str
    version: str
    reference: str
    notice: str
    controls: tuple[Control, ...]

    def key(self, control: Control) -> str:
        """The `framework:control` id that checks use to name the control."""
        return f"{self.id}:{control.id}"


@dataclass(frozen=True, slots=True)
class CheckRef:
    """A misconfiguration check as the evaluation needs it (from the analyzer's catalogue)."""

    check_id: str
    kind: str
    """`image`, `dockerfile` or `kubernetes`."""
    title: str
    controls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which evidence the scan actually gathered: what is not gathered cannot pass."""

    misconfig_kinds: frozenset[str] = frozenset()
    """Kinds of checks that ran (`image`, `dockerfile`, `kubernetes`)."""
    vulnerabilities: bool = False
    secrets: bool = False
    sbom: bool = False


@dataclass(frozen=True, slots=True)
class FindingRef:
    """A finding behind a control result, summarised for the report."""

    kind: str
    """`misconfiguration`, `vulnerability` or `secret`."""
    id: str
    title: str
    severity: Severity
    location: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class EvidenceResult:
    kind: EvidenceKind
    status: ControlStatus
    summary: str
    """What was looked at and what it showed, in one sentence."""


@dataclass(frozen=True, slots=True)
class ControlResult:
    control: Control
    status: ControlStatus
    evidence: tuple[EvidenceResult, ...]
    findings: tuple[FindingRef, ...]


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    framework: Framework
    subject: str
    """What was evaluated: the image reference or the path."""
    evaluated_at: str
    """RFC 3339, UTC."""
    coverage: Coverage
    results: tuple[ControlResult, ...]

    def count(self, status: ControlStatus) -> int:
        return sum(1 for result in self.results if result.status is status)
