"""Every rule finds its realistic sample and ignores its decoy; the rule file's shape is checked."""

import base64

import pytest

from seawall.analyze.secrets import SecretEngine, builtin_rules, fingerprint, preview, rulesdata
from seawall.analyze.secrets.builtin import builtin_text
from seawall.analyze.secrets.rules import RULES_DATA, RulesError, parse_rules, rules_data_source
from seawall.analyze.secrets.validators import github_crc32, jwt
from tests.analyze.secrets.samples import github_token, jwt_token, negatives, positives

ENGINE = SecretEngine()
POSITIVES = positives()
NEGATIVES = negatives()


def test_at_least_sixty_rules_each_with_a_sample() -> None:
    ids = {rule.id for rule in builtin_rules().rules}
    assert len(ids) >= 60
    assert ids == set(POSITIVES), sorted(ids ^ set(POSITIVES))


@pytest.mark.parametrize("rule_id", sorted(POSITIVES))
def test_positive_sample_is_found_redacted(rule_id: str) -> None:
    sample = POSITIVES[rule_id]
    scan = ENGINE.scan_bytes(sample.text.encode(), sample.path)
    hits = [hit for hit in scan.hits if hit.rule_id == rule_id]
    assert hits, (rule_id, [h.rule_id for h in scan.hits])
    assert hits[0].preview == preview(sample.secret)
    assert hits[0].fingerprint == fingerprint(rule_id, sample.secret, "file", sample.path)
    expected_line = sample.text[: sample.text.index(sample.secret)].count("\n") + 1
    assert hits[0].line == expected_line
    for hit in scan.hits:
        assert sample.secret not in repr(hit)


@pytest.mark.parametrize("rule_id", sorted(NEGATIVES))
def test_negative_sample_is_not_reported(rule_id: str) -> None:
    sample = NEGATIVES[rule_id]
    scan = ENGINE.scan_bytes(sample.text.encode(), sample.path)
    assert rule_id not in {hit.rule_id for hit in scan.hits}


def test_github_checksum() -> None:
    token = github_token("ghp")
    assert github_crc32(token)
    assert not github_crc32(token[:-1] + ("0" if token[-1] != "0" else "1"))
    # GitHub's own documentation example is not a valid token.
    assert not github_crc32("gho_" + "16C7e42F292c6912E7710c838347Ae178B4a")


def test_jwt_validator() -> None:
    assert jwt(jwt_token())
    assert not jwt("eyJub3QganNvbg.eyJ4IjoxfQ.abcdefabcdefabcdef")
    # A header nested past the JSON parser's recursion limit is not a JWT, not a crash.
    nested = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode().rstrip("=")
    assert not jwt(f"{nested}.eyJ4IjoxfQ.abcdefabcdefabcdef")


def test_specific_rule_wins_over_generic() -> None:
    token = github_token("ghp")
    scan = ENGINE.scan_bytes(f'token = "{token}"\n'.encode(), "/srv/app/app.py")
    assert [hit.rule_id for hit in scan.hits] == ["github-pat"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/srv/app/tests/test_login.py", 'password = "Xq9vL2pR7wKz"\n'),
        ("/srv/app/package-lock.json", '"token": "sha512-' + "A" * 20 + 'bC3dE4fG5hI6jK7lM8n=="\n'),
        ("/srv/app/app.py", "password = request.form.get('pw')\n"),
        ("/srv/app/app.py", 'password = "your-password-here"\n'),
        ("/srv/app/app.py", "requirements: --hash=sha256:" + "ab12" * 16 + "\n"),
        ("/srv/app/app.py", 'secret = "{{ vault_secret }}"\n'),
    ],
)
def test_decoys(path: str, text: str) -> None:
    assert ENGINE.scan_bytes(text.encode(), path).hits == ()


def test_pair_rule_needs_its_key_id() -> None:
    sample = POSITIVES["aws-secret-access-key-paired"]
    alone = sample.text.split("\n", 1)[1]
    assert "aws-secret-access-key-paired" not in {
        h.rule_id for h in ENGINE.scan_bytes(alone.encode(), sample.path).hits
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"rules: [{id: x1, title: t, severity: high, regex: 'a'}]", "keyword"),
        (b"rules: [{id: x1, title: t, severity: high, keywords: [a], regex: '('}]", "invalid"),
        (b"rules: [{id: x1, title: t, severity: bad, keywords: [a], regex: 'a'}]", "severity"),
        (b"rules: [{id: x1, title: t, severity: low, keywords: [A], regex: 'a'}]", "lower-case"),
        (b"rules: [{id: x1, title: t, severity: low, keywords: [a], regex: a, foo: 1}]", "unknown"),
        (
            b"rules: [{id: x1, title: t, severity: low, keywords: [a], regex: a, validator: v}]",
            "validator",
        ),
        (
            b"rules: [{id: x1, title: t, severity: low, keywords: [a], regex: a, requires: y}]",
            "requires",
        ),
        (
            b"rules: [{id: x1, title: t, severity: low, keywords: [a], regex: a}, {id: x1, title: t, severity: low, keywords: [a], regex: a}]",  # noqa: E501
            "duplicate",
        ),
    ],
)
def test_malformed_rule_files_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(raw)


def test_rules_data_is_rules_yaml() -> None:
    """`builtin_rules` reads rulesdata.py instead of parsing YAML: it must say what
    rules.yaml says (after editing the rules, run `write_rules_data()`)."""
    import hashlib

    import yaml

    text = builtin_text()
    assert hashlib.sha256(text).hexdigest() == rulesdata.SOURCE_SHA256, "rulesdata.py is stale"
    assert yaml.safe_load(text) == rulesdata.DOCUMENT
    assert builtin_rules() == parse_rules(text)
    assert RULES_DATA.read_text() == rules_data_source(text)


def test_builtin_rules_compile_each_regex_on_first_use() -> None:
    rules = builtin_rules()
    rule = rules.get("github-pat")
    assert rule.regex is rule.regex  # compiled once, then kept
    assert all(allow.pattern for r in rules.rules for allow in r.allow)
    with pytest.raises(RulesError, match="invalid regular expression"):
        parse_rules(
            b"version: 1\nrules:\n"
            b"  - {id: ab, title: t, severity: low, keywords: [k], regex: '('}\n"
        )
