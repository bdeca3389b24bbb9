"""`seawall scan` results as SARIF 2.1.0 (OASIS SARIF v2.1.0, errata 01), shaped
for GitHub code scanning.

- One run; `tool.driver` is seawall with one rule (reportingDescriptor) per
  vulnerability id. A rule covers every package the vulnerability was found
  in: its help (text and Markdown) gives the remediation per package
  ("upgrade nginx to 1.22.1-9+deb12u11" or "no fix yet") and the references,
  and `properties.security-severity` is the highest CVSS base score as a
  string, which GitHub maps to critical (≥ 9.0), high (≥ 7.0), medium
  (≥ 4.0) and low. Without any CVSS score a value inside the band of the
  normalised severity stands in; negligible and unknown get none.
- One result per finding, in risk order: `level` from the normalised
  severity (critical, high → error; medium → warning; low, negligible,
  unknown → note); the location is the evidence file relative to the image
  root (`var/lib/dpkg/status`, a lockfile) with `region.startLine` 1, which
  GitHub requires, and a logical location for the image layer; the finding
  fingerprint is `partialFingerprints["seawall/v1"]`, so code scanning
  follows one alert across scans.
- Image config values are never written; `created_by` lines are redacted.
"""

import json
import re
from collections.abc import Sequence
from datetime import UTC
from typing import Any
from urllib.parse import quote

from seawall import __version__
from seawall.model.finding import Severity, VulnerabilityFinding
from seawall.model.image import Image
from seawall.model.sbom_fields import TOOL_NAME
from seawall.model.scan import ScanResult
from seawall.report.scan.common import (
    Redactor,
    epss_percent,
    evidence_path,
    layer_of,
    other_ids,
    parse_time,
    short_created_by,
)
from seawall.report.scan.options import ScanReportOptions
from seawall.report.scan.risk import in_risk_order, preferred_cvss

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
_STAND_IN_SCORES = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
}
SHORT_DESCRIPTION_LENGTH = 120
_WEB_URL = re.compile(r"^https?://[^\s<>\"`]+$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~!])")
_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _md(text: str) -> str:
    """Text as literal Markdown: no markup, links or HTML can come through."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def _code(text: str) -> str:
    """A Markdown code span (CommonMark §6.1) holding the text verbatim."""
    text = _one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _security_severity(findings: Sequence[VulnerabilityFinding]) -> str | None:
    scores = [c.base_score for f in findings if (c := preferred_cvss(f)) is not None]
    if scores:
        return f"{max(scores):.1f}"
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    stand_in = _STAND_IN_SCORES.get(worst)
    return None if stand_in is None else f"{stand_in:.1f}"


def _remediation(finding: VulnerabilityFinding) -> str:
    package = finding.package
    if finding.fixed_versions:
        return (
            f"upgrade {package.name} to {' or '.join(finding.fixed_versions)}"
            f" (installed {package.version})"
        )
    return f"no fix yet for {package.name} {package.version}"


def _remediation_md(finding: VulnerabilityFinding) -> str:
    package = finding.package
    if finding.fixed_versions:
        fixed = " or ".join(_code(v) for v in finding.fixed_versions)
        return f"upgrade {_code(package.name)} to {fixed} (installed {_code(package.version)})"
    return f"no fix yet for {_code(package.name)} {_code(package.version)}"


def _references(findings: Sequence[VulnerabilityFinding]) -> list[str]:
    return list(dict.fromkeys(ref for f in findings for ref in f.references))


def _facts(lead: VulnerabilityFinding) -> list[str]:
    """Severity, KEV and EPSS of the vulnerability, one line each, as text."""
    cvss = preferred_cvss(lead)
    lines = [f"Severity: {lead.severity.value}"]
    if cvss is not None:
        lines[0] += f" (CVSS {cvss.version} {cvss.base_score:.1f} {cvss.vector})"
    if lead.kev is not None:
        kev = "Known exploited: in the CISA KEV catalogue"
        if lead.kev.date_added:
            kev += f" since {lead.kev.date_added}"
        if lead.kev.required_action:
            kev += f". Required action: {_one_line(lead.kev.required_action)}"
        lines.append(kev)
    if lead.epss is not None:
        lines.append(
            f"EPSS: {epss_percent(lead.epss.score)} probability of exploitation in 30 days"
            f" (percentile {epss_percent(lead.epss.percentile)})"
        )
    return lines


def _rule(vuln_id: str, findings: list[VulnerabilityFinding]) -> dict[str, Any]:
    lead = findings[0]
    summary = _one_line(lead.summary) if lead.summary else None
    names = ", ".join(dict.fromkeys(f.package.name for f in findings))
    title = f"{vuln_id}: {summary}" if summary else f"{vuln_id} in {names}"
    if len(title) > SHORT_DESCRIPTION_LENGTH:
        title = title[: SHORT_DESCRIPTION_LENGTH - 1] + "…"
    aliases = sorted({alias for f in findings for alias in other_ids(f)})
    full = summary or f"{vuln_id} affects {names}."
    if aliases:
        full += f" Also known as {', '.join(aliases)}."
    facts = _facts(lead)
    references = _references(findings)

    text = [f"{vuln_id}: {summary}" if summary else vuln_id, *facts, "", "Remediation:"]
    text.extend(f"- {_remediation(f)}" for f in findings)
    if references:
        text.extend(["", "References:", *(f"- {ref}" for ref in references)])

    markdown = [f"**{_md(vuln_id)}**" + (f": {_md(summary)}" if summary else "")]
    if aliases:
        markdown.append("")
        markdown.append("Also known as " + ", ".join(_code(a) for a in aliases) + ".")
    markdown.extend(["", *(f"- {_md(fact)}" for fact in facts)])
    markdown.extend(["", "### Remediation", ""])
    markdown.extend(f"- {_remediation_md(f)}" for f in findings)
    if references:
        markdown.extend(["", "### References", ""])
        markdown.extend(
            f"- <{ref}>" if _WEB_URL.match(ref) else f"- {_code(ref)}" for ref in references
        )

    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    tags = ["security", "vulnerability", worst.value]
    if any(f.kev is not None for f in findings):
        tags.append("known-exploited")
    if not all(f.fixable for f in findings):
        tags.append("no-fix-yet")
    properties: dict[str, Any] = {"tags": tags}
    security_severity = _security_severity(findings)
    if security_severity is not None:
        properties["security-severity"] = security_severity
    rule: dict[str, Any] = {
        "id": vuln_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": properties,
    }
    web = next((ref for ref in references if _WEB_URL.match(ref)), None)
    if web is not None:
        rule["helpUri"] = web
    return rule


def _subject_name(image: Image | None) -> str | None:
    if image is None:
        return None
    if image.manifest_digest and "@" not in image.reference:
        return f"{image.reference}@{image.manifest_digest}"
    return image.reference


def _location(
    finding: VulnerabilityFinding, result: ScanResult, redactor: Redactor
) -> dict[str, Any]:
    subject = _subject_name(result.image)
    path = evidence_path(finding.package)
    uri = path if path is not None else (subject or finding.package.purl)
    location: dict[str, Any] = {
        "physicalLocation": {
            # A relative reference (RFC 3986 §4.2): percent-encode all but "/".
            "artifactLocation": {"uri": quote(uri, safe="/")},
            "region": {"startLine": 1},
        }
    }
    if subject is not None:
        if finding.layer is None:
            logical = {"name": subject, "fullyQualifiedName": subject, "kind": "image"}
        else:
            logical = {
                "name": f"layer {finding.layer}",
                "fullyQualifiedName": f"{subject}/layer/{finding.layer}",
                "kind": "layer",
            }
            layer = layer_of(result.image, finding)
            if layer is not None and layer.created_by:
                logical["decoratedName"] = short_created_by(redactor.redact(layer.created_by))
        location["logicalLocations"] = [logical]
    return location


def _message(finding: VulnerabilityFinding) -> str:
    package = finding.package
    what = [finding.severity.value]
    if finding.kev is not None:
        what.append("known exploited")
    text = (
        f"{package.name} {package.version} ({package.osv_ecosystem}) is affected by"
        f" {finding.id} ({', '.join(what)})"
    )
    if finding.summary:
        text += f": {_one_line(finding.summary)}"
    fix = _remediation(finding)
    return f"{text.rstrip('.')}. {fix[0].upper()}{fix[1:]}."


def _result(
    finding: VulnerabilityFinding, rule_index: int, result: ScanResult, redactor: Redactor
) -> dict[str, Any]:
    layer = layer_of(result.image, finding)
    cvss = preferred_cvss(finding)
    properties: dict[str, Any] = {
        "purl": finding.package.purl,
        "installed": finding.package.version,
        "fixed": list(finding.fixed_versions),
        "severity": finding.severity.value,
        "cvss": None if cvss is None else cvss.base_score,
        "cvssVector": None if cvss is None else cvss.vector,
        "epss": None if finding.epss is None else finding.epss.score,
        "epssPercentile": None if finding.epss is None else finding.epss.percentile,
        "kev": finding.kev is not None,
        "layer": finding.layer,
        "layerDiffId": None if layer is None else layer.diff_id,
        "aliases": other_ids(finding),
    }
    return {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_location(finding, result, redactor)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }


def scan_to_sarif(result: ScanResult, options: ScanReportOptions | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log as plain data."""
    del options  # every option concerns the table
    redactor = Redactor.for_image(result.image)
    findings = in_risk_order(result.vulnerabilities, result.policy)
    groups: dict[str, list[VulnerabilityFinding]] = {}
    for finding in findings:
        groups.setdefault(finding.id, []).append(finding)
    rule_index = {vuln_id: index for index, vuln_id in enumerate(groups)}
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "warning", "message": {"text": redactor.redact(warning)}}
            for warning in result.warnings
        ],
    }
    scanned = parse_time(result.scanned_at)
    if scanned is not None:
        invocation["endTimeUtc"] = scanned.astimezone(UTC).isoformat().replace("+00:00", "Z")
    run_properties: dict[str, Any] = {"partialInventory": result.inventory.partial}
    if result.image is not None:
        run_properties["image"] = {
            "reference": result.image.reference,
            "manifestDigest": result.image.manifest_digest,
            "configDigest": result.image.config_digest,
        }
    if result.database is not None:
        run_properties["database"] = {
            source.name: source.updated
            for source in sorted(result.database.sources, key=lambda s: s.name)
        }
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "rules": [_rule(vuln_id, group) for vuln_id, group in groups.items()],
            }
        },
        "invocations": [invocation],
        "results": [
            _result(finding, rule_index[finding.id], result, redactor) for finding in findings
        ],
        "properties": run_properties,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: ScanResult, options: ScanReportOptions | None = None) -> str:
    """The scan result as a SARIF 2.1.0 JSON document, ending with a newline."""
    return json.dumps(scan_to_sarif(result, options), indent=2, ensure_ascii=False) + "\n"
