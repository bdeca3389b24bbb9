"""Matching reads the store in batches of subjects; the batches never change the answer.

The matcher asks for the index entries of a whole batch of subjects at once,
then for the summaries of every record that matched and the EPSS scores of
their CVEs. Over an inventory of more subjects than one batch holds, with
packages it cannot match (a version PEP 440 rejects, an ecosystem without a
comparator, a distribution package of an unknown release) spread among them,
the findings, their EPSS scores, the problems in their order and the counts
must be those of the in-memory store, and the same whatever the batch size.
"""

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from seawall.match import matcher
from seawall.match.cache import MatchCache
from seawall.match.matcher import Matcher, MatchResult
from seawall.model.advisory import EpssScore
from seawall.model.package import Ecosystem, Inventory
from seawall.versions import key
from seawall.vulndb.importer import import_paths
from seawall.vulndb.osv import parse_record
from seawall.vulndb.store import VulnStore
from seawall.vulndb.writer import StoreWriter
from tests.match.support import MemoryStore, package
from tests.vulndb.conftest import write_zip

NAMES = 700


def _raw() -> list[dict[str, Any]]:
    return [
        {
            "id": f"PYSEC-{number}",
            "modified": "2024-01-01T00:00:00Z",
            "aliases": [f"CVE-2024-{number:05d}"],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"pkg-{number}"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                    ],
                }
            ],
        }
        for number in range(NAMES)
    ]


def _inventory() -> Inventory:
    packages = []
    for number in range(NAMES):
        # Two subjects per name (one affected, one fixed): more than one batch.
        packages += [
            package(Ecosystem.PYPI, f"pkg-{number}", "1.0"),
            package(Ecosystem.PYPI, f"pkg-{number}", "2.0"),
        ]
        if number % 97 == 0:
            packages.append(package(Ecosystem.PYPI, f"pkg-{number}", f"not a version {number}"))
        if number % 311 == 0:
            packages.append(package(Ecosystem.CONDA, f"pkg-{number}", "1.0"))
            packages.append(package(Ecosystem.DEBIAN, f"lib{number}", "1.0-1"))
    return Inventory(tuple(packages))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MemoryStore]:
    folder = tmp_path_factory.mktemp("batches")
    raw = _raw()
    zipped = write_zip(
        folder / "feed.zip", {f"{item['id']}.json": orjson.dumps(item) for item in raw}
    )
    store = folder / "seawall.db"
    import_paths(store, [zipped])
    scores = [
        EpssScore(f"CVE-2024-{number:05d}", number / 1_000, 0.5) for number in range(0, NAMES, 2)
    ]
    with StoreWriter(store) as writer:
        writer.replace_epss(scores, data_as_of=None)
        writer.commit()
    records = [parse_record(item, where=str(item["id"])) for item in raw]
    return store, MemoryStore(records, epss=scores)


def _match(store: Any, inventory: Inventory) -> MatchResult:
    return Matcher(store, key, cache=MatchCache()).match(inventory)


@pytest.mark.parametrize("batch", [1, 7, 1024])
def test_batches_give_what_one_lookup_per_subject_gives(
    stores: tuple[Path, MemoryStore], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, plain = stores
    inventory = _inventory()
    assert len({(p.name, p.version) for p in inventory.packages}) > matcher.BATCH
    expected = _match(plain, inventory)
    monkeypatch.setattr(matcher, "BATCH", batch)
    with VulnStore(store) as opened:
        opened.results_cache = lambda: None  # type: ignore[method-assign]
        found = _match(opened, inventory)
    assert found == expected
    assert len(found.findings) == NAMES
    scores = {f.package.name: f.epss.score if f.epss else None for f in found.findings}
    assert [scores[f"pkg-{number}"] for number in range(4)] == [0.0, None, 0.002, None]
    assert found.unmatched_packages == 8 + 3 + 3
    # In the inventory's order, each once.
    assert found.problems == (
        "pkg:generic/pkg-0@not a version 0 not matched: invalid PyPI version "
        "'not a version 0': not a PEP 440 version",
        found.problems[1],
        "Debian packages not matched: the distribution release is unknown, so no OSV "
        "ecosystem release can be chosen",
        *found.problems[3:],
    )
    assert found.problems[1].startswith("conda packages not matched")
    assert [p.split(" ")[0] for p in found.problems[3:]] == [
        f"pkg:generic/pkg-{number}@not" for number in range(97, NAMES, 97)
    ]


def test_a_record_the_index_names_but_the_store_lacks_is_a_problem_not_a_failure(
    stores: tuple[Path, MemoryStore], tmp_path: Path
) -> None:
    source, _ = stores
    damaged = tmp_path / "seawall.db"
    damaged.write_bytes(source.read_bytes())
    with sqlite3.connect(damaged) as db:
        db.execute("DELETE FROM records WHERE id IN ('PYSEC-3', 'PYSEC-600')")
    inventory = Inventory(
        tuple(package(Ecosystem.PYPI, f"pkg-{number}", "1.0") for number in (2, 3, 4, 600, 601))
    )
    with VulnStore(damaged) as opened:
        opened.results_cache = lambda: None  # type: ignore[method-assign]
        found = _match(opened, inventory)
    assert [f.id for f in found.findings] == ["CVE-2024-00002", "CVE-2024-00004", "CVE-2024-00601"]
    assert found.problems == (
        "PYSEC-3: the store's index names a record it does not hold",
        "PYSEC-600: the store's index names a record it does not hold",
    )
