"""The engine's shortcuts give the answers of the slow paths they replace."""

import re

import pytest

from seawall.analyze.secrets import SecretEngine, builtin_rules, builtin_version
from seawall.analyze.secrets.engine import _faster
from seawall.analyze.secrets.rules import RulesError, parse_rules
from tests.analyze.secrets.samples import aws_key_id, aws_secret

PATHS = [
    "/srv/app/tests/fixtures/creds.env",
    "/tests/x",
    "tests/x",
    "/srv/contests/x",
    "/srv/app/test",
    "/home/u/.netrc",
    "/home/u/x.netrc",
    "/root/.kube/config",
    "/etc/prod.kubeconfig",
    "/etc/shadow-",
    "/etc/shadowy",
    "/a/Examples/b",
    "/usr/share/doc/sample/x",
]


@pytest.mark.parametrize("path", PATHS)
def test_look_behind_path_tests_agree(path: str) -> None:
    rules = builtin_rules()
    decoys = rules.decoys.path_exclude
    assert decoys is not None
    fast = _faster(decoys)
    assert fast.pattern != decoys.pattern
    assert bool(fast.search(path)) == bool(decoys.search(path))
    for rule in rules.rules:
        if rule.path is not None:
            assert bool(_faster(rule.path).search(path)) == bool(rule.path.search(path))
    backreference = re.compile(r"(^|/)(a)\2")
    assert _faster(backreference) is backreference


def test_version_without_parsing_agrees() -> None:
    assert builtin_version() == builtin_rules().version
    some = frozenset({"jwt", "generic-password"})
    assert builtin_version(some) == builtin_rules().without(some).version
    with pytest.raises(RulesError, match="version"):
        parse_rules(b"version: '1'\nrules: []\n")


def test_paired_rule_needs_its_partner_in_one_and_several_chunks() -> None:
    key_id, secret = aws_key_id(), aws_secret()
    engine = SecretEngine()
    alone = f"asia\nvalue {secret}\n".encode()
    assert engine.scan_bytes(alone, "/a").hits == ()
    both = f"id {key_id}\nvalue {secret}\n".encode()
    rules = {h.rule_id for h in engine.scan_bytes(both, "/a").hits}
    assert rules == {"aws-access-key-id", "aws-secret-access-key-paired"}
