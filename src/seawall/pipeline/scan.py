"""`seawall scan`: inventory, then vulnerabilities matched against the local store.

The store is never updated behind the user's back, with one exception that
trivy and grype users expect: when there is no store at all and the scan is
not `offline`, the ecosystems the inventory needs are fetched first.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seawall import versions
from seawall.errors import InputError
from seawall.match import match_inventory
from seawall.model.finding import Severity, VulnerabilityFinding
from seawall.model.package import Inventory
from seawall.model.scan import ScanResult
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from seawall.vulndb.staleness import DEFAULT_MAX_AGE, staleness_warnings
from seawall.vulndb.store import VulnStore

log = logging.getLogger(__name__)

_MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """What a scan looks for and with which data."""

    db_path: Path
    ignore_unfixed: bool = False
    severities: Collection[Severity] | None = None
    """Report only these severities; None reports all."""
    offline: bool = False
    """Never touch the network (no first-time database download)."""
    max_db_age: timedelta = DEFAULT_MAX_AGE


def scan(target: str, options: SourceOptions, settings: ScanSettings) -> ScanResult:
    """Catalog `target`, match its packages against the store, and say how fresh the data was."""
    inventory_result = sbom(target, options)
    inventory = inventory_result.inventory
    warnings: list[str] = []
    if not settings.db_path.exists():
        _first_download(settings, inventory)
    with VulnStore(settings.db_path) as store:
        matched = match_inventory(
            inventory, store, versions.key, ignore_unfixed=settings.ignore_unfixed
        )
        database = store.info()
    warnings.extend(staleness_warnings(database, settings.max_db_age))
    if matched.problems:
        shown = matched.problems[:_MAX_PROBLEMS]
        more = len(matched.problems) - len(shown)
        warnings.extend(shown)
        if more:
            warnings.append(f"… and {more} more packages or advisories that could not be compared")
    return ScanResult(
        image=inventory_result.image,
        inventory=inventory,
        vulnerabilities=_shown(matched.findings, settings.severities),
        database=database,
        scanned_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        warnings=tuple(warnings),
    )


def _first_download(settings: ScanSettings, inventory: Inventory) -> None:
    if settings.offline:
        raise InputError(
            f"no vulnerability database at {settings.db_path}; run `seawall db update` "
            "(or `seawall db import` offline) first"
        )
    # Imported here: the HTTP client is only needed the first time.
    from seawall.vulndb.update import update

    ecosystems = sorted({package.osv_ecosystem for package in inventory.packages})
    log.info("no vulnerability database yet: fetching %s", ", ".join(ecosystems))
    update(settings.db_path, ecosystems=ecosystems)


def _shown(
    findings: tuple[VulnerabilityFinding, ...], severities: Collection[Severity] | None
) -> tuple[VulnerabilityFinding, ...]:
    if severities is None:
        return findings
    return tuple(finding for finding in findings if finding.severity in severities)
