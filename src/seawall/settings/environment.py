"""`SEAWALL_*` variables validated without pydantic: the environment is plain strings.

A run configured by variables alone (`SEAWALL_CACHE_DIR=…` in CI) imports
neither YAML nor pydantic nor the policy's file models, which cost more than
a warm scan's whole run (docs/architecture.md, "Start-up"); a settings file
still goes through `settings.document`. The rules are that module's
`SettingsDocument` (and its `ContextDocument` for the business context), and
so are the messages, word for word, pydantic's wording included:
`tests/settings/test_environment.py` holds both to the same answers on every
variable. Problems are reported as pydantic reports them, one a line, in the
order of the settings' fields, each naming the variable; a problem pydantic
words without the value never repeats it.
"""

import re
from collections.abc import Callable
from typing import Any

from seawall.settings import CONTEXT_ENV_NAMES, ENV_NAMES, SettingsError

PATH_CHARS = 4096
"""The longest path a setting may hold, in characters."""
SCANNERS = ("vuln", "secret", "misconfig")
"""What `scanners` may list (`pipeline.scan.Scanner`)."""
PLATFORM_PATTERN = r"^[A-Za-z0-9_.-]{1,64}/[A-Za-z0-9_.-]{1,64}(/[A-Za-z0-9_.-]{1,64})?$"
"""`os/arch[/variant]`, as pydantic's `pattern` takes it (a Rust regex: `$` is the end)."""
# The same in Python's syntax, whose `$` would also match before a final newline.
_PLATFORM = re.compile(PLATFORM_PATTERN.removesuffix("$") + r"\Z")
# HOST[:PORT]: a DNS name or IPv4 address, or a bracketed IPv6 address
# (an RFC 3986 authority without user information).
_REGISTRY = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(:[0-9]{1,5})?$")

# pydantic-core's words for its own checks (its `string_unicode`, `bool_parsing`,
# `literal_error`, `string_too_long`, `string_pattern_mismatch`, `too_short` and
# `too_long` errors).
_NOT_TEXT = "Input should be a valid string, unable to parse raw data as a unicode string"
_NOT_BOOLEAN = "Input should be a valid boolean, unable to interpret input"
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class _Invalid(ValueError):
    """One value's problems (a list's items may have several)."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = messages


def comma_list(value: Any) -> Any:
    """`vuln,secret` (a variable, or a string in the file) as a list; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def check_severity(value: str) -> str:
    """`value` when it names a severity; ValueError listing the names otherwise."""
    from seawall.model.finding import Severity  # only when a severity is set

    return Severity.checked(value)


def check_registries(values: list[str]) -> list[str]:
    for value in values:
        if not _REGISTRY.match(value):
            raise ValueError(f"{value[:80]!r} is not a registry HOST[:PORT]")
    return values


def check_vex(values: list[str]) -> list[str]:
    if any(not value or len(value) > PATH_CHARS for value in values):
        raise ValueError(f"each VEX path has 1 to {PATH_CHARS} characters")
    return values


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _unicode(value: str) -> str:
    """pydantic reads a constrained or non-str-typed value as UTF-8 (a variable holding
    bytes that are not UTF-8 arrives with lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Invalid(_NOT_TEXT) from None
    return value


def _path(value: str) -> str:
    _unicode(value)
    if not value:
        raise _Invalid("String should have at least 1 character")
    if len(value) > PATH_CHARS:
        raise _Invalid(f"String should have at most {_plural(PATH_CHARS, 'character')}")
    return value


def _boolean(value: str) -> bool:
    lowered = _unicode(value).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _Invalid(_NOT_BOOLEAN)


def _platform(value: str) -> str:
    if not _PLATFORM.match(_unicode(value)):
        raise _Invalid(f"String should match pattern '{PLATFORM_PATTERN}'")
    return value


def _scanner(value: str) -> str:
    if _unicode(value) not in SCANNERS:
        quoted = [repr(name) for name in SCANNERS]
        raise _Invalid(f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}")
    return value


def _after(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A field validator of `SettingsDocument` (its ValueError is the message)."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except ValueError as error:
            raise _Invalid(str(error)) from None

    return run


def _listed(
    item: Callable[[str], str] | None = None,
    *,
    min_length: int = 0,
    max_length: int,
    after: Callable[[list[str]], Any] | None = None,
) -> Callable[[str], Any]:
    """A comma-separated list, checked as pydantic checks a constrained `list[…]`: too many
    items is the one problem, else every item's problems, else too few; then `after`."""

    def run(value: str) -> Any:
        items: list[str] = comma_list(value)
        if len(items) > max_length:
            raise _Invalid(
                f"List should have at most {_plural(max_length, 'item')} after validation, "
                f"not {len(items)}"
            )
        if item is not None:
            problems: list[str] = []
            for part in items:
                try:
                    item(part)
                except _Invalid as invalid:
                    problems.extend(invalid.messages)
            if problems:
                raise _Invalid(*problems)
        if len(items) < min_length:
            raise _Invalid(
                f"List should have at least {_plural(min_length, 'item')} after validation, "
                f"not {len(items)}"
            )
        return items if after is None else _after(after)(items)

    return run


def _data_classes(values: list[str]) -> list[str]:
    from seawall.policy.context import parse_data_class

    for value in values:
        parse_data_class(value)
    return values


def _criticality(value: str) -> str:
    from seawall.policy.context import parse_criticality

    parse_criticality(value)
    return value


def _severities(values: list[str]) -> list[str]:
    for value in values:
        check_severity(value)
    return values


# Each setting's check, in the order of `SettingsDocument`'s fields (the order problems
# are reported in); `ENV_NAMES` names their variables.
_FIELDS: dict[str, Callable[[str], Any]] = {
    "cache_dir": _path,
    "db": _path,
    "scanners": _listed(_scanner, min_length=1, max_length=3),
    "severity": _listed(min_length=1, max_length=6, after=_severities),
    "fail_on": _after(check_severity),
    "ignore_unfixed": _boolean,
    "offline": _boolean,
    "platform": _platform,
    "insecure_registries": _listed(max_length=100, after=check_registries),
    "policy": _path,
    "vex": _listed(max_length=100, after=check_vex),
}
_CONTEXT_FIELDS: dict[str, Callable[[str], Any]] = {
    "internet_facing": _boolean,
    "data": _listed(max_length=16, after=_data_classes),
    "criticality": _after(_criticality),
}


def _checked(
    fields: dict[str, Callable[[str], Any]],
    names: dict[str, str],
    variables: dict[str, str],
    problems: list[str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, check in fields.items():
        variable = names[name]
        if variable not in variables:
            continue
        try:
            values[name] = check(variables[variable])
        except _Invalid as invalid:
            problems.extend(f"{variable}: {message}" for message in invalid.messages)
    return values


def read_environment(variables: dict[str, str]) -> dict[str, Any]:
    """The settings `SEAWALL_*` variables give (`variables`: name → value, all set), by
    field name; `context` (when one of its variables is set) holds the business
    context's fields that are set. SettingsError lists every problem."""
    problems: list[str] = []
    values = _checked(_FIELDS, ENV_NAMES, variables, problems)
    context = _checked(_CONTEXT_FIELDS, CONTEXT_ENV_NAMES, variables, problems)
    if problems:
        raise SettingsError("environment", problems)
    if any(variable in variables for variable in CONTEXT_ENV_NAMES.values()):
        values["context"] = context
    return values
