"""The rules shipped with seawall: their version, cheaply, and the parsed rule set.

A scan answered wholly from the cache needs only the version (it keys the
cache), so this module reads rules.yaml's bytes and nothing else; the rule set
(`builtin_rules`) imports the parser on first use.
"""

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seawall.analyze.secrets.rules import RuleSet

ENGINE_VERSION = 2
"""Bumped when the engine's behaviour changes the findings of unchanged rules
(2: members of zip and tar archives are scanned)."""

_RULES_FILE = Path(__file__).with_name("rules.yaml")
"""Package data beside this module (read as a file: `importlib.resources` cost more to
import than the whole read, and seawall is never run from a zip)."""

_VERSION_LINE = re.compile(rb"^version:[ \t]*([^\s#]*)", re.MULTILINE)


@cache
def builtin_text() -> bytes:
    return _RULES_FILE.read_bytes()


def rules_version(text: bytes) -> tuple[str, str]:
    """A rule file's declared `version` and the rule set's version, read without parsing YAML:
    `<declared>.<engine version>-<sha256 prefix of the file>`."""
    match = _VERSION_LINE.search(text)
    declared = match.group(1).decode() if match else "0"
    digest = hashlib.sha256(text).hexdigest()[:16]
    return declared, f"{declared}.{ENGINE_VERSION}-{digest}"


def without_version(version: str, rule_ids: frozenset[str]) -> str:
    """The version of a rule set less `rule_ids`."""
    return f"{version}-without:{','.join(sorted(rule_ids))}" if rule_ids else version


def builtin_version(disabled: frozenset[str] = frozenset()) -> str:
    """`builtin_rules().without(disabled).version`, without parsing or compiling the rules
    (what a scan answered from the cache needs to find its entries)."""
    return without_version(rules_version(builtin_text())[1], disabled)


@cache
def builtin_rules() -> "RuleSet":
    """The rules shipped with seawall (`seawall/analyze/secrets/rules.yaml`)."""
    from seawall.analyze.secrets.rules import builtin_ruleset

    return builtin_ruleset(builtin_text())
