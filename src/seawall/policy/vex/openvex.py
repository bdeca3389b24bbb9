"""OpenVEX 0.2.0 (openvex/spec, OPENVEX-SPEC.md) into statements.

Products and subcomponents are identified by `@id` or `identifiers.purl`.
A statement's `timestamp` defaults to the document's, its author is the
document's `author`.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seawall.policy.vex.statement import JUSTIFICATIONS, VexStatement, VexStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Identifiers(_Model):
    purl: str | None = None


class _Component(_Model):
    id: str | None = Field(default=None, alias="@id")
    identifiers: _Identifiers | None = None

    def names(self) -> list[str]:
        out = [self.id] if self.id else []
        if self.identifiers and self.identifiers.purl and self.identifiers.purl not in out:
            out.append(self.identifiers.purl)
        return out


class _Product(_Component):
    subcomponents: list[_Component] = Field(default_factory=list)


class _Vulnerability(_Model):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class _Statement(_Model):
    id: str | None = Field(default=None, alias="@id")
    vulnerability: _Vulnerability
    products: list[_Product] = Field(default_factory=list)
    status: VexStatus
    justification: str | None = None
    impact_statement: str | None = None
    action_statement: str | None = None
    status_notes: str | None = None
    timestamp: str | None = None


class _Document(_Model):
    author: str | None = None
    timestamp: str | None = None
    statements: list[_Statement]


def read_openvex(document: dict[str, Any], source: str) -> tuple[VexStatement, ...]:
    parsed = _Document.model_validate(document)
    statements = []
    for index, statement in enumerate(parsed.statements):
        ids = {statement.vulnerability.name, *statement.vulnerability.aliases}
        products = [name for product in statement.products for name in product.names()]
        subcomponents = [
            name
            for product in statement.products
            for component in product.subcomponents
            for name in component.names()
        ]
        justification = (
            statement.justification if statement.justification in JUSTIFICATIONS else None
        )
        detail = (
            statement.impact_statement
            or statement.action_statement
            or statement.status_notes
            or (statement.justification if justification is None else None)
        )
        statements.append(
            VexStatement(
                source=source,
                ref=statement.id or f"statements[{index}]",
                vulnerabilities=frozenset(i.strip().upper() for i in ids),
                products=tuple(products),
                subcomponents=tuple(subcomponents),
                status=statement.status,
                justification=justification,
                detail=detail,
                author=parsed.author,
                timestamp=statement.timestamp or parsed.timestamp,
            )
        )
    return tuple(statements)
