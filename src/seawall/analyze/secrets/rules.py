"""The secret rules: `rules.yaml` (package data) loaded into compiled, validated values.

The rules are data so that adding one is a reviewable edit of one file; this
module checks the file's shape (unknown keys, bad regexes, duplicate ids,
unknown validators) and refuses to run on a broken rule set rather than
silently scanning with fewer rules.
"""

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from seawall.errors import SeawallError
from seawall.model.finding import Severity

ENGINE_VERSION = 2
"""Bumped when the engine's behaviour changes the findings of unchanged rules
(2: members of zip and tar archives are scanned)."""

_RULE_KEYS = {
    "id",
    "title",
    "severity",
    "keywords",
    "regex",
    "path",
    "path_exclude",
    "allow",
    "entropy",
    "validator",
    "requires",
    "generic",
    "anchor",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
VALIDATORS = frozenset({"github-crc32", "jwt", "mixed-case-digits"})


class RulesError(SeawallError):
    """The rule file is malformed (a packaging defect, not a user input problem)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One detection rule, compiled."""

    id: str
    title: str
    severity: Severity
    keywords: tuple[bytes, ...]
    """Lower-case; the rule runs on a chunk only when one of them occurs in it."""
    regex: re.Pattern[bytes]
    path: re.Pattern[str] | None = None
    path_exclude: re.Pattern[str] | None = None
    allow: tuple[re.Pattern[bytes], ...] = ()
    entropy: float | None = None
    validator: str | None = None
    requires: str | None = None
    generic: bool = False
    anchor: int | None = None
    """When set, matches start at most this many bytes before a keyword occurrence."""
    priority: int = 0
    """Position in the file, generic rules after all others: lower wins an overlap."""


@dataclass(frozen=True, slots=True)
class Decoys:
    """What is never a secret, whatever rule matched it."""

    example_values: frozenset[str]
    placeholders: re.Pattern[str]
    generic_placeholders: re.Pattern[str]
    path_exclude: re.Pattern[str] | None
    generic_path_exclude: re.Pattern[str] | None
    generic_unquoted_paths: re.Pattern[str] | None
    """Files where a generic rule accepts an unquoted value (configuration, not code)."""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule and the decoy lists, with the version that keys the cache."""

    rules: tuple[Rule, ...]
    decoys: Decoys
    version: str
    """`<file version>.<engine version>-<sha256 prefix of the file>`."""

    def without(self, rule_ids: frozenset[str]) -> "RuleSet":
        """The same rules less `rule_ids` (and the rules that require one of them)."""
        if not rule_ids:
            return self
        kept = tuple(
            rule
            for rule in self.rules
            if rule.id not in rule_ids and (rule.requires is None or rule.requires not in rule_ids)
        )
        return RuleSet(rules=kept, decoys=self.decoys, version=_without(self.version, rule_ids))

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _regex(text: Any, where: str, flags: int = 0) -> re.Pattern[str]:
    if not isinstance(text, str):
        raise RulesError(f"{where}: expected a regular expression string")
    try:
        return re.compile(text, flags)
    except re.error as error:
        raise RulesError(f"{where}: invalid regular expression ({error})") from None


def _bytes_regex(text: Any, where: str) -> re.Pattern[bytes]:
    if not isinstance(text, str):
        raise RulesError(f"{where}: expected a regular expression string")
    try:
        return re.compile(text.encode())
    except re.error as error:
        raise RulesError(f"{where}: invalid regular expression ({error})") from None


def _either(patterns: Any, where: str, flags: int = 0) -> re.Pattern[str] | None:
    if not patterns:
        return None
    if not isinstance(patterns, list):
        raise RulesError(f"{where}: expected a list of regular expressions")
    for index, pattern in enumerate(patterns):
        _regex(pattern, f"{where}[{index}]", flags)
    return _regex("|".join(f"(?:{p})" for p in patterns), where, flags)


def _rule(raw: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: expected a mapping")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RulesError(f"{where}: unknown keys {sorted(unknown)}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RulesError(f"{where}: id must be lower-case letters, digits and dashes")
    where = f"rule {rule_id}"
    keywords = raw.get("keywords")
    if not isinstance(keywords, list) or not keywords:
        raise RulesError(f"{where}: needs at least one keyword (the prefilter)")
    if any(not isinstance(k, str) or not k or k != k.lower() for k in keywords):
        raise RulesError(f"{where}: keywords must be non-empty lower-case strings")
    validator = raw.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise RulesError(f"{where}: unknown validator {validator!r}")
    entropy = raw.get("entropy")
    if entropy is not None and not isinstance(entropy, int | float):
        raise RulesError(f"{where}: entropy must be a number")
    try:
        severity = Severity(str(raw.get("severity", "")).lower())
    except ValueError:
        raise RulesError(f"{where}: unknown severity {raw.get('severity')!r}") from None
    title = raw.get("title")
    if not isinstance(title, str) or not title:
        raise RulesError(f"{where}: needs a title")
    allow = raw.get("allow") or []
    if not isinstance(allow, list):
        raise RulesError(f"{where}: allow must be a list")
    return Rule(
        id=rule_id,
        title=title,
        severity=severity,
        keywords=tuple(k.encode() for k in keywords),
        regex=_bytes_regex(raw.get("regex"), f"{where}: regex"),
        path=_regex(raw["path"], f"{where}: path") if raw.get("path") else None,
        path_exclude=(
            _regex(raw["path_exclude"], f"{where}: path_exclude")
            if raw.get("path_exclude")
            else None
        ),
        allow=tuple(_bytes_regex(a, f"{where}: allow") for a in allow),
        entropy=float(entropy) if entropy is not None else None,
        validator=validator,
        requires=raw.get("requires"),
        generic=bool(raw.get("generic", False)),
        anchor=_anchor(raw.get("anchor"), where),
    )


def _anchor(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1024:
        raise RulesError(f"{where}: anchor must be a whole number of bytes from 0 to 1024")
    return value


def _without(version: str, rule_ids: frozenset[str]) -> str:
    return f"{version}-without:{','.join(sorted(rule_ids))}" if rule_ids else version


_VERSION_LINE = re.compile(rb"^version:[ \t]*([^\s#]*)", re.MULTILINE)


def _version(text: bytes) -> tuple[str, str]:
    """The file's declared `version` and the rule set's version, read without parsing YAML."""
    match = _VERSION_LINE.search(text)
    declared = match.group(1).decode() if match else "0"
    digest = hashlib.sha256(text).hexdigest()[:16]
    return declared, f"{declared}.{ENGINE_VERSION}-{digest}"


def parse_rules(text: bytes) -> RuleSet:
    """Validate and compile a rule file's bytes."""
    # Imported here: a scan answered from the cache needs only `builtin_version`.
    import yaml

    # The C safe loader when libyaml is there (several times faster); both are safe loaders.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)  # noqa: S506
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError("rule file: expected a mapping with a `rules` list")
    rules = [_rule(raw, index) for index, raw in enumerate(document["rules"])]
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesError(f"rule file: duplicate rule ids {duplicates}")
    for rule in rules:
        if rule.requires is not None and rule.requires not in ids:
            raise RulesError(f"rule {rule.id}: requires unknown rule {rule.requires!r}")
    # Specific rules first, in file order, then generic ones: the earlier rule wins an overlap.
    ordered = sorted(rules, key=lambda r: r.generic)
    rules = [dataclasses.replace(rule, priority=n) for n, rule in enumerate(ordered)]
    raw_decoys = document.get("decoys") or {}
    if not isinstance(raw_decoys, dict):
        raise RulesError("rule file: decoys must be a mapping")
    examples = raw_decoys.get("example_values") or []
    decoys = Decoys(
        example_values=frozenset(str(v) for v in examples),
        placeholders=_either(raw_decoys.get("placeholders"), "decoys.placeholders", re.I)
        or re.compile(r"(?!x)x"),
        generic_placeholders=_either(
            raw_decoys.get("generic_placeholders"), "decoys.generic_placeholders", re.I
        )
        or re.compile(r"(?!x)x"),
        path_exclude=_either(raw_decoys.get("path_exclude"), "decoys.path_exclude"),
        generic_path_exclude=_either(
            raw_decoys.get("generic_path_exclude"), "decoys.generic_path_exclude"
        ),
        generic_unquoted_paths=_either(
            raw_decoys.get("generic_unquoted_paths"), "decoys.generic_unquoted_paths"
        ),
    )
    declared, version = _version(text)
    if str(document.get("version", 0)) != declared:
        raise RulesError("rule file: `version` must be a plain top-level line `version: N`")
    return RuleSet(rules=tuple(rules), decoys=decoys, version=version)


@cache
def _builtin_text() -> bytes:
    return resources.files("seawall.analyze.secrets").joinpath("rules.yaml").read_bytes()


@cache
def builtin_rules() -> RuleSet:
    """The rules shipped with seawall (`seawall/analyze/secrets/rules.yaml`)."""
    return parse_rules(_builtin_text())


def builtin_version(disabled: frozenset[str] = frozenset()) -> str:
    """`builtin_rules().without(disabled).version`, without parsing or compiling the rules
    (what a scan answered from the cache needs to find its entries)."""
    return _without(_version(_builtin_text())[1], disabled)
