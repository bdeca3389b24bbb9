"""What matchers keep between matches: the same answers, never a stale one.

A Matcher keeps subjects (findings per ecosystem, name and version), prepared
ranges and severities; `match_inventory` shares them across the process only
for a store that names its snapshot (seawall.vulndb.store.VulnStore), so a
store that changes (the in-memory one here) or a store file replaced by an
update is never answered from an old cache.
"""

import gc
import weakref
from pathlib import Path
from typing import Any

import orjson

from seawall.match import Matcher, match_inventory
from seawall.match.cache import MatchCache, cache_for
from seawall.match.fingerprint import vulnerability_fingerprint
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from tests.match.support import MemoryStore, load_zip, package, record, vulndata


def demo_record(record_id: str, fixed: str | None, **extra: Any) -> dict[str, Any]:
    events: list[dict[str, str]] = [{"introduced": "0"}]
    if fixed:
        events.append({"fixed": fixed})
    return {
        "id": record_id,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": events},
                    {"type": "GIT", "repo": "https://example.org/demo", "events": events[:1]},
                ],
            }
        ],
        **extra,
    }


BAD_RANGE = {
    "id": "BAD-1",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not/a/version"}]}
            ],
        }
    ],
}


def test_a_reused_matcher_answers_every_run_alike_without_asking_the_store_again() -> None:
    store = MemoryStore(
        [
            record(demo_record("PYSEC-1", "2.0")),
            record(demo_record("PYSEC-2", None)),
            record(BAD_RANGE),
        ]
    )
    matcher = Matcher(store, key)
    inventory = Inventory((package(Ecosystem.PYPI, "demo", "1.0"),))
    first = matcher.match(inventory)
    assert [f.id for f in first.findings] == ["PYSEC-1", "PYSEC-2"]
    assert first.git_ranges_skipped == 2
    assert len(first.problems) == 1 and "BAD-1" in first.problems[0]
    lookups = store.lookups
    second = matcher.match(inventory)
    assert second == first  # problems and GIT ranges are told again, not only findings
    assert store.lookups == lookups
    hidden = matcher.match(inventory, ignore_unfixed=True)
    assert [f.id for f in hidden.findings] == ["PYSEC-1"]
    assert matcher.match(inventory) == first


def test_another_package_of_a_kept_subject_gets_its_own_package_and_fingerprint() -> None:
    store = MemoryStore(
        [
            record(
                {
                    "id": "DEBIAN-CVE-2024-1",
                    "affected": [
                        {
                            "package": {"ecosystem": "Debian:12", "name": "openssl"},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "0"}, {"fixed": "3.0.15-1"}],
                                }
                            ],
                        }
                    ],
                }
            )
        ]
    )

    def binary(name: str, path: str) -> Any:
        return package(
            Ecosystem.DEBIAN,
            name,
            "3.0.11-1",
            release="12",
            source_name="openssl",
            source_version="3.0.11-1",
            path=path,
        )

    matcher = Matcher(store, key)
    matcher.match(Inventory((binary("libssl3", "/var/lib/dpkg/status"),)))
    other = binary("openssl", "/var/lib/dpkg/status.d/openssl")
    (finding,) = matcher.match(Inventory((other,))).findings
    assert finding.package is other
    assert finding.fingerprint == vulnerability_fingerprint("DEBIAN-CVE-2024-1", other)
    assert (
        finding
        == Matcher(MemoryStore(store.advisories("Debian:12", "openssl")), key)
        .match(Inventory((other,)))
        .findings[0]
    )


def test_a_store_without_a_snapshot_is_asked_again_by_each_call() -> None:
    store = MemoryStore([record(demo_record("PYSEC-1", "2.0"))])
    inventory = Inventory((package(Ecosystem.PYPI, "demo", "1.0"),))
    assert [f.id for f in match_inventory(inventory, store, key).findings] == ["PYSEC-1"]
    store.add(record(demo_record("PYSEC-2", "3.0")))
    assert [f.id for f in match_inventory(inventory, store, key).findings] == [
        "PYSEC-1",
        "PYSEC-2",
    ]
    assert cache_for(store, key) is not cache_for(store, key)


def _store(tmp_path: Path, fixed: str, modified: str) -> Path:
    folder = tmp_path / "records"
    folder.mkdir(exist_ok=True)
    data = {**demo_record("PYSEC-1", fixed), "modified": modified}
    (folder / "PYSEC-1.json").write_bytes(orjson.dumps(data))
    store = tmp_path / "seawall.db"
    import_paths(store, [folder])
    return store


def test_the_shared_cache_follows_the_store_file_through_an_update(tmp_path: Path) -> None:
    inventory = Inventory((package(Ecosystem.PYPI, "demo", "1.0"),))
    store = _store(tmp_path, "2.0", "2024-01-01T00:00:00Z")
    with VulnStore(store) as first, VulnStore(store) as again:
        assert first.snapshot == again.snapshot
        assert cache_for(first, key) is cache_for(again, key)
        (finding,) = match_inventory(inventory, first, key).findings
        assert finding.fixed_versions == ("2.0",)
        assert match_inventory(inventory, again, key).findings == (finding,)
    # An update renames a new file over the store: another snapshot, another cache.
    _store(tmp_path, "3.0", "2024-02-01T00:00:00Z")
    with VulnStore(store) as updated:
        assert updated.snapshot != first.snapshot
        (finding,) = match_inventory(inventory, updated, key).findings
        assert finding.fixed_versions == ("3.0",)


def test_matching_makes_no_reference_cycles_and_gives_the_collector_back(
    tmp_path: Path,
) -> None:
    # Matching pauses the cyclic collector (seawall.match.matcher): that is only
    # sound if it leaves nothing for the collector to find.
    store, inventory = _crates(tmp_path)
    gc.collect()
    gc.disable()
    try:
        with VulnStore(store) as opened:
            result = match_inventory(inventory, opened, key)
            assert not gc.isenabled()  # left off as the caller had it
            assert gc.collect() == 0
            assert len(result.findings) > 100
    finally:
        gc.enable()
    with VulnStore(store) as opened:
        Matcher(opened, key, cache=MatchCache()).match(inventory)
    assert gc.isenabled()


def test_what_matching_made_skips_the_young_collections_and_a_callers_freeze_holds(
    tmp_path: Path,
) -> None:
    store, inventory = _crates(tmp_path)
    with VulnStore(store) as opened:
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        result = Matcher(opened, key, cache=MatchCache()).match(inventory)
        assert len(result.findings) > 100
        # Promoted at once: nothing is left young for the next collection to walk.
        assert gc.get_count()[0] < 10
        oldest = {id(found) for found in gc.get_objects(generation=2)}
        assert all(id(finding) in oldest for finding in result.findings)
        # A cycle the caller left young is still found, by the next full collection.
        del cycle
        gc.collect(0)
        assert alive() is not None
        gc.collect()
        assert alive() is None
        # What a caller froze stays frozen.
        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            Matcher(opened, key, cache=MatchCache()).match(inventory)
            assert gc.get_freeze_count() == frozen
        finally:
            gc.unfreeze()


class _Cycle:
    """An object that refers to itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _crates(tmp_path: Path) -> tuple[Path, Inventory]:
    """A store of the real crates.io records and 200 packages, many of them matching."""
    store = tmp_path / "seawall.db"
    import_paths(store, [vulndata() / "crates.io" / "all.zip"])
    packages = []
    for advisory in load_zip("crates.io")[:200]:
        for entry in advisory.affected[:1]:
            named = [e.version for r in entry.ranges for e in r.events if e.version != "0"]
            packages.append(
                package(Ecosystem.CRATES_IO, entry.name, named[0] if named else "0.1.0")
            )
    return store, Inventory(tuple(packages))
