"""Matching through the store's package index gives exactly what matching whole records gives.

The real store (seawall.vulndb.store.VulnStore) answers `entries` from its
package index and decodes only the records that match; the in-memory store of
tests/match/support.py works the entries out from whole records, as the
matcher did before the index existed. Over every package the real records of
PyPI, Go, crates.io and two Debian releases name, at versions their events and
lists name (so most match, many several times), the two must give equal
results: findings with their reasons, fixes, severities, KEV entries and
fingerprints, the problems met and the counts.
"""

from pathlib import Path

import pytest

from seawall.match import match_inventory
from seawall.match.matcher import MatchResult
from seawall.model.advisory import Advisory
from seawall.model.package import Ecosystem, Inventory, Location, Package
from seawall.versions import key
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from tests.match.support import MemoryStore, load_kev, load_zip, vulndata

FOLDERS = ("PyPI", "Go", "crates.io", "Debian:12", "Debian:11")
VERSIONS_PER_PACKAGE = 3


def _packages(records: tuple[Advisory, ...], folder: str) -> list[Package]:
    """Packages named in `folder`'s records, each at a very old version and up to two
    versions the records name."""
    base, _, release = folder.partition(":")
    oldest = "0.1-1" if release else "0.0.1"
    chosen: dict[str, list[str]] = {}
    for advisory in records:
        for entry in advisory.affected:
            if entry.ecosystem != folder:
                continue
            versions = chosen.setdefault(entry.name, [oldest])
            named = [e.version for r in entry.ranges for e in r.events if e.version != "0"]
            for version in [*named, *entry.versions[:1]]:
                if len(versions) < VERSIONS_PER_PACKAGE and version not in versions:
                    versions.append(version)
    packages = []
    for name, versions in sorted(chosen.items()):
        for version in versions:
            if release:
                # A binary package built from the named source package, as dpkg lists it.
                packages.append(
                    Package(
                        name=f"lib{name}",
                        version=version,
                        ecosystem=Ecosystem.DEBIAN,
                        purl=f"pkg:deb/debian/lib{name}@{version}",
                        cataloger="test",
                        ecosystem_release=release,
                        source_name=name,
                        source_version=version,
                        locations=(Location("/var/lib/dpkg/status", 1),),
                    )
                )
            else:
                packages.append(
                    Package(
                        name=name,
                        version=version,
                        ecosystem=Ecosystem(base),
                        purl=f"pkg:generic/{name}@{version}",
                        cataloger="test",
                        locations=(Location("/app/lock", 2),),
                    )
                )
    return packages


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = vulndata()
    store = tmp_path_factory.mktemp("index") / "seawall.db"
    import_paths(
        store,
        [
            *(data / folder / "all.zip" for folder in FOLDERS),
            data / "kev" / "known_exploited_vulnerabilities.json",
        ],
    )
    return store


def _same(indexed: MatchResult, plain: MatchResult) -> None:
    assert indexed.problems == plain.problems
    assert indexed.unmatched_packages == plain.unmatched_packages
    assert indexed.git_ranges_skipped == plain.git_ranges_skipped
    assert len(indexed.findings) == len(plain.findings)
    for ours, theirs in zip(indexed.findings, plain.findings, strict=True):
        assert ours == theirs, ours.id


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_index_matches_exactly_like_whole_records(real_store: Path, folder: str) -> None:
    records = load_zip(folder)
    packages = _packages(records, folder)
    assert len(packages) > 100
    inventory = Inventory(tuple(packages))
    with VulnStore(real_store) as store:
        # The same KEV entries as the real store holds, every field of them.
        kev = [found for entry in load_kev() if (found := store.kev(entry.cve))]
        plain = match_inventory(inventory, MemoryStore(records, kev), key)
        indexed = match_inventory(inventory, store, key)
    # Most packages are at a version a record names: the comparison has substance.
    assert len({f.package.purl for f in plain.findings}) > len(packages) // 3
    _same(indexed, plain)
