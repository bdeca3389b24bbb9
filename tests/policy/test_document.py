"""Policy files: what a valid one means, and errors that point at the line."""

import datetime as dt
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.model.finding import Severity
from seawall.model.policy import Criticality, DataClass, FindingKind
from seawall.policy import PolicyFileError, load_policy, parse_policy
from seawall.policy.rules import (
    Action,
    CountRule,
    LicenceRule,
    MisconfigRule,
    SecretRule,
    VulnerabilityRule,
)

FULL = """\
version: 1
name: shop-api production gate
rules:
  - name: fixable-high
    vulnerability: {severity: high, fixable: true}
  - name: known-exploited
    vulnerability: {kev: true}
  - name: likely-exploited
    action: warn
    vulnerability: {epss: 0.1}
  - name: leaked-credentials
    secret: {}
  - name: dockerfile
    misconfiguration: {severity: High, checks: [SW-DF-0010]}
  - name: copyleft
    licence: {deny: [AGPL-3.0-only, AGPL-3.0-or-later]}
  - name: not-too-many
    action: warn
    max: {kind: vulnerability, severity: medium, count: 25}
ignores:
  - id: [CVE-2023-44487, DSA-5540-1]
    package: nginx
    reason: HTTP/2 is disabled in our nginx.conf
    owner: platform-team@example.com
    expires: 2027-01-31
    justification: vulnerable_code_not_in_execute_path
  - path: /app/tests/*
    reason: test fixtures hold fake keys
    owner: alice
    expires: 2026-12-01
context:
  internet_facing: true
  data: [personal, payment]
  criticality: high
"""


def test_a_full_policy_reads_into_values() -> None:
    policy = parse_policy(FULL, "policy.yaml")
    assert policy.name == "shop-api production gate"
    rules = {rule.name: rule for rule in policy.rules}
    assert rules["fixable-high"].condition == VulnerabilityRule(Severity.HIGH, fixable=True)
    assert rules["fixable-high"].action is Action.FAIL
    assert rules["known-exploited"].condition == VulnerabilityRule(kev=True)
    assert rules["likely-exploited"].action is Action.WARN
    assert rules["likely-exploited"].condition == VulnerabilityRule(epss=0.1)
    assert rules["leaked-credentials"].condition == SecretRule()
    assert rules["dockerfile"].condition == MisconfigRule(Severity.HIGH, frozenset({"SW-DF-0010"}))
    assert rules["copyleft"].condition == LicenceRule(
        frozenset({"agpl-3.0-only", "agpl-3.0-or-later"})
    )
    assert rules["not-too-many"].condition == CountRule(
        FindingKind.VULNERABILITY, 25, Severity.MEDIUM
    )
    first, second = policy.ignores
    assert first.ids == frozenset({"CVE-2023-44487", "DSA-5540-1"})
    assert first.package == "nginx"
    assert first.expires == dt.date(2027, 1, 31)
    assert first.justification == "vulnerable_code_not_in_execute_path"
    assert first.where == "policy.yaml ignores[0]"
    assert second.path == "/app/tests/*"
    assert policy.context.internet_facing is True
    assert policy.context.data_classes == frozenset({DataClass.PERSONAL, DataClass.PAYMENT})
    assert policy.context.criticality is Criticality.HIGH


def _error(text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, "gate.yaml")
    assert isinstance(caught.value, InputError)
    return caught.value


def test_a_wrong_value_is_reported_at_its_line_and_column() -> None:
    error = _error("version: 1\nrules:\n  - name: a\n    vulnerability:\n      severity: severe\n")
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.startswith("gate.yaml:5:17: rules[0].vulnerability.severity:")
    assert "unknown severity 'severe'" in problem


def test_every_problem_is_listed_each_with_its_line() -> None:
    text = (
        "version: 1\n"
        "rules:\n"
        "  - vulnerability: {epss: 1.5}\n"
        "  - action: block\n"
        "    secret: {}\n"
        "ignores:\n"
        "  - id: CVE-2024-1\n"
        "    owner: bob\n"
        "    expires: 2026-13-01\n"
        "    colour: red\n"
    )
    problems = _error(text).problems
    assert any(p.startswith("gate.yaml:3:27: rules[0].vulnerability.epss:") for p in problems)
    assert any(p.startswith("gate.yaml:4:13: rules[1].action:") for p in problems)
    # A missing field points at the mapping that lacks it.
    assert any(p.startswith("gate.yaml:7:5: ignores[0].reason: Field required") for p in problems)
    assert any(p.startswith("gate.yaml:9:14: ignores[0].expires:") for p in problems)
    assert any(p.startswith("gate.yaml:10:13: ignores[0].colour: Extra inputs") for p in problems)


def test_a_rule_needs_exactly_one_selector() -> None:
    problems = _error(
        "version: 1\nrules:\n  - name: both\n    secret: {}\n    vulnerability: {}\n"
    ).problems
    assert problems[0].startswith("gate.yaml:3:5: rules[0]:")
    assert "exactly one of" in problems[0] and "(it has vulnerability, secret)" in problems[0]


def test_an_ignore_without_a_selector_or_owner_is_refused() -> None:
    problems = _error(
        "version: 1\nignores:\n  - reason: because\n    owner: me\n    expires: 2027-01-01\n"
    ).problems
    assert "at least one of id, package, purl, path, fingerprint" in problems[0]
    assert problems[0].startswith("gate.yaml:3:5: ignores[0]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nrules: [\n", "line 3"),
        ("- just\n- a list\n", "a policy is a mapping"),
        ("version: 2\n", "version"),
        ("", "a policy is a mapping"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases are not allowed"),
        ("version: 1\nversion: 1\n", "duplicate key 'version'"),
        ("version: 1\ncontext: {data: [gossip]}\n", "unknown data class 'gossip'"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(text: str, expected: str) -> None:
    assert expected in str(_error(text))


def test_a_billion_laughs_document_is_refused_before_it_expands() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    assert "aliases are not allowed" in str(_error("\n".join(lines) + "\n"))


def test_deep_nesting_is_refused() -> None:
    assert "nested deeper" in str(_error("x: " + "[" * 200 + "]" * 200 + "\n"))
    # Deep enough that PyYAML's composer itself runs out of recursion.
    assert "nested deeper" in str(_error("x: " + "[" * 100_000 + "]" * 100_000 + "\n"))
    assert "nested deeper" in str(_error("x: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n"))


def test_files_are_read_bounded_and_named(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(FULL)
    assert load_policy(path).source == str(path)
    with pytest.raises(PolicyFileError, match="no such file"):
        load_policy(tmp_path / "missing.yaml")
    with pytest.raises(PolicyFileError, match="is a directory"):
        load_policy(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (4 * 1024 * 1024 + 1))
    with pytest.raises(PolicyFileError, match="larger than"):
        load_policy(big)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\nname: \xff\xfe\n")
    with pytest.raises(PolicyFileError, match="not UTF-8"):
        load_policy(binary)


def test_duplicate_rule_names_are_refused() -> None:
    assert "duplicate rule name 'x'" in str(
        _error("version: 1\nrules:\n  - {name: x, secret: {}}\n  - {name: x, secret: {}}\n")
    )
