"""Reading a policy file (YAML, docs/policy.md) into a `Policy`, with errors that name the line.

The file is validated with pydantic (a trust boundary, DESIGN.md §6); each
pydantic error location is mapped to the YAML node it came from
(`yamlmarks.validation_problems`), so a mistake reads
`policy.yaml:14:17: rules[1].vulnerability.epss: Input should be less than or equal to 1`.
"""

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from seawall.model.finding import Severity
from seawall.model.policy import FindingKind
from seawall.policy.contextfile import ContextDocument
from seawall.policy.errors import PolicyFileError
from seawall.policy.rules import (
    Action,
    Condition,
    CountRule,
    Ignore,
    LicenceRule,
    MisconfigRule,
    Policy,
    Rule,
    SecretRule,
    VulnerabilityRule,
)
from seawall.policy.yamlmarks import (
    UnreadableTextError,
    YamlShapeError,
    load_marked,
    read_text_bounded,
    validation_problems,
)

MAX_POLICY_BYTES = 4 * 1024 * 1024
"""A policy file is written by hand; anything larger is a mistake or an attack."""
SCHEMA_VERSION = 1


def _severity(value: str | None) -> str | None:
    return None if value is None else Severity.checked(value)


def _to_severity(value: str | None) -> Severity | None:
    return None if value is None else Severity.parse(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VulnerabilityConditions(_Strict):
    severity: str | None = None
    fixable: bool | None = None
    kev: bool | None = None
    epss: float | None = Field(default=None, ge=0, le=1)
    risk: float | None = Field(default=None, ge=0, le=100)

    _check_severity = field_validator("severity")(_severity)


class SecretConditions(_Strict):
    severity: str | None = None

    _check_severity = field_validator("severity")(_severity)


class MisconfigConditions(_Strict):
    severity: str | None = None
    checks: list[str] = Field(default_factory=list, max_length=1000)

    _check_severity = field_validator("severity")(_severity)


class LicenceConditions(_Strict):
    deny: list[str] = Field(min_length=1, max_length=1000)


class CountConditions(_Strict):
    kind: Literal["vulnerability", "secret", "misconfiguration"]
    count: int = Field(ge=0)
    severity: str | None = None

    _check_severity = field_validator("severity")(_severity)


_SELECTORS = ("vulnerability", "secret", "misconfiguration", "licence", "max")


class RuleDocument(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    action: Literal["fail", "warn"] = "fail"
    vulnerability: VulnerabilityConditions | None = None
    secret: SecretConditions | None = None
    misconfiguration: MisconfigConditions | None = None
    licence: LicenceConditions | None = None
    max: CountConditions | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> "RuleDocument":
        given = [name for name in _SELECTORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a rule needs exactly one of {', '.join(_SELECTORS)}"
                + (f" (it has {', '.join(given)})" if given else "")
            )
        return self

    def to_rule(self, index: int, source: str) -> Rule:
        condition: Condition
        if self.vulnerability is not None:
            v = self.vulnerability
            condition = VulnerabilityRule(
                _to_severity(v.severity), v.fixable, v.kev, v.epss, v.risk
            )
            selector = "vulnerability"
        elif self.secret is not None:
            condition = SecretRule(_to_severity(self.secret.severity))
            selector = "secret"
        elif self.misconfiguration is not None:
            m = self.misconfiguration
            condition = MisconfigRule(_to_severity(m.severity), frozenset(m.checks))
            selector = "misconfiguration"
        elif self.licence is not None:
            condition = LicenceRule(frozenset(d.strip().lower() for d in self.licence.deny))
            selector = "licence"
        else:
            assert self.max is not None
            condition = CountRule(
                FindingKind(self.max.kind), self.max.count, _to_severity(self.max.severity)
            )
            selector = "max"
        return Rule(
            name=self.name or f"{selector}-{index}",
            action=Action(self.action),
            condition=condition,
            where=f"{source} rules[{index}]",
        )


class IgnoreDocument(_Strict):
    id: str | list[str] | None = None
    package: str | None = Field(default=None, min_length=1)
    purl: str | None = Field(default=None, min_length=5)
    path: str | None = Field(default=None, min_length=1)
    fingerprint: str | None = Field(default=None, min_length=8)
    reason: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=200)
    expires: dt.date
    created: dt.date | None = None
    justification: (
        Literal[
            "component_not_present",
            "vulnerable_code_not_present",
            "vulnerable_code_not_in_execute_path",
            "vulnerable_code_cannot_be_controlled_by_adversary",
            "inline_mitigations_already_exist",
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _selects_something(self) -> "IgnoreDocument":
        if not (self.id or self.package or self.purl or self.path or self.fingerprint):
            raise ValueError("an ignore needs at least one of id, package, purl, path, fingerprint")
        if self.package and self.purl:
            raise ValueError("give package or purl, not both")
        return self

    def to_ignore(self, index: int, source: str) -> Ignore:
        ids = [self.id] if isinstance(self.id, str) else list(self.id or [])
        return Ignore(
            reason=self.reason.strip(),
            owner=self.owner.strip(),
            expires=self.expires,
            ids=frozenset(i.strip().upper() for i in ids if i.strip()),
            package=self.purl or self.package,
            path=self.path,
            fingerprint=self.fingerprint,
            justification=self.justification,
            created=self.created,
            where=f"{source} ignores[{index}]",
        )


class PolicyDocument(_Strict):
    version: Literal[1]
    name: str | None = Field(default=None, max_length=200)
    rules: list[RuleDocument] = Field(default_factory=list, max_length=1000)
    ignores: list[IgnoreDocument] = Field(default_factory=list, max_length=100_000)
    context: ContextDocument | None = None

    def to_policy(self, source: str) -> Policy:
        names: set[str] = set()
        rules = []
        for index, document in enumerate(self.rules):
            rule = document.to_rule(index, source)
            if rule.name in names:
                raise ValueError(f"rules[{index}]: duplicate rule name {rule.name!r}")
            names.add(rule.name)
            rules.append(rule)
        return Policy(
            rules=tuple(rules),
            ignores=tuple(doc.to_ignore(i, source) for i, doc in enumerate(self.ignores)),
            name=self.name,
            source=source,
            context=self.context.to_context() if self.context else Policy().context,
        )


def parse_policy(text: str, source: str) -> Policy:
    """A policy from YAML text; `source` names it in messages."""
    try:
        document = load_marked(text)
    except YamlShapeError as error:
        raise PolicyFileError(source, [f"{source}: {error}"]) from None
    if not isinstance(document.data, dict):
        raise PolicyFileError(source, [f"{source}:1:1: a policy is a mapping with `version: 1`"])
    data: dict[str, Any] = document.data
    try:
        parsed = PolicyDocument.model_validate(data)
        return parsed.to_policy(source)
    except ValidationError as error:
        raise PolicyFileError(source, validation_problems(source, document, error)) from None
    except ValueError as error:
        raise PolicyFileError(source, [f"{source}: {error}"]) from None


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file; PolicyFileError lists every problem with its line."""
    try:
        text = read_text_bounded(path, MAX_POLICY_BYTES, "policy file")
    except UnreadableTextError as error:
        raise PolicyFileError(path, [str(error)]) from None
    return parse_policy(text, str(path))
