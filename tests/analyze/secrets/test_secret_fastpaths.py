"""The engine's shortcuts give the answers of the slow paths they replace."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seawall.analyze.secrets import SecretEngine, builtin_rules, builtin_version
from seawall.analyze.secrets.paths import PathTest
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
    "//etc/shadow",
    "/srv/node_modules/x/.npmrc",
    "/x/.dist-info/RECORD",
    "usr/lib/x",
    "/.cache/pip/x",
    "/a/.git/config",
    "",
    "/",
]


def _path_lists() -> list[list[str]]:
    """Every path test of the built-in rules, as the lists of regexes written in rules.yaml."""
    rules = builtin_rules()
    decoys = rules.decoys
    tests = [decoys.path_exclude, decoys.generic_path_exclude, decoys.generic_unquoted_paths]
    tests += [rule.path for rule in rules.rules]
    return [list(test.patterns) for test in tests if test is not None]


def _slow(patterns: list[str], path: str) -> bool:
    return any(re.search(pattern, path) for pattern in patterns)


@pytest.mark.parametrize("path", PATHS)
def test_path_tests_agree_with_the_regexes_as_written(path: str) -> None:
    for patterns in _path_lists():
        assert PathTest.of(patterns).search(path) == _slow(patterns, path), (patterns, path)


_SEGMENT = st.sampled_from(
    ["tests", "Test", "examples", "node_modules", ".netrc", "etc", "shadow-", "usr", "lib",
     "share", ".kube", "config", "kubeconfig.yaml", ".dist-info", "RECORD", "a.md", ".git",
     "site-packages", "x", "", ".", "..", "README.MD", "config.json", ".docker"]
)  # fmt: skip


@given(st.lists(_SEGMENT, max_size=6), st.booleans())
def test_path_tests_agree_on_generated_paths(segments: list[str], absolute: bool) -> None:
    path = ("/" if absolute else "") + "/".join(segments)
    for patterns in _path_lists():
        assert PathTest.of(patterns).search(path) == _slow(patterns, path), (patterns, path)


@pytest.mark.parametrize(
    ("pattern", "grouped"),
    [
        (r"(^|/)\.netrc$", "slashed"),
        (r"(^|/)(a|b)/c$", "slashed"),
        (r"(^|/)[^/]*\.kubeconfig$", "slashed"),
        (r"(^|/)(?i:tests?)/", "slashed"),
        (r"(^|/)a|b", None),  # a top-level `|`: `b` anywhere, not after a slash
        (r"(^|/)a/^b", None),
        (r"(^|/)a\b", None),
        (r"(^|/)(?<=/)a", None),
        (r"(^|/)(a)\2", None),
        (r"(^|/)[|^]a", "slashed"),  # `|` and `^` inside a class are literals
        (r"^/?usr/", "anchored"),
        (r"^/a(?!b)", "anchored"),
        (r"^a|b", None),
        (r"^(a)\1", None),
        (r"\.md$", None),
    ],
)
def test_patterns_are_grouped_only_when_equivalent(pattern: str, grouped: str | None) -> None:
    test = PathTest.of([pattern, r"(^|/)zz$", r"^/zz/"])  # each group has company
    compiled = test.compiled()
    others = {other.pattern for other in compiled.others}
    assert (pattern in others) == (grouped is None)
    paths = ["/a", "a", "/x/a", "/x/a/b", "b", "/b", "/x/a/^b", "/a/a", "/|a", "/^a", "/.netrc"]
    paths += ["/usr/x", "usr/x", "/ab", "/ac", "aa", "/zz", "/zz/q", "/q/zz"]
    for path in paths:
        expected = any(re.search(p, path) for p in test.patterns)
        assert test.search(path) == expected, path


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
