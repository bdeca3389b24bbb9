"""Results kept across processes: the same findings as matching again, or none at all.

A process that matches against a store keeps what it worked out beside it
(seawall.vulndb.results); the next process reads that instead of the
store's records. Another process is stood for here by a Matcher with a new
in-process cache over a new VulnStore of the same file.
"""

import dataclasses
from pathlib import Path
from typing import Any

import orjson
import pytest

from seawall.match import Matcher, persist
from seawall.match.cache import MatchCache, Subject, SubjectResult
from seawall.match.fingerprint import vulnerability_fingerprint
from seawall.model.package import Distro, Ecosystem, Inventory, Package
from seawall.versions import key
from seawall.vulndb import results
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from tests.match.support import load_zip, package, vulndata

BOOKWORM = Distro(id="debian", version_id="12", version_codename="bookworm")
COPY = "binary-package-of-the-first-source"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real Debian:12, crates.io and Go records and the real KEV catalogue."""
    data = vulndata()
    path = tmp_path_factory.mktemp("kept") / "seawall.db"
    import_paths(
        path,
        [
            data / "Debian:12" / "all.zip",
            data / "crates.io" / "all.zip",
            data / "Go" / "all.zip",
            data / "kev" / "known_exploited_vulnerabilities.json",
        ],
    )
    return path


def _named(
    folder: str, ecosystem: Ecosystem, count: int, version: str | None = None, **extra: Any
) -> list[Package]:
    """Packages named by records, at `version` or at a version the records name: many
    are affected, some by several records."""
    found: dict[str, Package] = {}
    for advisory in load_zip(folder)[:count]:
        for entry in advisory.affected[:1]:
            named = [e.version for r in entry.ranges for e in r.events if e.version != "0"]
            chosen = version or (named[0] if named else (entry.versions or ("0.1.0",))[0])
            found.setdefault(entry.name, package(ecosystem, entry.name, chosen, **extra))
    return list(found.values())


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    # Below every Debian fix: affected by each record of the source.
    debian = _named("Debian:12", Ecosystem.DEBIAN, 400, "0.0.1-1", release="12")
    # Two binary packages of one source, the second a copy of a kept subject.
    debian.append(dataclasses.replace(debian[0], name=COPY, source_name=debian[0].name))
    return Inventory(
        (
            *debian,
            *_named("crates.io", Ecosystem.CRATES_IO, 300),
            *_named("Go", Ecosystem.GO, 300),
            package(Ecosystem.GO, "example.org/no/advisories", "v1.0.0"),
            package(Ecosystem.CRATES_IO, "bad-version", "not a version"),
        ),
        distro=BOOKWORM,
    )


def _fresh(store: Path) -> None:
    results.path_for(store).unlink(missing_ok=True)


def test_a_later_process_reads_the_kept_results_and_gets_the_same_answer(
    store: Path, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(store)
    with VulnStore(store) as first:
        worked_out = Matcher(first, key, cache=MatchCache()).match(inventory)
    assert len(worked_out.findings) > 500
    assert worked_out.problems and worked_out.unmatched_packages == 1
    assert results.path_for(store).is_file()

    def refused(*_: Any) -> Any:
        raise AssertionError("the store's records were read again")

    with VulnStore(store) as later:
        monkeypatch.setattr(later, "entries", refused)
        monkeypatch.setattr(later, "summaries", refused)
        read = Matcher(later, key, cache=MatchCache()).match(inventory)
    assert read == worked_out
    # The copies for the second binary package are that package's own.
    copied = [f for f in read.findings if f.package.name == COPY]
    assert copied and all(
        f.fingerprint == vulnerability_fingerprint(f.id, f.package) for f in copied
    )


def _decoded(data: bytes, package: Package, store: VulnStore) -> SubjectResult | None:
    """`data` read back as `Matcher` reads it."""
    parts = persist.split(data)
    if parts is None:
        return None
    cves, rest = parts
    return persist.decode(cves, rest, package, persist.exploitation_of(store, cves))


def _kept_bytes(store: Path, inventory: Inventory) -> list[tuple[Subject, SubjectResult, bytes]]:
    """(subject, result, the bytes kept for it) of every subject with several findings."""
    _fresh(store)
    with VulnStore(store) as opened:
        cache = MatchCache()
        Matcher(opened, key, cache=cache).match(inventory)
        kept = persist.kept_for(opened, key)
        assert kept is not None
        subjects = [s for s, result in cache._subjects.items() if len(result.findings) > 1]
        found = kept.results.found(kept.keys(subjects))
        return [
            (subject, cache._subjects[subject], found[name])
            for subject, name in zip(subjects, kept.keys(subjects), strict=True)
        ]


def test_kept_results_given_another_package_take_its_fingerprints(
    store: Path, inventory: Inventory
) -> None:
    kept = _kept_bytes(store, inventory)
    assert len(kept) > 20
    with VulnStore(store) as opened:
        for _, result, data in kept:
            first = result.findings[0].package
            assert _decoded(data, first, opened) == result
            other = dataclasses.replace(first, name="other", locations=())
            moved = _decoded(data, other, opened)
            assert moved is not None
            assert [f.package for f in moved.findings] == [other] * len(result.findings)
            assert [f.fingerprint for f in moved.findings] == [
                vulnerability_fingerprint(f.id, other) for f in result.findings
            ]
            assert [
                dataclasses.replace(f, package=first, fingerprint="") for f in moved.findings
            ] == [dataclasses.replace(f, fingerprint="") for f in result.findings]


def _damaged(data: bytes) -> list[bytes]:
    head, _, rest = data.partition(b"\n")
    part, findings, problems, dropped, git = orjson.loads(rest)
    row = findings[0]
    bad_rows = [
        [*row[:3], "dire", *row[4:]],  # no such severity
        [*row[:1], [1, 2], *row[2:]],  # aliases not strings
        [*row[:1], "CVE-1", *row[2:]],  # aliases not a list
        [*row[:7], [["only", "three", "fields"]], *row[8:]],  # a reason cut short
        [*row[:11], ["CVE-1", None], *row[12:]],  # an exploited CVE not a string
        [*row[:11], "CVE-1", *row[12:]],  # exploited CVEs not a list
        [*row[:12], [["only", "two"]], *row[13:]],  # a severity label cut short
        row[:-1],
        [*row, "extra"],
    ]
    lines = [
        b"",
        b"not json",
        orjson.dumps({"findings": findings}),
        orjson.dumps([part, findings, problems, dropped]),
        orjson.dumps([part, findings, "problems", dropped, git]),
        orjson.dumps([part, findings, problems, "0", git]),
        orjson.dumps([part, "findings", problems, dropped, git]),
        *(orjson.dumps([part, [bad, *findings[1:]], problems, dropped, git]) for bad in bad_rows),
    ]
    return [
        data[: len(data) // 2],
        rest,  # no first line
        b"[1, 2]\n" + rest,  # CVEs not strings
        b"[]\n" + rest,  # a finding's CVE missing from the first line
        *(head + b"\n" + line for line in lines),
    ]


def test_damaged_kept_results_are_misses_and_matching_works_them_out_again(
    store: Path, inventory: Inventory
) -> None:
    subject, result, data = _kept_bytes(store, inventory)[0]
    first = result.findings[0].package
    with VulnStore(store) as opened:
        expected = Matcher(opened, key, cache=MatchCache()).match(inventory)
        assert _decoded(data, first, opened) == result
    for damaged in _damaged(data):
        with VulnStore(store) as opened:
            assert _decoded(damaged, first, opened) is None, damaged[:200]
            kept = persist.kept_for(opened, key)
            assert kept is not None
            kept.results.keep({kept.keys([subject])[0]: damaged})
            again = Matcher(opened, key, cache=MatchCache()).match(inventory)
        assert again == expected


def test_results_are_only_kept_for_the_code_and_the_version_keys_that_made_them(
    store: Path, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(store)
    with VulnStore(store) as opened:
        Matcher(opened, key, cache=MatchCache()).match(inventory)
        kept = persist.kept_for(opened, key)
        assert kept is not None
        subjects = [
            ("crates.io", p.name, p.version)
            for p in inventory.packages
            if p.ecosystem is Ecosystem.CRATES_IO and p.name != "bad-version"
        ]
        assert len(kept.results.found(kept.keys(subjects))) == len(subjects)
        # Another version of seawall, or an edited module, reads none of them.
        monkeypatch.setattr(persist, "_code", lambda: "another seawall")
        other = persist.kept_for(opened, key)
        assert other is not None
        assert other.results.found(other.keys(subjects)) == {}
        # A version-key function without a module-level name has no results kept.
        assert persist.kept_for(opened, lambda ecosystem, version: key(ecosystem, version)) is None


def test_a_store_without_kept_results_matches_as_before(store: Path, inventory: Inventory) -> None:
    _fresh(store)
    with VulnStore(store) as opened:
        expected = Matcher(opened, key, cache=MatchCache()).match(inventory)
    _fresh(store)
    results.path_for(store).mkdir()  # a results file that cannot be opened
    try:
        with VulnStore(store) as opened:
            assert Matcher(opened, key, cache=MatchCache()).match(inventory) == expected
    finally:
        results.path_for(store).rmdir()


def test_an_empty_result_round_trips(store: Path) -> None:
    empty = SubjectResult((), ("a problem",), 2, 3)
    owner = package(Ecosystem.PYPI, "demo", "1.0")
    with VulnStore(store) as opened:
        assert _decoded(persist.encode(empty, "", []), owner, opened) == empty
