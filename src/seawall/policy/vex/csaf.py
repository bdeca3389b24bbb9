"""CSAF 2.0 VEX (OASIS CSAF v2.0, profile 4.5 "VEX") into statements.

Products: `product_tree` branches, `full_product_names` and relationships,
each `product_id` resolved to the purl of its
`product_identification_helper` (CSAF §3.1.3.3.3). A relationship
(`default_component_of` …) makes a product of a component inside another
product: its component's purl becomes the subcomponent and the other
product the product, as OpenVEX would write it.

Statuses (§3.2.3.9): `known_not_affected` → not_affected, `fixed` and
`first_fixed` → fixed, `known_affected`/`first_affected`/`last_affected` →
affected, `under_investigation` → under_investigation. A not-affected
product's justification is the `flags[].label` naming it (the labels are
OpenVEX's justifications) or, failing that, a `threats[]` entry of category
`impact` (§3.2.3.13); an affected product's detail is its remediation.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seawall.policy.vex.statement import JUSTIFICATIONS, VexStatement, VexStatus

MAX_BRANCH_DEPTH = 30

_STATUSES = {
    "known_not_affected": VexStatus.NOT_AFFECTED,
    "fixed": VexStatus.FIXED,
    "first_fixed": VexStatus.FIXED,
    "known_affected": VexStatus.AFFECTED,
    "first_affected": VexStatus.AFFECTED,
    "last_affected": VexStatus.AFFECTED,
    "under_investigation": VexStatus.UNDER_INVESTIGATION,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Helper(_Model):
    purl: str | None = None


class _FullProductName(_Model):
    product_id: str
    name: str | None = None
    product_identification_helper: _Helper | None = None


class _Branch(_Model):
    product: _FullProductName | None = None
    branches: list["_Branch"] = Field(default_factory=list)


class _Relationship(_Model):
    category: str
    product_reference: str
    relates_to_product_reference: str
    full_product_name: _FullProductName


class _ProductTree(_Model):
    branches: list[_Branch] = Field(default_factory=list)
    full_product_names: list[_FullProductName] = Field(default_factory=list)
    relationships: list[_Relationship] = Field(default_factory=list)


class _Id(_Model):
    system_name: str
    text: str


class _Flag(_Model):
    label: str
    product_ids: list[str] = Field(default_factory=list)
    date: str | None = None


class _Threat(_Model):
    category: str
    details: str
    product_ids: list[str] = Field(default_factory=list)


class _Remediation(_Model):
    category: str
    details: str
    product_ids: list[str] = Field(default_factory=list)


class _Vulnerability(_Model):
    cve: str | None = None
    ids: list[_Id] = Field(default_factory=list)
    product_status: dict[str, list[str]] = Field(default_factory=dict)
    flags: list[_Flag] = Field(default_factory=list)
    threats: list[_Threat] = Field(default_factory=list)
    remediations: list[_Remediation] = Field(default_factory=list)


class _Publisher(_Model):
    name: str | None = None


class _Tracking(_Model):
    id: str | None = None
    current_release_date: str | None = None


class _DocumentMeta(_Model):
    category: str
    csaf_version: str
    publisher: _Publisher | None = None
    tracking: _Tracking | None = None


class _Document(_Model):
    document: _DocumentMeta
    product_tree: _ProductTree | None = None
    vulnerabilities: list[_Vulnerability] = Field(default_factory=list)


def _walk(branches: list[_Branch], into: dict[str, str], depth: int = 0) -> None:
    if depth > MAX_BRANCH_DEPTH:
        return
    for branch in branches:
        product = branch.product
        if product is not None:
            into[product.product_id] = _identity(product)
        _walk(branch.branches, into, depth + 1)


def _identity(product: _FullProductName) -> str:
    helper = product.product_identification_helper
    return (
        helper.purl if helper is not None and helper.purl else (product.name or product.product_id)
    )


def _targets(tree: _ProductTree | None) -> dict[str, tuple[str, str | None]]:
    """product_id → (product, subcomponent or None)."""
    if tree is None:
        return {}
    plain: dict[str, str] = {}
    _walk(tree.branches, plain)
    for product in tree.full_product_names:
        plain[product.product_id] = _identity(product)
    targets: dict[str, tuple[str, str | None]] = {pid: (name, None) for pid, name in plain.items()}
    for relationship in tree.relationships:
        component = plain.get(relationship.product_reference, relationship.product_reference)
        outer = plain.get(
            relationship.relates_to_product_reference, relationship.relates_to_product_reference
        )
        targets[relationship.full_product_name.product_id] = (outer, component)
    return targets


def read_csaf_vex(document: dict[str, Any], source: str) -> tuple[VexStatement, ...]:
    parsed = _Document.model_validate(document)
    targets = _targets(parsed.product_tree)
    meta = parsed.document
    author = meta.publisher.name if meta.publisher else None
    timestamp = meta.tracking.current_release_date if meta.tracking else None
    statements: list[VexStatement] = []
    for v_index, vulnerability in enumerate(parsed.vulnerabilities):
        ids = {i.text for i in vulnerability.ids}
        if vulnerability.cve:
            ids.add(vulnerability.cve)
        if not ids:
            continue
        flags = {pid: flag.label for flag in vulnerability.flags for pid in flag.product_ids}
        impacts = {
            pid: threat.details
            for threat in vulnerability.threats
            if threat.category == "impact"
            for pid in threat.product_ids
        }
        remedies = {
            pid: f"{remedy.category}: {remedy.details}"
            for remedy in vulnerability.remediations
            for pid in remedy.product_ids
        }
        for status_name, product_ids in vulnerability.product_status.items():
            status = _STATUSES.get(status_name)
            if status is None:
                continue
            for pid in product_ids:
                product, component = targets.get(pid, (pid, None))
                label = flags.get(pid)
                justification = label if label in JUSTIFICATIONS else None
                detail = impacts.get(pid) if status is VexStatus.NOT_AFFECTED else remedies.get(pid)
                statements.append(
                    VexStatement(
                        source=source,
                        ref=f"vulnerabilities[{v_index}].product_status.{status_name}:{pid}",
                        vulnerabilities=frozenset(i.strip().upper() for i in ids),
                        products=(product,),
                        subcomponents=() if component is None else (component,),
                        status=status,
                        justification=justification,
                        detail=detail,
                        author=author,
                        timestamp=timestamp,
                    )
                )
    return tuple(statements)
