"""`seawall scan`: the inventory, then the selected scanners over it and the image.

Scanners (`--scanners`): `vuln` matches packages against the local store,
`secret` runs the secret engine over every layer (deleted files included),
the config and history, `misconfig` runs the image checks (or, for a
directory, the Dockerfile and Kubernetes checks). The store is never updated
behind the user's back, with one exception that trivy and grype users expect:
when there is no store at all and the scan is not `offline`, the ecosystems
the inventory needs are fetched first.
"""

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from seawall.errors import InputError
from seawall.model.finding import MisconfigFinding, SecretFinding, Severity, VulnerabilityFinding
from seawall.model.image import SourceKind
from seawall.model.package import Inventory
from seawall.model.scan import ScanResult
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from seawall.source.target import parse_target
from seawall.vulndb.staleness import DEFAULT_MAX_AGE, staleness_warnings

# Each scanner's stage (the matcher and store, the secret engine, the
# misconfiguration checks) is imported when the scan selects it; `logging` only by
# the first download, which is the only step that logs.

_MAX_PROBLEMS = 20


class Scanner(StrEnum):
    """What a scan looks for."""

    VULN = "vuln"
    SECRET = "secret"  # noqa: S105 - a scanner's name, not a credential
    MISCONFIG = "misconfig"


DEFAULT_SCANNERS = frozenset({Scanner.VULN, Scanner.SECRET})
"""Like trivy: vulnerabilities and secrets unless asked otherwise."""


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """What a scan looks for and with which data."""

    db_path: Path | None = None
    """The vulnerability store; needed when the `vuln` scanner runs."""
    scanners: frozenset[Scanner] = field(default=DEFAULT_SCANNERS)
    ignore_unfixed: bool = False
    severities: Collection[Severity] | None = None
    """Report only these severities; None reports all."""
    offline: bool = False
    """Never touch the network (no first-time database download)."""
    max_db_age: timedelta = DEFAULT_MAX_AGE
    today: date | None = None
    """The date end-of-life checks compare with (None: today)."""
    base_layers: int | None = None
    """How many bottom layers are the base image (None: read it from the history)."""


def scan(target: str, options: SourceOptions, settings: ScanSettings) -> ScanResult:
    """Catalog `target` and run the selected scanners over it."""
    inventory_result = sbom(target, options)
    result = ScanResult(
        image=inventory_result.image,
        inventory=inventory_result.inventory,
        vulnerabilities=(),
        database=None,
        scanned_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    if Scanner.VULN in settings.scanners:
        result = _vulnerabilities(result, settings)
    has_files = parse_target(target, limits=options.limits).kind is not SourceKind.SBOM
    if Scanner.SECRET in settings.scanners and has_files:
        from seawall.pipeline.secrets import secrets

        found = secrets(target, options)
        result = dataclasses.replace(
            result,
            secrets=_shown(found.findings, settings.severities),
            warnings=(*result.warnings, *(str(p) for p in found.status.problems[:_MAX_PROBLEMS])),
        )
    if Scanner.MISCONFIG in settings.scanners and has_files:
        from seawall.pipeline.misconfig import misconfigurations
        from seawall.source.registry import open_source

        with open_source(target, options) as source:
            checked = misconfigurations(
                source,
                result.inventory,
                options=options,
                today=settings.today or date.today(),
                base_layers=settings.base_layers,
            )
        result = dataclasses.replace(
            result,
            misconfigurations=_shown(checked.findings, settings.severities),
            warnings=(*result.warnings, *checked.problems[:_MAX_PROBLEMS]),
        )
    return result


def _vulnerabilities(result: ScanResult, settings: ScanSettings) -> ScanResult:
    """Match the inventory against the store; say how fresh the data was."""
    from seawall import versions
    from seawall.match import match_inventory
    from seawall.vulndb.store import VulnStore

    if settings.db_path is None:
        raise InputError("the vuln scanner needs a vulnerability database (--db)")
    if not settings.db_path.exists():
        _first_download(settings.db_path, settings.offline, result.inventory)
    with VulnStore(settings.db_path) as store:
        matched = match_inventory(
            result.inventory, store, versions.key, ignore_unfixed=settings.ignore_unfixed
        )
        database = store.info()
    warnings = list(staleness_warnings(database, settings.max_db_age))
    if matched.problems:
        shown = matched.problems[:_MAX_PROBLEMS]
        more = len(matched.problems) - len(shown)
        warnings.extend(shown)
        if more:
            warnings.append(f"… and {more} more packages or advisories that could not be compared")
    return dataclasses.replace(
        result,
        vulnerabilities=_shown(matched.findings, settings.severities),
        database=database,
        warnings=(*result.warnings, *warnings),
    )


def _first_download(db_path: Path, offline: bool, inventory: Inventory) -> None:
    if offline:
        raise InputError(
            f"no vulnerability database at {db_path}; run `seawall db update` "
            "(or `seawall db import` offline) first"
        )
    # Imported here: the HTTP client is only needed the first time.
    import logging

    from seawall.vulndb.update import update

    ecosystems = sorted({package.osv_ecosystem for package in inventory.packages})
    logging.getLogger(__name__).info(
        "no vulnerability database yet: fetching %s", ", ".join(ecosystems)
    )
    update(db_path, ecosystems=ecosystems)


_Finding = TypeVar("_Finding", VulnerabilityFinding, SecretFinding, MisconfigFinding)


def _shown(
    findings: Collection[_Finding], severities: Collection[Severity] | None
) -> tuple[_Finding, ...]:
    if severities is None:
        return tuple(findings)
    return tuple(finding for finding in findings if finding.severity in severities)
