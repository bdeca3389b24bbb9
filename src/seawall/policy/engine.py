"""`apply_policy`: findings in, a decision per finding and a verdict out.

Order of decisions for each finding:

1. An active ignore (not past its expiry date) that matches suppresses it.
   Ignores past expiry never apply; each is reported with how many findings
   it would have matched.
2. Otherwise the VEX statements about it: the latest (by timestamp, then
   document order, as OpenVEX says later statements supersede) decides; if it
   is `not_affected` with a justification or impact statement, or `fixed`, it
   suppresses; every other applicable statement is kept as an annotation.
3. Otherwise every rule that matches it; the strongest action wins (fail
   over warn); no rule → pass.
4. With a baseline, a finding the baseline already had (same fingerprint)
   cannot fail: fail becomes warn, and count rules count only new findings.

The verdict fails when any finding or count rule fails.
"""

import datetime as dt
import fnmatch
import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, replace

from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.model.policy import (
    BusinessContext,
    Decision,
    ExpiredIgnore,
    FindingDecision,
    FindingKind,
    PolicyResult,
    RiskScore,
    RuleViolation,
    Suppression,
    SuppressionKind,
    Verdict,
    VexAnnotation,
)
from seawall.model.scan import ScanResult
from seawall.policy import risk as scoring
from seawall.policy.layers import base_layer_count, on_path, path_directories
from seawall.policy.remediation import VersionCompare, plan
from seawall.policy.rules import (
    CountRule,
    Ignore,
    LicenceRule,
    MisconfigRule,
    Policy,
    Rule,
    SecretRule,
    VulnerabilityRule,
    default_policy,
)
from seawall.policy.vex.statement import VexStatement, purl_matches


@dataclass(frozen=True, slots=True)
class _Subject:
    """A finding of any kind, reduced to what rules, ignores and VEX statements look at."""

    kind: FindingKind
    fingerprint: str
    finding_id: str
    ids: frozenset[str]
    severity: Severity
    paths: tuple[str, ...]
    risk: RiskScore
    package: Package | None = None
    fixable: bool | None = None
    kev: bool = False
    epss: float | None = None
    licence: str | None = None


def licence_fingerprint(purl: str, licence: str) -> str:
    """Stable identity of "this package carries this denied licence"."""
    return hashlib.sha256(f"licence\0{purl}\0{licence.lower()}".encode()).hexdigest()


def _licence_names(value: str) -> set[str]:
    """Licence ids a licence string names (an SPDX expression names several)."""
    cleaned = value.replace("(", " ").replace(")", " ")
    words = {w for w in cleaned.split() if w.upper() not in ("AND", "OR", "WITH")}
    return {w.lower() for w in words} | {value.strip().lower()}


def _slash(path: str) -> str:
    return posixpath.normpath("/" + path.lstrip("/"))


def _subjects(result: ScanResult, policy: Policy, context: BusinessContext) -> list[_Subject]:
    base = base_layer_count(result.image)
    directories = path_directories(result.image)
    subjects: list[_Subject] = []
    for finding in result.vulnerabilities:
        subjects.append(
            _Subject(
                kind=FindingKind.VULNERABILITY,
                fingerprint=finding.fingerprint,
                finding_id=finding.id,
                ids=frozenset(i.upper() for i in (finding.id, *finding.aliases)),
                severity=finding.severity,
                paths=tuple(_slash(loc.path) for loc in finding.package.locations),
                risk=scoring.vulnerability_risk(
                    finding,
                    base_layers=base,
                    on_path=on_path(finding.package, directories),
                    context=context,
                ),
                package=finding.package,
                fixable=finding.fixable,
                kev=finding.kev is not None,
                epss=None if finding.epss is None else finding.epss.score,
            )
        )
    for secret in result.secrets:
        path = secret.location.path
        subjects.append(
            _Subject(
                kind=FindingKind.SECRET,
                fingerprint=secret.fingerprint,
                finding_id=secret.rule_id,
                ids=frozenset({secret.rule_id.upper()}),
                severity=secret.severity,
                paths=(_slash(path),) if path else (),
                risk=scoring.secret_risk(secret, base_layers=base, context=context),
            )
        )
    for misconfig in result.misconfigurations:
        subjects.append(
            _Subject(
                kind=FindingKind.MISCONFIGURATION,
                fingerprint=misconfig.fingerprint,
                finding_id=misconfig.check_id,
                ids=frozenset({misconfig.check_id.upper()}),
                severity=misconfig.severity,
                paths=(_slash(misconfig.path),) if misconfig.path else (),
                risk=scoring.misconfig_risk(misconfig, base_layers=base, context=context),
            )
        )
    subjects.extend(_licence_subjects(result, policy))
    return subjects


def _licence_subjects(result: ScanResult, policy: Policy) -> list[_Subject]:
    denied: set[str] = set()
    for rule in policy.rules:
        if isinstance(rule.condition, LicenceRule):
            denied |= rule.condition.deny
    if not denied:
        return []
    subjects = []
    seen: set[str] = set()
    for package in result.inventory.packages:
        for licence in package.licenses:
            if not licence or not (_licence_names(licence) & denied):
                continue
            fingerprint = licence_fingerprint(package.purl, licence)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            subjects.append(
                _Subject(
                    kind=FindingKind.LICENCE,
                    fingerprint=fingerprint,
                    finding_id=f"licence:{licence}",
                    ids=frozenset({f"LICENCE:{licence.upper()}", licence.upper()}),
                    severity=Severity.UNKNOWN,
                    paths=tuple(_slash(loc.path) for loc in package.locations),
                    risk=scoring.licence_risk(),
                    package=package,
                    licence=licence,
                )
            )
    return subjects


def _at_least(severity: Severity, minimum: Severity | None) -> bool:
    return minimum is None or severity.rank >= minimum.rank


def _rule_matches(rule: Rule, subject: _Subject) -> bool:
    condition = rule.condition
    if isinstance(condition, VulnerabilityRule):
        return (
            subject.kind is FindingKind.VULNERABILITY
            and _at_least(subject.severity, condition.severity)
            and (condition.fixable is None or subject.fixable == condition.fixable)
            and (condition.kev is None or subject.kev == condition.kev)
            and (
                condition.epss is None
                or (subject.epss is not None and subject.epss >= condition.epss)
            )
            and (condition.risk is None or subject.risk.score >= condition.risk)
        )
    if isinstance(condition, SecretRule):
        return subject.kind is FindingKind.SECRET and _at_least(
            subject.severity, condition.severity
        )
    if isinstance(condition, MisconfigRule):
        return (
            subject.kind is FindingKind.MISCONFIGURATION
            and _at_least(subject.severity, condition.severity)
            and (
                not condition.checks
                or subject.finding_id.lower() in {c.lower() for c in condition.checks}
            )
        )
    if isinstance(condition, LicenceRule):
        return (
            subject.kind is FindingKind.LICENCE
            and subject.licence is not None
            and bool(_licence_names(subject.licence) & condition.deny)
        )
    return False


def _describe(rule: Rule) -> str:
    condition = rule.condition
    words: list[str] = []
    if isinstance(condition, VulnerabilityRule):
        if condition.severity is not None:
            words.append(f"severity ≥ {condition.severity.value}")
        if condition.fixable is not None:
            words.append("fixable" if condition.fixable else "no fix yet")
        if condition.kev is not None:
            words.append("in KEV" if condition.kev else "not in KEV")
        if condition.epss is not None:
            words.append(f"EPSS ≥ {condition.epss:g}")
        if condition.risk is not None:
            words.append(f"risk ≥ {condition.risk:g}")
        return f"{rule.name} ({', '.join(words) or 'any vulnerability'})"
    if isinstance(condition, SecretRule | MisconfigRule):
        kind = "secret" if isinstance(condition, SecretRule) else "misconfiguration"
        if condition.severity is not None:
            return f"{rule.name} ({kind}, severity ≥ {condition.severity.value})"
        return f"{rule.name} (any {kind})"
    if isinstance(condition, LicenceRule):
        return f"{rule.name} (denied licence)"
    return rule.name


def _ignore_matches(ignore: Ignore, subject: _Subject) -> bool:
    if ignore.fingerprint is not None and ignore.fingerprint != subject.fingerprint:
        return False
    if ignore.ids and not ignore.ids & subject.ids:
        return False
    if ignore.package is not None:
        package = subject.package
        if package is None:
            return False
        if ignore.package.startswith("pkg:"):
            if not purl_matches(ignore.package, package.purl):
                return False
        elif ignore.package.lower() not in {
            package.name.lower(),
            (package.source_name or package.name).lower(),
        }:
            return False
    if ignore.path is not None:
        pattern = _slash(ignore.path)
        if not any(fnmatch.fnmatchcase(path, pattern) for path in subject.paths):
            return False
    return True


def _ignore_suppression(ignore: Ignore, policy: Policy) -> Suppression:
    return Suppression(
        kind=SuppressionKind.IGNORE,
        source=policy.source or "policy",
        statement=ignore.where.rsplit(" ", 1)[-1],
        reason=ignore.reason,
        justification=ignore.justification,
        owner=ignore.owner,
        expires=ignore.expires.isoformat(),
        timestamp=None if ignore.created is None else ignore.created.isoformat(),
    )


def _vex_order(indexed: tuple[int, VexStatement]) -> tuple[str, int]:
    return (indexed[1].timestamp or "", indexed[0])


def _vex_outcome(
    subject: _Subject, statements: Sequence[VexStatement], result: ScanResult
) -> tuple[Suppression | None, tuple[VexAnnotation, ...]]:
    if subject.kind is not FindingKind.VULNERABILITY:
        return None, ()
    applicable = [
        (index, s)
        for index, s in enumerate(statements)
        if s.applies_to(subject.ids, subject.package, result.image)
    ]
    if not applicable:
        return None, ()
    applicable.sort(key=_vex_order)
    _, latest = applicable[-1]
    suppression: Suppression | None = None
    notes = applicable
    if latest.suppresses:
        suppression = Suppression(
            kind=SuppressionKind.VEX,
            source=latest.source,
            statement=latest.ref,
            reason=latest.detail or latest.justification or latest.status.value,
            status=latest.status.value,
            justification=latest.justification,
            owner=latest.author,
            timestamp=latest.timestamp,
        )
        notes = applicable[:-1]
    annotations = tuple(
        VexAnnotation(s.source, s.ref, s.status.value, s.detail or s.justification)
        for _, s in notes
    )
    return suppression, annotations


def _decide(
    subject: _Subject,
    rules: Sequence[Rule],
    active: Sequence[Ignore],
    policy: Policy,
    vex: Sequence[VexStatement],
    result: ScanResult,
) -> FindingDecision:
    for ignore in active:
        if _ignore_matches(ignore, subject):
            reason = (
                f"ignored by {ignore.where} until {ignore.expires.isoformat()}"
                f" ({ignore.owner}): {ignore.reason}"
            )
            return _decided(
                subject,
                Decision.SUPPRESSED,
                reason,
                suppressed_by=_ignore_suppression(ignore, policy),
            )
    suppression, annotations = _vex_outcome(subject, vex, result)
    if suppression is not None:
        reason = (
            f"VEX {suppression.status} in {suppression.source} ({suppression.statement}):"
            f" {suppression.reason}"
        )
        return _decided(
            subject,
            Decision.SUPPRESSED,
            reason,
            suppressed_by=suppression,
            annotations=annotations,
        )
    matched = [rule for rule in rules if _rule_matches(rule, subject)]
    if matched:
        decision = max((rule.action.decision for rule in matched), key=lambda d: d.rank)
        reason = f"{decision.value}: " + "; ".join(_describe(rule) for rule in matched)
    else:
        decision, reason = Decision.PASS, "no rule matched"
    return _decided(
        subject,
        decision,
        reason,
        rules=tuple(rule.name for rule in matched),
        annotations=annotations,
    )


def _decided(
    subject: _Subject,
    decision: Decision,
    reason: str,
    *,
    rules: tuple[str, ...] = (),
    suppressed_by: Suppression | None = None,
    annotations: tuple[VexAnnotation, ...] = (),
) -> FindingDecision:
    return FindingDecision(
        fingerprint=subject.fingerprint,
        kind=subject.kind,
        finding_id=subject.finding_id,
        decision=decision,
        rules=rules,
        reason=reason,
        risk=subject.risk,
        suppressed_by=suppressed_by,
        annotations=annotations,
        subject=None if subject.package is None else subject.package.purl,
    )


def _baseline_fingerprints(baseline: ScanResult, policy: Policy) -> set[str]:
    fingerprints = {f.fingerprint for f in baseline.vulnerabilities}
    fingerprints |= {f.fingerprint for f in baseline.secrets}
    fingerprints |= {f.fingerprint for f in baseline.misconfigurations}
    fingerprints |= {s.fingerprint for s in _licence_subjects(baseline, policy)}
    return fingerprints


def _with_baseline(decision: FindingDecision, known: set[str]) -> FindingDecision:
    in_baseline = decision.fingerprint in known
    if in_baseline and decision.decision is Decision.FAIL:
        return replace(
            decision,
            decision=Decision.WARN,
            in_baseline=True,
            reason=decision.reason + " (already in the baseline: only new findings fail)",
        )
    return replace(decision, in_baseline=in_baseline)


def _counts(
    rules: Sequence[Rule], subjects: Sequence[_Subject], decisions: dict[str, FindingDecision]
) -> list[RuleViolation]:
    violations = []
    for rule in rules:
        condition = rule.condition
        if not isinstance(condition, CountRule):
            continue
        counted = [
            s
            for s in subjects
            if s.kind is condition.kind
            and _at_least(s.severity, condition.severity)
            and decisions[s.fingerprint].decision is not Decision.SUPPRESSED
            and decisions[s.fingerprint].in_baseline is not True
        ]
        if len(counted) > condition.maximum:
            severity = f" of severity ≥ {condition.severity.value}" if condition.severity else ""
            violations.append(
                RuleViolation(
                    rule=rule.name,
                    decision=rule.action.decision,
                    message=(
                        f"{len(counted)} {condition.kind.value} findings{severity},"
                        f" more than the {condition.maximum} allowed"
                    ),
                )
            )
    return violations


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def apply_policy(
    result: ScanResult,
    policy: Policy | None = None,
    vex: Sequence[VexStatement] = (),
    baseline: ScanResult | None = None,
    context: BusinessContext | None = None,
    *,
    now: dt.datetime | None = None,
    compare: VersionCompare | None = None,
    vex_documents: Sequence[str] = (),
) -> PolicyResult:
    """Decide every finding of `result` (see the module docstring).

    `context` overrides the policy file's; `now` is when ignores are checked for
    expiry (default: the current UTC time); `compare` orders versions for the
    remediation plan (pass `seawall.versions.compare`).
    """
    policy = policy or default_policy()
    context = context if context is not None else policy.context
    now = now or _utc_now()
    today = now.astimezone(dt.UTC).date()
    subjects = _subjects(result, policy, context)
    active = [ignore for ignore in policy.ignores if ignore.expires >= today]
    expired = [
        ExpiredIgnore(
            source=policy.source or "policy",
            entry=ignore.where.rsplit(" ", 1)[-1],
            selector=ignore.describe(),
            reason=ignore.reason,
            owner=ignore.owner,
            expires=ignore.expires.isoformat(),
            would_match=sum(1 for s in subjects if _ignore_matches(ignore, s)),
        )
        for ignore in policy.ignores
        if ignore.expires < today
    ]
    decisions = {
        s.fingerprint: _decide(s, policy.rules, active, policy, vex, result) for s in subjects
    }
    if baseline is not None:
        known = _baseline_fingerprints(baseline, policy)
        decisions = {fp: _with_baseline(d, known) for fp, d in decisions.items()}
    violations = _counts(policy.rules, subjects, decisions)
    ordered = sorted(
        decisions.values(),
        key=lambda d: (-d.risk.score, -d.decision.rank, d.kind.value, d.finding_id, d.fingerprint),
    )
    failed = any(d.decision is Decision.FAIL for d in ordered) or any(
        v.decision is Decision.FAIL for v in violations
    )
    live = [d for d in ordered if d.decision is not Decision.SUPPRESSED]
    live_fingerprints = {d.fingerprint for d in live}
    risk_by_fingerprint = {d.fingerprint: d.risk.score for d in ordered}
    remediations = plan(
        (f for f in result.vulnerabilities if f.fingerprint in live_fingerprints),
        risk_by_fingerprint,
        base_layer_count(result.image),
        compare,
    )
    baseline_text = None
    if baseline is not None:
        subject = baseline.image.reference if baseline.image is not None else "a saved result"
        baseline_text = f"{subject} scanned {baseline.scanned_at}"
    return PolicyResult(
        verdict=Verdict.FAILED if failed else Verdict.PASSED,
        decisions=tuple(ordered),
        violations=tuple(violations),
        expired_ignores=tuple(expired),
        image_risk=scoring.image_risk(
            d.risk.score for d in live if d.kind is not FindingKind.LICENCE
        ),
        policy=policy.name or policy.source,
        context=context,
        baseline=baseline_text,
        vex_documents=tuple(vex_documents) or tuple(dict.fromkeys(s.source for s in vex)),
        evaluated_at=now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        remediations=remediations,
        base_layers=base_layer_count(result.image),
    )
