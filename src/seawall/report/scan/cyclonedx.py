"""`seawall scan` results as CycloneDX 1.6 with vulnerabilities, and as CycloneDX VEX.

The inventory part is the SBOM writer's document
(`report.sbom.cyclonedx.build_document`), unchanged; `vulnerabilities` is
added (CycloneDX 1.6 `vulnerability` object): one entry per finding with
its id, source, other ids as `references`, CVSS `ratings` (method from the
version), description, `recommendation` (the fix), advisories, `affects`
pointing at the package's bom-ref, and seawall's EPSS, KEV and risk score
as `seawall:` properties.

A finding the policy suppressed carries an `analysis` saying why (state
`not_affected` or `resolved`, the justification mapped from OpenVEX's,
the reason as detail). As VEX (`vex=True`) every finding carries an
`analysis`: untriaged ones are `in_triage`, those a VEX statement called
affected `exploitable`.
"""

import json
from typing import Any

from seawall.model.finding import Severity, VulnerabilityFinding
from seawall.model.policy import FindingDecision
from seawall.model.scan import ScanResult
from seawall.report.sbom.common import SbomOptions, package_refs
from seawall.report.sbom.cyclonedx import build_document
from seawall.report.scan.risk import in_risk_order

_METHODS = {"2.0": "CVSSv2", "3.0": "CVSSv3", "3.1": "CVSSv31", "4.0": "CVSSv4"}
_SEVERITIES = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.NEGLIGIBLE: "info",
    Severity.UNKNOWN: "unknown",
}
JUSTIFICATIONS = {
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "component_not_present": "requires_dependency",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}
"""OpenVEX justification → CycloneDX (the inverse of policy/vex/cyclonedx.py's table)."""


def _source(vuln_id: str) -> dict[str, str]:
    if vuln_id.startswith("CVE-"):
        return {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/{vuln_id}"}
    if vuln_id.startswith("GHSA-"):
        return {"name": "GitHub", "url": f"https://github.com/advisories/{vuln_id}"}
    return {"name": "OSV", "url": f"https://osv.dev/vulnerability/{vuln_id}"}


def _analysis(decision: FindingDecision | None, vex: bool) -> dict[str, Any] | None:
    if decision is not None and decision.suppressed_by is not None:
        suppression = decision.suppressed_by
        analysis: dict[str, Any] = {
            "state": "resolved" if suppression.status == "fixed" else "not_affected"
        }
        justification = JUSTIFICATIONS.get(suppression.justification or "")
        if justification and analysis["state"] == "not_affected":
            analysis["justification"] = justification
        detail = suppression.reason
        if suppression.owner:
            detail += f" (by {suppression.owner})"
        analysis["detail"] = detail
        if suppression.timestamp and "T" in suppression.timestamp:
            analysis["lastUpdated"] = suppression.timestamp
        return analysis
    if not vex:
        return None
    affected = decision is not None and any(a.status == "affected" for a in decision.annotations)
    if affected:
        return {"state": "exploitable"}
    return {"state": "in_triage"}


def _vulnerability(
    finding: VulnerabilityFinding, ref: str, decision: FindingDecision | None, vex: bool
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "bom-ref": f"vuln:{finding.fingerprint}",
        "id": finding.id,
        "source": _source(finding.id),
    }
    others = sorted(set(finding.aliases) - {finding.id})
    if others:
        record["references"] = [{"id": other, "source": _source(other)} for other in others]
    ratings = [
        {
            "source": {"name": score.source},
            "score": score.base_score,
            "severity": _SEVERITIES[score.severity],
            "method": _METHODS.get(score.version, "other"),
            "vector": score.vector,
        }
        for score in sorted(finding.cvss, key=lambda s: (s.version, s.source, s.vector))
    ]
    ratings.append({"source": {"name": "seawall"}, "severity": _SEVERITIES[finding.severity]})
    record["ratings"] = ratings
    if finding.summary:
        record["description"] = finding.summary
    if finding.fixed_versions:
        record["recommendation"] = (
            f"Upgrade {finding.package.name} to {' or '.join(finding.fixed_versions)}"
        )
    else:
        record["recommendation"] = (
            f"No fix yet for {finding.package.name} {finding.package.version}"
        )
    urls = [url for url in dict.fromkeys(finding.references) if url.startswith("https://")]
    if urls:
        record["advisories"] = [{"url": url} for url in urls]
    if finding.published:
        record["published"] = finding.published
    if finding.modified:
        record["updated"] = finding.modified
    analysis = _analysis(decision, vex)
    if analysis is not None:
        record["analysis"] = analysis
    record["affects"] = [{"ref": ref}]
    props = []
    if finding.epss is not None:
        props.append({"name": "seawall:epss", "value": f"{finding.epss.score:.5f}"})
    if finding.kev is not None:
        props.append({"name": "seawall:kev", "value": "true"})
    if decision is not None:
        props.append({"name": "seawall:risk", "value": f"{decision.risk.score:.1f}"})
        props.append({"name": "seawall:decision", "value": decision.decision.value})
    props.append({"name": "seawall:fingerprint", "value": finding.fingerprint})
    record["properties"] = props
    return record


def scan_to_cyclonedx(
    result: ScanResult, options: SbomOptions | None = None, *, vex: bool = False
) -> dict[str, Any]:
    """The CycloneDX 1.6 document: the SBOM plus every vulnerability finding."""
    document = build_document(result.inventory, result.image, options or SbomOptions())
    refs = package_refs(result.inventory.packages)
    by_package = dict(zip(result.inventory.packages, refs, strict=True))
    by_purl: dict[str, str] = {}
    for package, ref in zip(result.inventory.packages, refs, strict=True):
        by_purl.setdefault(package.purl, ref)
    decisions = result.policy.by_fingerprint() if result.policy else {}
    vulnerabilities = []
    for finding in in_risk_order(result.vulnerabilities, result.policy):
        found = by_package.get(finding.package) or by_purl.get(finding.package.purl)
        if found is not None:
            ref = found
        else:
            # A package the inventory lacks (a result assembled by hand): name it by purl.
            ref = finding.package.purl
            document["components"].append(
                {
                    "type": "library",
                    "bom-ref": ref,
                    "name": finding.package.name,
                    "version": finding.package.version,
                }
            )
            document["dependencies"].append({"ref": ref})
            by_purl[ref] = ref
        vulnerabilities.append(
            _vulnerability(finding, ref, decisions.get(finding.fingerprint), vex)
        )
    document["vulnerabilities"] = vulnerabilities
    return document


def render_cyclonedx_scan(
    result: ScanResult, options: SbomOptions | None = None, *, vex: bool = False
) -> str:
    return (
        json.dumps(scan_to_cyclonedx(result, options, vex=vex), indent=2, ensure_ascii=False) + "\n"
    )
