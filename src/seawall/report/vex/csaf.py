"""CSAF 2.0 VEX documents (OASIS CSAF v2.0, profile 4.5 "VEX").

- `document`: category `csaf_vex`, csaf_version 2.0, publisher (category
  `user`: the party running the product), title, tracking (id, status
  final, version 1, one revision, release dates, generator).
- `product_tree`: the image and each affected package as
  `full_product_names` identified by purl, and a `default_component_of`
  relationship per package in the image whose product id the statuses use
  (§3.1.3.3.3, §3.2.3.9).
- `vulnerabilities`: one per vulnerability id with `cve` (when an id is a
  CVE, §3.2.3.2) and other ids in `ids`, `notes`, `product_status`; every
  known_not_affected product has a `flags` label when a justification is
  known and always a `threats` entry of category impact (mandatory test
  6.1.27.9); every known_affected product a `remediations` entry (6.1.27.10).
"""

import json
import re
from typing import Any

from seawall import __version__
from seawall.model.finding import VulnerabilityFinding
from seawall.model.policy import FindingDecision
from seawall.model.scan import ScanResult
from seawall.report.scan.risk import in_risk_order
from seawall.report.vex.common import VexOptions, action, image_product, impact, status_of

_CVE = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,}$")
_STATUS_KEYS = {
    "not_affected": "known_not_affected",
    "affected": "known_affected",
    "fixed": "fixed",
    "under_investigation": "under_investigation",
}


def _ids(finding: VulnerabilityFinding) -> tuple[str | None, list[dict[str, str]]]:
    every = [finding.id, *sorted(set(finding.aliases) - {finding.id})]
    cve = next((i for i in every if _CVE.match(i)), None)
    others = [{"system_name": i.split("-", 1)[0], "text": i} for i in every if i != cve]
    return cve, others


def scan_to_csaf_vex(result: ScanResult, options: VexOptions | None = None) -> dict[str, Any]:
    options = options or VexOptions()
    now = options.timestamp()
    decisions = result.policy.by_fingerprint() if result.policy else {}
    subject = result.image.reference if result.image else "scanned software"
    image_purl = image_product(result.image)
    full_names: list[dict[str, Any]] = []
    relationships: list[dict[str, Any]] = []
    image_id: str | None = None
    if result.image is not None:
        image_id = "CSAFPID-IMAGE"
        image_product_record: dict[str, Any] = {"product_id": image_id, "name": subject}
        if image_purl and image_purl.startswith("pkg:"):
            image_product_record["product_identification_helper"] = {"purl": image_purl}
        full_names.append(image_product_record)
    product_ids: dict[str, str] = {}

    def product_for(finding: VulnerabilityFinding) -> str:
        package = finding.package
        if package.purl in product_ids:
            return product_ids[package.purl]
        index = len(product_ids) + 1
        package_id = f"CSAFPID-{index:04d}"
        full_names.append(
            {
                "product_id": package_id,
                "name": f"{package.name} {package.version}",
                "product_identification_helper": {"purl": package.purl},
            }
        )
        product_id = package_id
        if image_id is not None:
            product_id = f"{package_id}-IN-IMAGE"
            relationships.append(
                {
                    "category": "default_component_of",
                    "product_reference": package_id,
                    "relates_to_product_reference": image_id,
                    "full_product_name": {
                        "product_id": product_id,
                        "name": f"{package.name} {package.version} in {subject}",
                    },
                }
            )
        product_ids[package.purl] = product_id
        return product_id

    groups: dict[str, list[tuple[VulnerabilityFinding, FindingDecision | None]]] = {}
    for finding in in_risk_order(result.vulnerabilities, result.policy):
        groups.setdefault(finding.id, []).append((finding, decisions.get(finding.fingerprint)))
    vulnerabilities = []
    for vuln_id, group in groups.items():
        lead = group[0][0]
        cve, others = _ids(lead)
        status: dict[str, list[str]] = {}
        flags: dict[str, list[str]] = {}
        threats: list[dict[str, Any]] = []
        remediations: list[dict[str, Any]] = []
        for finding, decision in group:
            pid = product_for(finding)
            state = status_of(decision)
            ids = status.setdefault(_STATUS_KEYS[state], [])
            if pid in ids:
                continue
            ids.append(pid)
            if state == "not_affected" and decision is not None:
                suppression = decision.suppressed_by
                if suppression is not None and suppression.justification:
                    flags.setdefault(suppression.justification, []).append(pid)
                threats.append(
                    {"category": "impact", "details": impact(decision), "product_ids": [pid]}
                )
            elif state == "affected":
                remediations.append(
                    {
                        "category": "vendor_fix" if finding.fixed_versions else "none_available",
                        "details": action(finding),
                        "product_ids": [pid],
                    }
                )
        entry: dict[str, Any] = {}
        if cve:
            entry["cve"] = cve
        if others:
            entry["ids"] = others
        entry["notes"] = [
            {
                "category": "description",
                "title": "Summary",
                "text": lead.summary or f"{vuln_id} found by seawall ({lead.severity.value})",
            }
        ]
        entry["product_status"] = status
        if flags:
            entry["flags"] = [{"label": label, "product_ids": ids} for label, ids in flags.items()]
        if threats:
            entry["threats"] = threats
        if remediations:
            entry["remediations"] = remediations
        vulnerabilities.append(entry)
    document_id = f"seawall-vex-{options.uuid()}"
    return {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "lang": "en",
            "notes": [
                {
                    "category": "summary",
                    "title": "How this document was made",
                    "text": "Statements from a seawall scan and the triage decisions of its policy"
                    " (ignores and VEX statements). Findings nobody triaged are under"
                    " investigation.",
                }
            ],
            "publisher": {
                "category": "user",
                "name": options.author,
                "namespace": options.namespace,
            },
            "title": f"VEX for {subject}",
            "tracking": {
                "current_release_date": now,
                "generator": {"date": now, "engine": {"name": "seawall", "version": __version__}},
                "id": document_id,
                "initial_release_date": now,
                "revision_history": [{"date": now, "number": "1", "summary": "Initial version."}],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": {
            "full_product_names": full_names,
            **({"relationships": relationships} if relationships else {}),
        },
        "vulnerabilities": vulnerabilities,
    }


def render_csaf_vex(result: ScanResult, options: VexOptions | None = None) -> str:
    return json.dumps(scan_to_csaf_vex(result, options), indent=2, ensure_ascii=False) + "\n"
