"""The result of `seawall scan`: what was scanned, what was found, and with which data."""

from dataclasses import dataclass

from seawall.model.finding import MisconfigFinding, SecretFinding, VulnerabilityFinding
from seawall.model.image import Image
from seawall.model.package import Inventory
from seawall.model.policy import PolicyResult


@dataclass(frozen=True, slots=True)
class DataSource:
    """One source of the vulnerability store (an OSV ecosystem export, KEV, EPSS)."""

    name: str
    records: int
    updated: str | None
    """When seawall last imported it (RFC 3339)."""
    data_as_of: str | None = None
    """The newest `modified` date (or catalogue date) the source holds."""


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """The vulnerability store a scan used."""

    location: str
    schema_version: int
    sources: tuple[DataSource, ...]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found, ready for the policy and the reporters."""

    image: Image | None
    inventory: Inventory
    vulnerabilities: tuple[VulnerabilityFinding, ...]
    database: DatabaseInfo | None
    scanned_at: str
    secrets: tuple[SecretFinding, ...] = ()
    misconfigurations: tuple[MisconfigFinding, ...] = ()
    warnings: tuple[str, ...] = ()
    policy: PolicyResult | None = None
    """The policy's decisions and verdict, once `seawall.policy.apply_policy` ran."""
