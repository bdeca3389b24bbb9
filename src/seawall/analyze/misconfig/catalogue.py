"""The check catalogue: every misconfiguration check as data, and findings made from it.

The catalogue lives in `data/checks.yaml` (package data), so a check's title,
severity, rationale, remediation, references and compliance controls are
read and reviewed as data, not scattered through code. Check functions refer
to a check by id only; `make_finding` fills in the rest, so a finding always
says what the catalogue says.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from seawall.model.finding import MisconfigFinding, Severity


class CheckKind(Enum):
    """What a check reads."""

    IMAGE = "image"
    """An image's config, history, inventory and file metadata."""
    DOCKERFILE = "dockerfile"
    KUBERNETES = "kubernetes"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of the catalogue."""

    id: str
    kind: CheckKind
    title: str
    severity: Severity
    rationale: str
    remediation: str
    example: str
    """A fixed example: what the remediated input looks like."""
    references: tuple[str, ...]
    controls: tuple[str, ...]
    """`framework:control` ids this check evidences, the catalogue defaults included."""


def _text(entry: Mapping[str, Any], key: str, check_id: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"checks.yaml: {check_id}: `{key}` must be a non-empty string")
    return value.strip()


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"checks.yaml: {where} must be a list of strings")
    return tuple(value)


def parse_catalogue(document: object) -> dict[str, Check]:
    """Checks by id from the parsed `checks.yaml`; raises ValueError naming a bad entry."""
    if not isinstance(document, dict) or not isinstance(document.get("checks"), list):
        raise ValueError("checks.yaml: expected a mapping with a `checks` list")
    defaults = document.get("defaults") or {}
    default_controls = _strings(defaults.get("controls", []), "defaults.controls")
    checks: dict[str, Check] = {}
    for entry in document["checks"]:
        if not isinstance(entry, dict):
            raise ValueError("checks.yaml: every check must be a mapping")
        check_id = _text(entry, "id", "?")
        if check_id in checks:
            raise ValueError(f"checks.yaml: duplicate check id {check_id}")
        own = _strings(entry.get("controls", []), f"{check_id}.controls")
        checks[check_id] = Check(
            id=check_id,
            kind=CheckKind(_text(entry, "kind", check_id)),
            title=_text(entry, "title", check_id),
            severity=Severity(_text(entry, "severity", check_id)),
            rationale=_text(entry, "rationale", check_id),
            remediation=_text(entry, "remediation", check_id),
            example=_text(entry, "example", check_id),
            references=_strings(entry.get("references", []), f"{check_id}.references"),
            controls=tuple(dict.fromkeys(own + default_controls)),
        )
    return checks


@cache
def catalogue() -> Mapping[str, Check]:
    """Every check, by id, in catalogue order."""
    text = resources.files("seawall.analyze.misconfig").joinpath("data/checks.yaml").read_text()
    return parse_catalogue(yaml.safe_load(text))


def checks_of(kind: CheckKind) -> tuple[Check, ...]:
    """The checks that read one kind of input."""
    return tuple(check for check in catalogue().values() if check.kind is kind)


def fingerprint(check_id: str, target: str, path: str | None, subject: str) -> str:
    """SHA-256 over `["misconfiguration", check id, target, path, subject]`.

    `subject` is what the finding is about (a port, an env name, a container,
    a file path), never a line number: editing lines above a finding must not
    make it a new finding (DESIGN.md §4).
    """
    fields = ["misconfiguration", check_id, target, path or "", subject]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def make_finding(
    check_id: str,
    message: str,
    *,
    target: str,
    subject: str,
    path: str | None = None,
    line: int | None = None,
    layer: int | None = None,
) -> MisconfigFinding:
    """A finding of catalogue check `check_id` (KeyError for an unknown id: a bug)."""
    check = catalogue()[check_id]
    return MisconfigFinding(
        check_id=check.id,
        title=check.title,
        severity=check.severity,
        message=message,
        target=target,
        remediation=check.remediation,
        fingerprint=fingerprint(check.id, target, path, subject),
        path=path,
        line=line,
        layer=layer,
        controls=check.controls,
    )
