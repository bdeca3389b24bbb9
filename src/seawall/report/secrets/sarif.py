"""`seawall secrets` as SARIF 2.1.0 (OASIS SARIF v2.1.0), shaped for GitHub code scanning.

One run; one reportingDescriptor per rule that found something, with
`properties.security-severity` in GitHub's bands (critical 9.5, high 8.0,
medium 5.5, low 2.0). One result per finding: files have a physical location
(the path relative to the image or tree root, the line as `startLine`), and
a logical location naming the layer; config values and history lines have
only a logical location (`Env[2] NAME`, `history[3]`). The fingerprint is
`partialFingerprints["seawall/v1"]`. Messages name the preview, never the value.
"""

import json
from typing import Any
from urllib.parse import quote

from seawall import __version__
from seawall.model.finding import SecretFinding, SecretSource, Severity
from seawall.model.sbom_fields import TOOL_NAME
from seawall.model.secrets import SecretsResult
from seawall.report.secrets.common import Steps, where

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "seawall/v1"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.NEGLIGIBLE: "note",
    Severity.UNKNOWN: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}


def _rule(finding: SecretFinding) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["security", "secret", finding.severity.value]}
    if finding.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    help_text = (
        f"{finding.title}. Revoke and rotate the credential; then remove it from the image "
        "(a file deleted in a later layer is still in the image), the build arguments and "
        "the history, or the repository history."
    )
    return {
        "id": finding.rule_id,
        "name": finding.rule_id,
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": f"{finding.title} found in plain text."},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": properties,
    }


def _message(finding: SecretFinding) -> str:
    location = finding.location
    text = f"{finding.title} ({finding.preview}) in {where(finding)}"
    if location.layer is not None:
        text += f", added in layer {location.layer}"
    if location.removed_in is not None:
        text += f", removed in layer {location.removed_in} but still extractable from the image"
    return text + "."


def _locations(finding: SecretFinding, steps: Steps) -> list[dict[str, Any]]:
    location = finding.location
    entry: dict[str, Any] = {}
    if location.source in (SecretSource.FILE, SecretSource.GIT) and location.path:
        region = {"startLine": location.line or 1}
        entry["physicalLocation"] = {
            "artifactLocation": {"uri": quote(location.path.lstrip("/"), safe="/")},
            "region": region,
        }
    logical: list[dict[str, Any]] = []
    if location.layer is not None:
        layer: dict[str, Any] = {"name": f"layer {location.layer}", "kind": "layer"}
        step = steps.of(location.layer)
        if step:
            layer["decoratedName"] = step
        logical.append(layer)
    if location.source is SecretSource.CONFIG or location.source is SecretSource.HISTORY:
        logical.append({"name": where(finding), "kind": "member"})
    if location.commit is not None:
        logical.append({"name": location.commit, "kind": "commit"})
    if logical:
        entry["logicalLocations"] = logical
    return [entry]


def secrets_to_sarif(result: SecretsResult) -> dict[str, Any]:
    """The SARIF log as plain data."""
    steps = Steps(result)
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(finding.rule_id, _rule(finding))
    index = {rule_id: n for n, rule_id in enumerate(rules)}
    results = [
        {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": LEVELS[f.severity],
            "message": {"text": _message(f)},
            "locations": _locations(f, steps),
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
            "properties": {
                "severity": f.severity.value,
                "preview": f.preview,
                "layer": f.location.layer,
                "removedIn": f.location.removed_in,
                "stillExtractable": f.still_extractable,
            },
        }
        for f in result.findings
    ]
    notifications = [
        {"level": "warning", "message": {"text": str(problem)}}
        for problem in result.status.problems
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {"name": TOOL_NAME, "version": __version__, "rules": list(rules.values())}
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {"target": result.target, "rulesVersion": result.status.rules_version},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: SecretsResult) -> str:
    return json.dumps(secrets_to_sarif(result), indent=2, ensure_ascii=False) + "\n"
