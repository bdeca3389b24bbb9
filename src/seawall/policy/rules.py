"""A policy as values: rules, ignores and the business context, after validation.

`document.py` turns a YAML file into these; `engine.py` applies them. The
built-in default (`default_policy`) fails on nothing unless asked, which is
what `seawall scan` without `--policy` and `--fail-on` does (trivy's habit).
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from seawall.model.finding import Severity
from seawall.model.policy import BusinessContext, Decision, FindingKind


class Action(Enum):
    FAIL = "fail"
    WARN = "warn"

    @property
    def decision(self) -> Decision:
        return Decision.FAIL if self is Action.FAIL else Decision.WARN


@dataclass(frozen=True, slots=True)
class VulnerabilityRule:
    """Matches vulnerabilities meeting every condition given (None = no condition)."""

    severity: Severity | None = None
    """At least this severity."""
    fixable: bool | None = None
    """True: only those with a fix; False: only those without."""
    kev: bool | None = None
    """True: only those in CISA KEV; False: only those not in it."""
    epss: float | None = None
    """EPSS probability at least this (0-1)."""
    risk: float | None = None
    """Risk score at least this (0-100)."""


@dataclass(frozen=True, slots=True)
class SecretRule:
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class MisconfigRule:
    severity: Severity | None = None
    checks: frozenset[str] = frozenset()
    """Only these check ids; empty means every check."""


@dataclass(frozen=True, slots=True)
class LicenceRule:
    deny: frozenset[str]
    """Licence ids or names, compared case-insensitively; a compound SPDX
    expression is denied when any licence it names is denied."""


@dataclass(frozen=True, slots=True)
class CountRule:
    """More than `maximum` findings of a kind (at least `severity`) breaks the rule."""

    kind: FindingKind
    maximum: int
    severity: Severity | None = None


Condition = VulnerabilityRule | SecretRule | MisconfigRule | LicenceRule | CountRule


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    action: Action
    condition: Condition
    where: str = ""
    """`rules[2]` (and the file), for messages."""


@dataclass(frozen=True, slots=True)
class Ignore:
    """Takes matching findings out of the verdict until `expires` (inclusive, UTC)."""

    reason: str
    owner: str
    expires: dt.date
    ids: frozenset[str] = frozenset()
    """Vulnerability ids or aliases, secret rule ids, check ids (case-insensitive)."""
    package: str | None = None
    """A package name, or a purl (matched without version unless it has one)."""
    path: str | None = None
    """A path or glob (`/app/tests/*`) of the evidence or finding location."""
    fingerprint: str | None = None
    justification: str | None = None
    """OpenVEX justification written into VEX output (`vulnerable_code_not_in_execute_path`)."""
    created: dt.date | None = None
    where: str = ""
    """`ignores[0]`, for messages and suppression records."""

    def describe(self) -> str:
        parts = []
        if self.ids:
            parts.append("id " + "/".join(sorted(self.ids)))
        if self.package:
            parts.append(f"package {self.package}")
        if self.path:
            parts.append(f"path {self.path}")
        if self.fingerprint:
            parts.append(f"fingerprint {self.fingerprint[:16]}…")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Policy:
    rules: tuple[Rule, ...] = ()
    ignores: tuple[Ignore, ...] = ()
    name: str | None = None
    source: str | None = None
    """The file it was read from."""
    context: BusinessContext = field(default_factory=BusinessContext)
    """Business context the file declares; command-line options override it."""


def default_policy(fail_on: Severity | None = None, only_fixed: bool = False) -> Policy:
    """The policy `--fail-on SEVERITY [--ignore-unfixed]` means without a policy file.

    Without `fail_on` nothing fails: a scan reports, the user decides.
    """
    if fail_on is None:
        return Policy(name="default")
    rule = Rule(
        name=f"fail-on-{fail_on.value}",
        action=Action.FAIL,
        condition=VulnerabilityRule(severity=fail_on, fixable=True if only_fixed else None),
        where="--fail-on",
    )
    return Policy(rules=(rule,), name="default")
