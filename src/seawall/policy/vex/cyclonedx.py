"""CycloneDX VEX (CycloneDX 1.4-1.6 `vulnerabilities[].analysis`) into statements.

States map to OpenVEX as the CISA VEX status mapping does: `not_affected`
and `false_positive` → not_affected, `resolved`/`resolved_with_pedigree` →
fixed, `exploitable` → affected, `in_triage` → under_investigation.
Justifications map onto OpenVEX's (table below); the CycloneDX one is kept
in the detail. `affects[].ref` names a component of the same document by
`bom-ref` (its purl is used), or is a purl itself.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seawall.policy.vex.statement import VexStatement, VexStatus

STATES = {
    "not_affected": VexStatus.NOT_AFFECTED,
    "false_positive": VexStatus.NOT_AFFECTED,
    "resolved": VexStatus.FIXED,
    "resolved_with_pedigree": VexStatus.FIXED,
    "exploitable": VexStatus.AFFECTED,
    "in_triage": VexStatus.UNDER_INVESTIGATION,
}
JUSTIFICATIONS = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "component_not_present",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Component(_Model):
    bom_ref: str | None = Field(default=None, alias="bom-ref")
    purl: str | None = None
    components: list["_Component"] = Field(default_factory=list)


class _Affects(_Model):
    ref: str


class _Analysis(_Model):
    state: str | None = None
    justification: str | None = None
    detail: str | None = None
    response: list[str] = Field(default_factory=list)
    firstIssued: str | None = None
    lastUpdated: str | None = None


class _Reference(_Model):
    id: str


class _Vulnerability(_Model):
    bom_ref: str | None = Field(default=None, alias="bom-ref")
    id: str = Field(min_length=1)
    references: list[_Reference] = Field(default_factory=list)
    analysis: _Analysis | None = None
    affects: list[_Affects] = Field(default_factory=list)


class _Metadata(_Model):
    timestamp: str | None = None
    component: _Component | None = None


class _Document(_Model):
    metadata: _Metadata | None = None
    components: list[_Component] = Field(default_factory=list)
    vulnerabilities: list[_Vulnerability] = Field(default_factory=list)


def _purls(components: list[_Component], into: dict[str, str], depth: int = 0) -> None:
    if depth > 32:
        return
    for component in components:
        if component.bom_ref and component.purl:
            into[component.bom_ref] = component.purl
        _purls(component.components, into, depth + 1)


def read_cyclonedx_vex(document: dict[str, Any], source: str) -> tuple[VexStatement, ...]:
    parsed = _Document.model_validate(document)
    refs: dict[str, str] = {}
    roots = [parsed.metadata.component] if parsed.metadata and parsed.metadata.component else []
    _purls(roots + parsed.components, refs)
    statements = []
    for index, vulnerability in enumerate(parsed.vulnerabilities):
        analysis = vulnerability.analysis
        if analysis is None or analysis.state not in STATES:
            continue
        # A ref to the document's subject (an image) resolves to its purl, which
        # then names the image: the statement covers every package in it.
        products = [refs.get(affect.ref, affect.ref) for affect in vulnerability.affects]
        justification = JUSTIFICATIONS.get(analysis.justification or "")
        detail_parts = [analysis.detail] if analysis.detail else []
        if analysis.justification:
            detail_parts.append(f"CycloneDX justification: {analysis.justification}")
        if analysis.state == "false_positive":
            detail_parts.append("false positive")
        if analysis.response:
            detail_parts.append("response: " + ", ".join(analysis.response))
        ids = {vulnerability.id, *(reference.id for reference in vulnerability.references)}
        statements.append(
            VexStatement(
                source=source,
                ref=vulnerability.bom_ref or f"vulnerabilities[{index}]",
                vulnerabilities=frozenset(i.strip().upper() for i in ids),
                products=tuple(dict.fromkeys(products)),
                subcomponents=(),
                status=STATES[analysis.state],
                justification=justification,
                detail="; ".join(detail_parts) or None,
                timestamp=analysis.lastUpdated
                or analysis.firstIssued
                or (parsed.metadata.timestamp if parsed.metadata else None),
            )
        )
    return tuple(statements)
