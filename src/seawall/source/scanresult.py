"""Reading a saved scan result (`seawall.scan/v1`, the native JSON) back into a `ScanResult`.

`seawall diff OLD NEW` and `seawall scan --baseline OLD` compare against what
an earlier scan saved. Findings come back with their fingerprints, which is
what the comparison needs; the subject image comes back without config and
history (the document never holds them: env values may be credentials), and
a vulnerability's package is the inventory package with the same purl,
name and version when there is one. The policy section is not read back: a
baseline is compared by its findings, and the new policy decides.

The document is hostile input: its size is bounded before it is parsed, and
every record is validated (strict types) before it becomes a model value.
"""

import json
import os
import stat
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from seawall.errors import InputError
from seawall.limits import Limits
from seawall.model.advisory import EpssScore, KevEntry
from seawall.model.finding import (
    CvssScore,
    MatchReason,
    MisconfigFinding,
    SecretFinding,
    SecretLocation,
    SecretSource,
    Severity,
    VulnerabilityFinding,
)
from seawall.model.package import Ecosystem, Inventory, Location, Package, Relationship
from seawall.model.scan import DatabaseInfo, DataSource, ScanResult
from seawall.source.sbom.records import (
    DistroRecord,
    ImageRecord,
    PackageRecord,
    RecordError,
    StatusRecord,
    to_distro,
    to_image,
    to_package,
    to_status,
    validate,
)

SCHEMA_ID = "seawall.scan/v1"


class ScanResultError(InputError):
    """A file that is not a readable `seawall.scan/v1` document."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"scan result {path}: {problem}")
        self.path = str(path)
        self.problem = problem


class _Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


# JSON carries enums as their values; strict mode would want enum instances.
_Severity = Annotated[Severity, Strict(False)]
_SecretSource = Annotated[SecretSource, Strict(False)]


class _Cvss(_Record):
    version: str
    vector: str
    base_score: float = Field(ge=0, le=10)
    severity: _Severity
    source: str


class _Epss(_Record):
    cve: str
    score: float = Field(ge=0, le=1)
    percentile: float = Field(ge=0, le=1)
    date: str | None = None


class _Kev(_Record):
    cve: str
    vendor: str | None = None
    product: str | None = None
    name: str | None = None
    date_added: str | None = None
    due_date: str | None = None
    required_action: str | None = None
    known_ransomware_use: str | None = None


class _Reason(_Record):
    record: str
    ecosystem: str
    package: str
    range: str
    decision: str


class _VulnLocation(_Record):
    path: str
    layer: int | None = Field(default=None, ge=0)


class _VulnPackage(_Record):
    name: str
    version: str
    ecosystem: str
    purl: str
    source_name: str | None = None
    source_version: str | None = None
    location: _VulnLocation | None = None


class _Vulnerability(_Record):
    id: str
    aliases: list[str]
    summary: str | None = None
    published: str | None = None
    modified: str | None = None
    package: _VulnPackage
    fixed_versions: list[str]
    severity: _Severity
    cvss: list[_Cvss]
    epss: _Epss | None = None
    kev: _Kev | None = None
    references: list[str]
    reasons: list[_Reason]
    fingerprint: str = Field(min_length=1)


class _SecretLocation(_Record):
    source: _SecretSource
    path: str | None = None
    line: int | None = None
    layer: int | None = None
    removed_in: int | None = None
    field: str | None = None
    history_index: int | None = None
    commit: str | None = None


class _Secret(_Record):
    rule_id: str
    title: str
    severity: _Severity
    location: _SecretLocation
    preview: str
    fingerprint: str = Field(min_length=1)


class _Misconfig(_Record):
    check_id: str
    title: str
    severity: _Severity
    message: str
    target: str
    remediation: str
    fingerprint: str = Field(min_length=1)
    path: str | None = None
    line: int | None = None
    layer: int | None = None
    controls: list[str] = Field(default_factory=list)


class _Source(_Record):
    name: str
    records: int
    updated: str | None = None
    data_as_of: str | None = None


class _Database(_Record):
    location: str
    schema_version: int
    sources: list[_Source]


def _read(path: Path, limit: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            if stat.S_ISDIR(os.fstat(handle.fileno()).st_mode):
                raise ScanResultError(path, "is a directory")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise ScanResultError(path, "no such file") from None
    except IsADirectoryError:
        raise ScanResultError(path, "is a directory") from None
    except OSError as error:
        raise ScanResultError(path, f"cannot read: {error.strerror}") from None
    if len(data) > limit:
        raise ScanResultError(path, f"larger than {limit} bytes (SEAWALL_MAX_SBOM_BYTES)")
    return data


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise RecordError(f"{key}: not a list")
    return value


def _ecosystem(value: str, where: str) -> tuple[Ecosystem, str | None]:
    name, _, release = value.partition(":")
    try:
        return Ecosystem(name), release or None
    except ValueError:
        raise RecordError(f"{where}: unknown ecosystem {value[:40]!r}") from None


def _package(
    record: _VulnPackage, known: dict[tuple[str, str, str], Package], where: str
) -> Package:
    found = known.get((record.purl, record.name, record.version))
    if found is not None:
        return found
    ecosystem, release = _ecosystem(record.ecosystem, where)
    location = record.location
    return Package(
        name=record.name,
        version=record.version,
        ecosystem=ecosystem,
        purl=record.purl,
        cataloger="unknown",
        ecosystem_release=release,
        source_name=record.source_name,
        source_version=record.source_version,
        locations=() if location is None else (Location(location.path, location.layer),),
    )


def _vulnerability(
    record: _Vulnerability, known: dict[tuple[str, str, str], Package], where: str
) -> VulnerabilityFinding:
    return VulnerabilityFinding(
        id=record.id,
        aliases=tuple(record.aliases),
        package=_package(record.package, known, where),
        fixed_versions=tuple(record.fixed_versions),
        severity=record.severity,
        cvss=tuple(
            CvssScore(c.version, c.vector, c.base_score, c.severity, c.source) for c in record.cvss
        ),
        summary=record.summary,
        references=tuple(record.references),
        reasons=tuple(
            MatchReason(r.record, r.ecosystem, r.package, r.range, r.decision)
            for r in record.reasons
        ),
        fingerprint=record.fingerprint,
        published=record.published,
        modified=record.modified,
        kev=None if record.kev is None else KevEntry(**record.kev.model_dump()),
        epss=None if record.epss is None else EpssScore(**record.epss.model_dump()),
    )


def _secret(record: _Secret) -> SecretFinding:
    return SecretFinding(
        rule_id=record.rule_id,
        title=record.title,
        severity=record.severity,
        location=SecretLocation(**record.location.model_dump()),
        preview=record.preview,
        fingerprint=record.fingerprint,
    )


def _misconfig(record: _Misconfig) -> MisconfigFinding:
    data = record.model_dump()
    data["controls"] = tuple(record.controls)
    return MisconfigFinding(**data)


def scan_result_from_dict(document: Any, source: str) -> ScanResult:
    """A ScanResult from a parsed `seawall.scan/v1` document; ScanResultError when it is not one."""
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID:
        raise ScanResultError(source, f"not a seawall scan result (schema {SCHEMA_ID})")
    try:
        inventory_doc = document.get("inventory")
        if not isinstance(inventory_doc, dict):
            raise RecordError("inventory: not an object")
        packages = tuple(
            to_package(validate(PackageRecord, item, f"inventory.packages[{i}]"), f"packages[{i}]")
            for i, item in enumerate(_list(inventory_doc, "packages"))
        )
        relationships = []
        for i, item in enumerate(_list(inventory_doc, "relationships")):
            if not (
                isinstance(item, dict)
                and isinstance(item.get("parent"), str)
                and isinstance(item.get("child"), str)
            ):
                raise RecordError(f"inventory.relationships[{i}]: needs string parent and child")
            relationships.append(Relationship(item["parent"], item["child"]))
        distro = inventory_doc.get("distro")
        inventory = Inventory(
            packages=packages,
            distro=None if distro is None else to_distro(validate(DistroRecord, distro, "distro")),
            relationships=tuple(relationships),
            statuses=tuple(
                to_status(validate(StatusRecord, item, f"inventory.statuses[{i}]"))
                for i, item in enumerate(_list(inventory_doc, "statuses"))
            ),
        )
        known = {(p.purl, p.name, p.version): p for p in reversed(packages)}
        vulnerabilities = tuple(
            _vulnerability(
                validate(_Vulnerability, item, f"vulnerabilities[{i}]"),
                known,
                f"vulnerabilities[{i}]",
            )
            for i, item in enumerate(_list(document, "vulnerabilities"))
        )
        secrets = tuple(
            _secret(validate(_Secret, item, f"secrets[{i}]"))
            for i, item in enumerate(_list(document, "secrets"))
        )
        misconfigurations = tuple(
            _misconfig(validate(_Misconfig, item, f"misconfigurations[{i}]"))
            for i, item in enumerate(_list(document, "misconfigurations"))
        )
        subject = document.get("subject")
        image = (
            None
            if subject is None
            else to_image(validate(ImageRecord, subject, "subject"), "subject")
        )
        database_doc = document.get("database")
        database = None
        if database_doc is not None:
            parsed = validate(_Database, database_doc, "database")
            database = DatabaseInfo(
                parsed.location,
                parsed.schema_version,
                tuple(
                    DataSource(s.name, s.records, s.updated, s.data_as_of) for s in parsed.sources
                ),
            )
        scanned_at = document.get("scanned_at")
        if not isinstance(scanned_at, str):
            raise RecordError("scanned_at: not a string")
        warnings = _list(document, "warnings")
        if not all(isinstance(w, str) for w in warnings):
            raise RecordError("warnings: not a list of strings")
    except (RecordError, ValidationError) as error:
        raise ScanResultError(source, str(error)) from None
    return ScanResult(
        image=image,
        inventory=inventory,
        vulnerabilities=vulnerabilities,
        database=database,
        scanned_at=scanned_at,
        secrets=secrets,
        misconfigurations=misconfigurations,
        warnings=tuple(warnings),
    )


def read_scan_result(path: Path, limits: Limits | None = None) -> ScanResult:
    """The ScanResult a `seawall scan --format json` file holds."""
    data = _read(path, (limits or Limits()).max_sbom_bytes)
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ScanResultError(path, f"not valid JSON: {error}") from None
    return scan_result_from_dict(document, str(path))


def looks_like_scan_result(path: Path) -> bool:
    """True when `path` is a regular file whose first bytes name the scan schema (cheap sniff)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return SCHEMA_ID.encode() in head
