"""The framework catalogues: `frameworks/*.yaml` (package data) as `Framework` values.

Each file names a framework, its version and reference, a notice on how the
summaries relate to the standard's text (seawall's own words: the standards
are copyrighted), and its controls with the evidence kinds that decide them.
"""

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from seawall.errors import InputError
from seawall.model.compliance import Control, EvidenceKind, Framework
from seawall.model.finding import Severity

FRAMEWORK_IDS = ("cis-docker", "pci-dss", "nist-800-53", "gdpr", "soc2")


def _string(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: `{key}` must be a non-empty string")
    return value.strip()


def parse_framework(document: object, where: str) -> Framework:
    """A framework from its parsed YAML; ValueError names a malformed entry."""
    if not isinstance(document, dict) or not isinstance(document.get("controls"), list):
        raise ValueError(f"{where}: expected a mapping with a `controls` list")
    controls: list[Control] = []
    seen: set[str] = set()
    for entry in document["controls"]:
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: every control must be a mapping")
        control_id = _string(entry, "id", where)
        if control_id in seen:
            raise ValueError(f"{where}: duplicate control {control_id}")
        seen.add(control_id)
        evidence = tuple(EvidenceKind(kind) for kind in entry.get("evidence") or [])
        manual = entry.get("manual")
        if not evidence and not isinstance(manual, str):
            raise ValueError(f"{where}: {control_id} has neither evidence nor a manual review")
        controls.append(
            Control(
                id=control_id,
                title=_string(entry, "title", f"{where} {control_id}"),
                evidence=evidence,
                manual=manual.strip() if isinstance(manual, str) else None,
                vulnerability_threshold=Severity(entry.get("vulnerability_threshold", "high")),
                fixable_only=bool(entry.get("fixable_only", True)),
                max_database_age_days=int(entry.get("max_database_age_days", 7)),
            )
        )
    return Framework(
        id=_string(document, "id", where),
        name=_string(document, "name", where),
        version=str(document.get("version", "")).strip(),
        reference=_string(document, "reference", where),
        notice=_string(document, "notice", where),
        controls=tuple(controls),
    )


@cache
def framework(framework_id: str) -> Framework:
    """One framework by id (`pci-dss` …); InputError for an unknown id."""
    if framework_id not in FRAMEWORK_IDS:
        known = ", ".join(FRAMEWORK_IDS)
        raise InputError(f"unknown framework {framework_id!r}; use one of {known}")
    name = f"frameworks/{framework_id}.yaml"
    text = resources.files("seawall.compliance").joinpath(name).read_text()
    return parse_framework(yaml.safe_load(text), name)


def frameworks() -> tuple[Framework, ...]:
    return tuple(framework(framework_id) for framework_id in FRAMEWORK_IDS)
