"""The policy's verdict on a scan: a decision per finding, its risk score, and the image's grade.

`seawall.policy.apply_policy` produces a `PolicyResult`; reporters render it.
Decisions are keyed by the finding's fingerprint, so a decision follows the
finding into every format and across scans. Nothing is dropped: a finding an
ignore or a VEX statement suppressed keeps its decision, saying what
suppressed it (issue 7: "every suppressed finding stays in the output").
"""

from dataclasses import dataclass, field
from enum import Enum

# The business context lives in `model.context` (light: every command's settings
# hold one); a policy result holds one too, so it is also importable from here.
from seawall.model.context import BusinessContext as BusinessContext
from seawall.model.context import Criticality as Criticality
from seawall.model.context import DataClass as DataClass


class FindingKind(Enum):
    """The finding types a decision can be about (DESIGN.md §4), plus licences of packages."""

    VULNERABILITY = "vulnerability"
    SECRET = "secret"  # noqa: S105 (a finding kind, not a password)
    MISCONFIGURATION = "misconfiguration"
    LICENCE = "licence"
    """A package whose licence a policy denies; its fingerprint derives from purl and licence."""


class Decision(Enum):
    """What the policy decided for one finding, ordered by `rank` (fail is the strongest)."""

    PASS = "pass"  # noqa: S105 (a decision, not a password)
    WARN = "warn"
    FAIL = "fail"
    SUPPRESSED = "suppressed"
    """An ignore or a VEX statement took it out of the verdict; it is still reported."""

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Decision.SUPPRESSED: 0, Decision.PASS: 1, Decision.WARN: 2, Decision.FAIL: 3}


class Verdict(Enum):
    PASSED = "passed"
    FAILED = "failed"


class SuppressionKind(Enum):
    IGNORE = "ignore"
    """An entry of the policy file's `ignores`."""
    VEX = "vex"
    """A VEX statement (`not_affected` with a justification, or `fixed`)."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """What took a finding out of the verdict, with the triage facts a VEX document carries."""

    kind: SuppressionKind
    source: str
    """The policy file or VEX document, as the user named it."""
    statement: str
    """Which entry: `ignores[2]`, or the VEX statement's id / position (`statements[0]`)."""
    reason: str
    status: str = "not_affected"
    """OpenVEX status vocabulary: `not_affected` or `fixed`."""
    justification: str | None = None
    """OpenVEX justification (`vulnerable_code_not_in_execute_path` …) when one was given."""
    owner: str | None = None
    """Who took the decision (an ignore's owner, a VEX document's author)."""
    expires: str | None = None
    """ISO date after which an ignore stops applying."""
    timestamp: str | None = None
    """When the decision was taken (RFC 3339 or ISO date) when the source says."""


@dataclass(frozen=True, slots=True)
class VexAnnotation:
    """A VEX statement that does not suppress (`affected`, `under_investigation`) but informs."""

    source: str
    statement: str
    status: str
    detail: str | None = None
    """The action statement, impact statement or note the document gave."""


@dataclass(frozen=True, slots=True)
class RiskPart:
    """One term of a finding's risk score (docs/risk.md names each)."""

    name: str
    """`cvss`, `epss`, `kev`, `fix`, `exposure`, `ownership`, `context`."""
    value: float
    """Points this part adds, or for multipliers the factor applied."""
    detail: str
    """Why it has this value, for humans: `CVSS 3.1 base 7.5`, `in the base image (layer 0)`."""
    multiplier: bool = False


@dataclass(frozen=True, slots=True)
class RiskScore:
    score: float
    """0-100, one decimal."""
    parts: tuple[RiskPart, ...]


@dataclass(frozen=True, slots=True)
class FindingDecision:
    """The policy's decision for one finding."""

    fingerprint: str
    kind: FindingKind
    finding_id: str
    """The vulnerability id, secret rule id, check id, or `licence:<id>`."""
    decision: Decision
    rules: tuple[str, ...]
    """The policy rules that matched it (empty when none did)."""
    reason: str
    """One sentence saying why: which rule, which threshold, or what suppressed it."""
    risk: RiskScore
    suppressed_by: Suppression | None = None
    annotations: tuple[VexAnnotation, ...] = ()
    in_baseline: bool | None = None
    """With a baseline: True when the baseline already had it (it cannot fail the
    policy), False when the change introduced it; None without a baseline."""
    subject: str | None = None
    """The package purl the finding is about, when it is about a package."""


@dataclass(frozen=True, slots=True)
class ExpiredIgnore:
    """An ignore whose expiry date has passed: it no longer applies, and the report says so."""

    source: str
    entry: str
    """`ignores[3]`."""
    selector: str
    """What it matched on, for humans: `id CVE-2023-44487, package nginx`."""
    reason: str
    owner: str
    expires: str
    would_match: int
    """How many findings of this scan it would have suppressed."""


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A rule over the scan as a whole (a maximum count) that was exceeded."""

    rule: str
    decision: Decision
    message: str


class Grade(Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    F = "F"


@dataclass(frozen=True, slots=True)
class ImageRisk:
    """The image's risk: a 0-100 score and its grade (docs/risk.md, "Image score")."""

    score: float
    grade: Grade
    explanation: str


class RemediationKind(Enum):
    PACKAGE = "package"
    """Upgrade one package."""
    BASE_IMAGE = "base-image"
    """Rebuild on an updated base image: the fixes are in packages the base layers installed."""


@dataclass(frozen=True, slots=True)
class Remediation:
    """One action that fixes findings, with what it fixes; the plan lists the biggest first."""

    kind: RemediationKind
    target: str
    """The package name, or the base image (its top build step)."""
    fixes: tuple[str, ...]
    """Fingerprints of the findings it fixes."""
    fixed_ids: tuple[str, ...]
    """Their vulnerability ids, sorted, for humans."""
    max_risk: float
    """The highest risk score among them."""
    purl: str | None = None
    installed: str | None = None
    upgrade_to: str | None = None
    """The lowest version fixing every fixable finding of the package."""
    layers: tuple[int, ...] = ()
    unfixed_ids: tuple[str, ...] = ()
    """Vulnerabilities of the same target that have no fix yet."""

    @property
    def summary(self) -> str:
        count = len(self.fixes)
        noun = "finding" if count == 1 else "findings"
        if self.kind is RemediationKind.BASE_IMAGE:
            return f"rebuild on an updated base image ({self.target}): fixes {count} {noun}"
        return f"upgrade {self.target} {self.installed} → {self.upgrade_to}: fixes {count} {noun}"


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """The verdict and every decision behind it."""

    verdict: Verdict
    decisions: tuple[FindingDecision, ...]
    """One per finding of the scan (vulnerabilities, secrets, misconfigurations)
    and per denied licence, most urgent first (risk score, then decision)."""
    violations: tuple[RuleViolation, ...] = ()
    expired_ignores: tuple[ExpiredIgnore, ...] = ()
    image_risk: ImageRisk | None = None
    policy: str | None = None
    """The policy's name, or its file, or None for the built-in default."""
    context: BusinessContext = field(default_factory=BusinessContext)
    baseline: str | None = None
    """What the baseline was (a saved result's image reference and scan time)."""
    vex_documents: tuple[str, ...] = ()
    evaluated_at: str | None = None
    """The date ignores were checked for expiry against (RFC 3339)."""
    remediations: tuple[Remediation, ...] = ()
    """What to do, the action fixing the most findings first (docs/risk.md, "Remediation")."""
    base_layers: int | None = None
    """How many bottom layers the base image made (from the history); None when unknown."""

    def decision_for(self, fingerprint: str) -> FindingDecision | None:
        for decision in self.decisions:
            if decision.fingerprint == fingerprint:
                return decision
        return None

    def by_fingerprint(self) -> dict[str, FindingDecision]:
        return {decision.fingerprint: decision for decision in self.decisions}
