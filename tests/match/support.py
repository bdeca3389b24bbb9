"""Test helpers for the matcher: an in-memory AdvisoryStore, real OSV data, packages.

The store is a dict by (ecosystem, normalised name), normalised with the
store's own rules (seawall.vulndb.names), filled from hand-written records or
from the real zips in ../shared/vulndata (env SEAWALL_VULNDATA). Its
`entries` are worked out from whole records, the plain way; the real store
reads them from its package index, so matching both gives the same answers
(tests/match/test_store_index.py).
"""

import json
import os
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from seawall.model.advisory import (
    Advisory,
    AdvisorySummary,
    AffectedEntry,
    EpssScore,
    KevEntry,
)
from seawall.model.finding import CvssScore
from seawall.model.package import Ecosystem, Location, Package
from seawall.vulndb import cvss
from seawall.vulndb.names import normalize_name, prefix_matched
from seawall.vulndb.osv import parse_record

REPO = Path(__file__).resolve().parents[2]


def vulndata() -> Path:
    """The shared real OSV data, or skip the test when it is absent."""
    path = Path(os.environ.get("SEAWALL_VULNDATA", REPO.parent / "shared" / "vulndata"))
    if not (path / "MANIFEST.md").is_file():
        pytest.skip(f"no OSV test data at {path} (set SEAWALL_VULNDATA)")
    return path


class MemoryStore:
    """An AdvisoryStore held in dicts, indexed like the real store."""

    def __init__(
        self,
        advisories: Iterable[Advisory] = (),
        kev: Iterable[KevEntry] = (),
        epss: Iterable[EpssScore] = (),
    ) -> None:
        self._index: dict[tuple[str, str], list[Advisory]] = defaultdict(list)
        self._by_id: dict[str, Advisory] = {}
        self._kev = {entry.cve: entry for entry in kev}
        self._epss = {score.cve: score for score in epss}
        self.lookups = 0
        for advisory in advisories:
            self.add(advisory)

    def add(self, advisory: Advisory) -> None:
        keys = {
            (entry.ecosystem, normalize_name(entry.ecosystem, entry.name))
            for entry in advisory.affected
        }
        for key in sorted(keys):
            self._index[key].append(advisory)
        self._by_id[advisory.id] = advisory

    def advisories(self, ecosystem: str, name: str) -> list[Advisory]:
        """Every record with an entry for the package (withdrawn ones too)."""
        wanted = normalize_name(ecosystem, name)
        found = list(self._index.get((ecosystem, wanted), ()))
        if prefix_matched(ecosystem):
            for (written, written_name), records in self._index.items():
                if written.startswith(ecosystem + ":") and written_name == wanted:
                    found.extend(records)
        return found

    def entries(self, ecosystem: str, name: str) -> Sequence[AffectedEntry]:
        self.lookups += 1
        wanted = normalize_name(ecosystem, name)
        # A Red Hat record can come back once per stream it names: one entry each.
        found = {
            (advisory.id, position): AffectedEntry(
                advisory.id, position, entry.ecosystem, entry.name, entry.ranges, entry.versions
            )
            for advisory in self.advisories(ecosystem, name)
            if not advisory.withdrawn
            for position, entry in enumerate(advisory.affected)
            if normalize_name(entry.ecosystem, entry.name) == wanted
            and (
                entry.ecosystem == ecosystem
                or (prefix_matched(ecosystem) and entry.ecosystem.startswith(ecosystem + ":"))
            )
        }
        return [found[key] for key in sorted(found)]

    def entries_of(self, packages: Sequence[tuple[str, str]]) -> list[Sequence[AffectedEntry]]:
        return [self.entries(ecosystem, name) for ecosystem, name in packages]

    def summaries(self, ids: Sequence[str]) -> Sequence[AdvisorySummary]:
        return [AdvisorySummary.of(self._by_id[i]) for i in ids if i in self._by_id]

    def cvss(self, vector: str, v2: bool) -> CvssScore | str:
        # What the real store answers for a vector it scored at import.
        text = vector.strip()
        return cvss.refused_unparsed(text) or cvss.score(text, v2)

    def kev(self, cve: str) -> KevEntry | None:
        return self._kev.get(cve)

    def kev_of(self, cves: Sequence[str]) -> dict[str, KevEntry]:
        return {cve: self._kev[cve] for cve in cves if cve in self._kev}

    def epss(self, cve: str) -> EpssScore | None:
        return self._epss.get(cve)

    def epss_of(self, cves: Sequence[str]) -> dict[str, EpssScore]:
        return {cve: self._epss[cve] for cve in cves if cve in self._epss}


def record(data: dict[str, Any]) -> Advisory:
    """A hand-written OSV record, validated by the store's parser."""
    data = {"modified": "2024-01-01T00:00:00Z", **data}
    return parse_record(data, where=f"fixture:{data.get('id')}")


@cache
def load_zip(ecosystem_folder: str) -> tuple[Advisory, ...]:
    """Every record of one folder's all.zip in the shared data (parsed once per session)."""
    path = vulndata() / ecosystem_folder / "all.zip"
    with zipfile.ZipFile(path) as archive:
        return tuple(
            parse_record(archive.read(name), where=f"{ecosystem_folder}/all.zip:{name}")
            for name in sorted(archive.namelist())
        )


@cache
def load_kev() -> tuple[KevEntry, ...]:
    data = json.loads(
        (vulndata() / "kev" / "known_exploited_vulnerabilities.json").read_text("utf-8")
    )
    return tuple(
        KevEntry(
            cve=item["cveID"],
            vendor=item.get("vendorProject"),
            product=item.get("product"),
            name=item.get("vulnerabilityName"),
            date_added=item.get("dateAdded"),
        )
        for item in data["vulnerabilities"]
    )


def package(
    ecosystem: Ecosystem,
    name: str,
    version: str,
    *,
    release: str | None = None,
    source_name: str | None = None,
    source_version: str | None = None,
    path: str = "/app",
    layer: int | None = 0,
) -> Package:
    return Package(
        name=name,
        version=version,
        ecosystem=ecosystem,
        purl=f"pkg:generic/{name}@{version}",
        cataloger="test",
        ecosystem_release=release,
        source_name=source_name,
        source_version=source_version,
        locations=(Location(path, layer),),
    )


def real_store(*folders: str) -> MemoryStore:
    """A store holding the real records of `folders` and the real KEV catalogue."""
    records = [advisory for folder in folders for advisory in load_zip(folder)]
    return MemoryStore(records, load_kev())
