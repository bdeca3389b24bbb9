"""OpenVEX 0.2.0 documents (openvex/spec OPENVEX-SPEC.md; validated against its JSON schema).

The product is the image (an OCI purl when the manifest digest is known)
with the vulnerable package as subcomponent; without an image, the package
itself. not_affected statements carry the justification when the decision
has one and always an impact statement (the reason and who decided);
affected statements an action statement; every statement notes where the
decision came from.
"""

import json
from typing import Any

from seawall import __version__
from seawall.model.scan import ScanResult
from seawall.report.scan.risk import in_risk_order
from seawall.report.vex.common import (
    VexOptions,
    action,
    image_product,
    impact,
    is_datetime,
    status_of,
)

CONTEXT = "https://openvex.dev/ns/v0.2.0"


def scan_to_openvex(result: ScanResult, options: VexOptions | None = None) -> dict[str, Any]:
    options = options or VexOptions()
    timestamp = options.timestamp()
    decisions = result.policy.by_fingerprint() if result.policy else {}
    product = image_product(result.image)
    statements: list[dict[str, Any]] = []
    for finding in in_risk_order(result.vulnerabilities, result.policy):
        decision = decisions.get(finding.fingerprint)
        status = status_of(decision)
        vulnerability: dict[str, Any] = {"name": finding.id}
        aliases = sorted(set(finding.aliases) - {finding.id})
        if aliases:
            vulnerability["aliases"] = aliases
        products: list[dict[str, Any]]
        if product is None:
            products = [{"@id": finding.package.purl}]
        else:
            products = [{"@id": product, "subcomponents": [{"@id": finding.package.purl}]}]
        statement: dict[str, Any] = {
            "vulnerability": vulnerability,
            "products": products,
            "status": status,
        }
        stamp = timestamp
        if decision is not None and decision.suppressed_by is not None:
            suppression = decision.suppressed_by
            if status == "not_affected":
                if suppression.justification:
                    statement["justification"] = suppression.justification
                statement["impact_statement"] = impact(decision)
            notes = f"{suppression.kind.value} {suppression.source} {suppression.statement}"
            if suppression.expires:
                notes += f", expires {suppression.expires}"
            statement["status_notes"] = notes
            if is_datetime(suppression.timestamp):
                stamp = suppression.timestamp or timestamp
        elif status == "affected":
            statement["action_statement"] = action(finding)
            statement["status_notes"] = "affected according to a VEX statement the scan was given"
        else:
            statement["status_notes"] = (
                f"found by seawall ({finding.severity.value}); not triaged. {action(finding)}"
            )
        statement["timestamp"] = stamp
        statements.append(statement)
    return {
        "@context": CONTEXT,
        "@id": f"urn:uuid:{options.uuid()}",
        "author": options.author,
        "role": "Document Creator",
        "timestamp": timestamp,
        "version": 1,
        "tooling": f"seawall {__version__}",
        "statements": statements,
    }


def render_openvex(result: ScanResult, options: VexOptions | None = None) -> str:
    return json.dumps(scan_to_openvex(result, options), indent=2, ensure_ascii=False) + "\n"
