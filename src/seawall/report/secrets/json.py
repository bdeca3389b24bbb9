"""`seawall secrets` as JSON (schema id `seawall.secrets/v1`).

One document: the tool, the target and image identity, the scan status
(files scanned and skipped, layers read, problems, rules version), and the
findings in report order. A finding carries its rule, severity, redacted
preview, fingerprint, `still_extractable`, and its location with the build
steps that added and removed the file (withheld when the step itself leaks).
No secret value is ever written: the findings hold none.
"""

import json
from typing import Any

from seawall import __version__
from seawall.model.finding import SecretFinding
from seawall.model.sbom_fields import TOOL_NAME
from seawall.model.secrets import SecretsResult
from seawall.report.secrets.common import Steps

SCHEMA_ID = "seawall.secrets/v1"


def _finding(finding: SecretFinding, steps: Steps) -> dict[str, Any]:
    location = finding.location
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "preview": finding.preview,
        "fingerprint": finding.fingerprint,
        "still_extractable": finding.still_extractable,
        "location": {
            "source": location.source.value,
            "path": location.path,
            "line": location.line,
            "layer": location.layer,
            "layer_created_by": steps.of(location.layer),
            "removed_in": location.removed_in,
            "removed_by_created_by": steps.of(location.removed_in),
            "field": location.field,
            "history_index": location.history_index,
            "commit": location.commit,
        },
    }


def secrets_document(result: SecretsResult) -> dict[str, Any]:
    """The JSON document as plain data."""
    steps = Steps(result)
    status = result.status
    image = result.image
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "target": result.target,
        "image": None
        if image is None
        else {
            "reference": image.reference,
            "manifest_digest": image.manifest_digest,
            "config_digest": image.config_digest,
            "layers": len(image.layers),
        },
        "status": {
            "files_scanned": status.files_scanned,
            "skipped_binary": status.skipped_binary,
            "skipped_large": status.skipped_large,
            "skipped_excluded": status.skipped_excluded,
            "layers_read": status.layers_read,
            "commits": status.commits,
            "suppressed": status.suppressed,
            "partial": status.partial,
            "problems": [{"where": p.where, "message": p.message} for p in status.problems],
            "rules_version": status.rules_version,
        },
        "findings": [_finding(f, steps) for f in result.findings],
    }


def render_json(result: SecretsResult) -> str:
    """The document as indented JSON ending with a newline."""
    return json.dumps(secrets_document(result), indent=2, ensure_ascii=False) + "\n"
