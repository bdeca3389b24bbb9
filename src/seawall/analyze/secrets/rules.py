"""The secret rules: `rules.yaml` (package data) loaded into validated values.

The rules are data so that adding one is a reviewable edit of one file; this
module checks the file's shape (unknown keys, bad regexes, duplicate ids,
unknown validators) and refuses to run on a broken rule set rather than
silently scanning with fewer rules.

Cold scans pay for loading the rules, so `builtin_ruleset` avoids what it can.
It takes the document from `rulesdata.py`, a Python rendering of rules.yaml
that the bytecode cache loads in a millisecond, where importing a YAML parser
and parsing took ~30 ms (the module records the digest of the YAML it was
made from; rules.yaml is parsed whenever they differ). And each regular
expression is compiled on first use (`LazyRegex`, `PathTest`), since a scan
runs the regexes of the few rules whose keywords occur. `parse_rules`, which
reads any other rule file, compiles every regex at once to validate it, as
`write_rules_data` did for `rulesdata.py`; the tests check it is current.
"""

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AnyStr, Generic

from seawall.analyze.secrets.builtin import builtin_text, rules_version, without_version
from seawall.analyze.secrets.paths import PathTest
from seawall.errors import SeawallError
from seawall.model.finding import Severity

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
class LazyRegex(Generic[AnyStr]):
    """A regular expression compiled on first use."""

    source: AnyStr
    flags: int = 0
    _compiled: list[re.Pattern[AnyStr]] = field(default_factory=list, compare=False, repr=False)

    def get(self) -> re.Pattern[AnyStr]:
        compiled = self._compiled
        if not compiled:
            # Two threads may both compile it: the same pattern, so either is right.
            compiled.append(re.compile(self.source, self.flags))
        return compiled[0]


@dataclass(frozen=True, slots=True)
class Rule:
    """One detection rule."""

    id: str
    title: str
    severity: Severity
    keywords: tuple[bytes, ...]
    """Lower-case; the rule runs on a chunk only when one of them occurs in it."""
    pattern: LazyRegex[bytes]
    path: PathTest | None = None
    path_exclude: PathTest | None = None
    allow_patterns: tuple[LazyRegex[bytes], ...] = ()
    entropy: float | None = None
    validator: str | None = None
    requires: str | None = None
    generic: bool = False
    anchor: int | None = None
    """When set, matches start at most this many bytes before a keyword occurrence."""
    priority: int = 0
    """Position in the file, generic rules after all others: lower wins an overlap."""

    @property
    def regex(self) -> re.Pattern[bytes]:
        return self.pattern.get()

    @property
    def allow(self) -> tuple[re.Pattern[bytes], ...]:
        return tuple(pattern.get() for pattern in self.allow_patterns)


@dataclass(frozen=True, slots=True)
class Decoys:
    """What is never a secret, whatever rule matched it."""

    example_values: frozenset[str]
    placeholders: LazyRegex[str]
    generic_placeholders: LazyRegex[str]
    path_exclude: PathTest | None
    generic_path_exclude: PathTest | None
    generic_unquoted_paths: PathTest | None
    """Files where a generic rule accepts an unquoted value (configuration, not code)."""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule and the decoy lists, with the version that keys the cache."""

    rules: tuple[Rule, ...]
    decoys: Decoys
    version: str
    """`<file version>.<engine version>-<sha256 prefix of the file>`."""
    skip_paths: PathTest | None = None
    """Trees of third-party software no rule reads (`skip_paths` in rules.yaml)."""
    skip_ids: tuple[str, ...] = ()
    """The ids of the `skip_paths` entries, in file order."""

    def without(self, rule_ids: frozenset[str]) -> "RuleSet":
        """The same rules less `rule_ids` (and the rules that require one of them)."""
        if not rule_ids:
            return self
        kept = tuple(
            rule
            for rule in self.rules
            if rule.id not in rule_ids and (rule.requires is None or rule.requires not in rule_ids)
        )
        return dataclasses.replace(
            self, rules=kept, version=without_version(self.version, rule_ids)
        )

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _source(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise RulesError(f"{where}: expected a regular expression string")
    return text


def _checked(regex: LazyRegex[AnyStr], where: str, check: bool) -> LazyRegex[AnyStr]:
    """`regex`, compiled now when `check` (a bad one raises `RulesError`)."""
    if check:
        try:
            regex.get()
        except re.error as error:
            raise RulesError(f"{where}: invalid regular expression ({error})") from None
    return regex


def _bytes_regex(text: Any, where: str, check: bool) -> LazyRegex[bytes]:
    return _checked(LazyRegex(_source(text, where).encode()), where, check)


def _either(patterns: Any, where: str, check: bool) -> LazyRegex[str]:
    """One case-insensitive regex matching what any of `patterns` matches (never, if none)."""
    if not patterns:
        return LazyRegex(r"(?!x)x")
    if not isinstance(patterns, list):
        raise RulesError(f"{where}: expected a list of regular expressions")
    for index, pattern in enumerate(patterns):
        _checked(LazyRegex(_source(pattern, f"{where}[{index}]"), re.I), where, check)
    return LazyRegex("|".join(f"(?:{p})" for p in patterns), re.I)


def _path_test(patterns: list[Any], where: str, check: bool) -> PathTest:
    sources = [_source(pattern, f"{where}[{n}]") for n, pattern in enumerate(patterns)]
    if check:
        for index, pattern in enumerate(sources):
            _checked(LazyRegex(pattern), f"{where}[{index}]", check)
    return PathTest.of(sources)


def _path(pattern: Any, where: str, check: bool) -> PathTest | None:
    """A rule's path test from its one regex (None when absent)."""
    if not pattern:
        return None
    return _path_test([_source(pattern, where)], where, check)


def _path_list(patterns: Any, where: str, check: bool) -> PathTest | None:
    """A decoy path test from a list of regexes (None when absent or empty)."""
    if not patterns:
        return None
    if not isinstance(patterns, list):
        raise RulesError(f"{where}: expected a list of regular expressions")
    return _path_test(patterns, where, check)


def _rule(raw: Any, index: int, check: bool) -> Rule:
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
        pattern=_bytes_regex(raw.get("regex"), f"{where}: regex", check),
        path=_path(raw.get("path"), f"{where}: path", check),
        path_exclude=_path(raw.get("path_exclude"), f"{where}: path_exclude", check),
        allow_patterns=tuple(_bytes_regex(a, f"{where}: allow", check) for a in allow),
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


def parse_rules(text: bytes) -> RuleSet:
    """Validate a rule file's bytes (every regex compiled) into a `RuleSet`."""
    # Imported here: neither a warm scan nor `builtin_rules` parses YAML.
    import yaml

    # The C safe loader when libyaml is there (several times faster); both are safe loaders.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _ruleset(yaml.load(text, Loader=loader), text, check=True)  # noqa: S506


def _ruleset(document: Any, text: bytes, check: bool) -> RuleSet:
    """The rule set of a parsed rule file; `check` compiles every regex now."""
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError("rule file: expected a mapping with a `rules` list")
    rules = [_rule(raw, index, check) for index, raw in enumerate(document["rules"])]
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
        placeholders=_either(raw_decoys.get("placeholders"), "decoys.placeholders", check),
        generic_placeholders=_either(
            raw_decoys.get("generic_placeholders"), "decoys.generic_placeholders", check
        ),
        path_exclude=_path_list(raw_decoys.get("path_exclude"), "decoys.path_exclude", check),
        generic_path_exclude=_path_list(
            raw_decoys.get("generic_path_exclude"), "decoys.generic_path_exclude", check
        ),
        generic_unquoted_paths=_path_list(
            raw_decoys.get("generic_unquoted_paths"), "decoys.generic_unquoted_paths", check
        ),
    )
    skip_ids, skip_paths = _skip_paths(document.get("skip_paths"), check)
    declared, version = rules_version(text)
    if str(document.get("version", 0)) != declared:
        raise RulesError("rule file: `version` must be a plain top-level line `version: N`")
    return RuleSet(
        rules=tuple(rules),
        decoys=decoys,
        version=version,
        skip_paths=skip_paths,
        skip_ids=skip_ids,
    )


def _skip_paths(raw: Any, check: bool) -> tuple[tuple[str, ...], PathTest | None]:
    """The `skip_paths` list: entries `{id, path}`, ids unique."""
    if raw is None:
        return (), None
    if not isinstance(raw, list):
        raise RulesError("rule file: skip_paths must be a list")
    ids: list[str] = []
    patterns: list[str] = []
    for index, entry in enumerate(raw):
        where = f"skip_paths[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"id", "path"}:
            raise RulesError(f"{where}: expected a mapping with `id` and `path`")
        if not isinstance(entry["id"], str) or not _ID.match(entry["id"]):
            raise RulesError(f"{where}: id must be lower-case letters, digits and dashes")
        if entry["id"] in ids:
            raise RulesError(f"{where}: duplicate id {entry['id']!r}")
        ids.append(entry["id"])
        patterns.append(_source(entry["path"], f"{where}: path"))
    return tuple(ids), _path_test(patterns, "skip_paths", check) if patterns else None


def builtin_ruleset(text: bytes) -> RuleSet:
    """The built-in rules from rules.yaml's bytes (`builtin.builtin_rules` caches them)."""
    from seawall.analyze.secrets import rulesdata

    if hashlib.sha256(text).hexdigest() == rulesdata.SOURCE_SHA256:
        return _ruleset(rulesdata.DOCUMENT, text, check=False)
    return parse_rules(text)  # rulesdata.py is stale (rules.yaml was edited): still right


RULES_DATA = Path(__file__).with_name("rulesdata.py")


def rules_data_source(text: bytes) -> str:
    """The source of `rulesdata.py` for a rule file (validated first: `RulesError`)."""
    import pprint

    import yaml

    parse_rules(text)
    document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    return (
        "# ruff: noqa: E501\n"
        "# fmt: off\n"
        '"""rules.yaml as Python data, so that `builtin_rules` need not parse YAML.\n\n'
        "Written by `seawall.analyze.secrets.rules.write_rules_data()`; do not edit: edit\n"
        "rules.yaml and run it again (the tests fail while this file is stale).\n"
        '"""\n\n'
        "from typing import Any\n\n"
        f"SOURCE_SHA256 = {hashlib.sha256(text).hexdigest()!r}\n\n"
        f"DOCUMENT: dict[str, Any] = {pprint.pformat(document, width=96, sort_dicts=False)}\n"
    )


def write_rules_data() -> None:
    """Rewrite `rulesdata.py` from rules.yaml (after editing the rules)."""
    RULES_DATA.write_text(rules_data_source(builtin_text()))
