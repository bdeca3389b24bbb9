"""Benchmark matching: 1,000 packages against the real store, cold and warm.

    .venv/bin/python bench/match_speed.py [--runs N] [--cold-runs N] [--store PATH] [--rebuild]
                                          [--instructions] [--check]

The store is built once from every zip of shared/vulndata plus KEV
(`seawall.vulndb.importer.import_paths`, kept in .cache/bench/match/, built
again when missing or written by an older seawall) and
opened as `seawall scan` opens it (`VulnStore`). The inventory is what a
Debian image with an application on it holds: up to 550 real dpkg packages
of this machine (/var/lib/dpkg/status, catalogued by seawall's own dpkg
cataloger, Debian 12 assumed) and 150 packages each of PyPI, Go and
crates.io named in the real records, at versions the records name (so many
are affected), 1,000 in all. It is built once and handed to each measuring
process in a pickle file of this run's own temporary directory.

- cold, never seen: a new process opens the store and calls `match_inventory`
  once, the way one `seawall scan` does (interpreter start-up and imports
  excluded, reported apart), with no results kept beside the store (its
  `.results` file, seawall.vulndb.results, deleted first): what matching
  packages no earlier scan against this store met pays (the first scan of a
  new image); median of `--cold-runs` processes;
- cold, kept results: the same, after a process matched the same inventory
  against the same store (what a later scan of the same image pays);
- cold, after an update: the same, against a copy of the store (in this
  run's temporary directory) that the inventory was matched against once and
  that then took a day's incremental `db update`: every 100th record (by file
  name) of each zip imported again with its `modified` a day later, through
  the writer `db update` uses (`StoreWriter.import_osv`, not full); each
  process starts from the results kept across the update (what the first scan
  of an image after a `db update` pays);
- warm, matcher reused: one `Matcher` matches the same inventory `--runs`
  times (a server or worker keeping its matcher between scans);
- warm, new matcher: `match_inventory` called again in the same process
  (what a second scan in one process pays);
- `--instructions`: the instructions both cold matches execute, counted by
  valgrind's callgrind (a process that matches less one that does not, hash
  seed fixed): deterministic, so a before/after comparison holds on a busy
  machine where wall times do not;
- `--check`: a SHA-256 over every field of every finding (and the problems
  and counters) of the 1,000 packages and of a larger inventory (every dpkg
  package of this machine and, for every PyPI, Go and crates.io name in the
  records, up to four versions they name), never seen and then from the kept
  results: equal hashes before and after a change mean equal results; and
  of the 1,000 packages after the update above, from the results kept across
  it and never seen (results deleted first): they must be equal (kept results
  never go stale), or the script exits non-zero.
Issue 4's target is <= 50 ms for 1,000 packages.
The data path is $SEAWALL_VULNDATA or ../shared/vulndata beside the repo.
"""

import argparse
import dataclasses
import enum
import hashlib
import json
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 50.0
DPKG_PACKAGES = 550
PER_LANGUAGE = 150
LANGUAGES = {"PyPI": "pypi", "Go": "golang", "crates.io": "cargo"}
UPDATE_STEP = 100
"""The update imports every this-many-th record of each zip again: a day's changes."""


def vulndata_dir() -> Path:
    explicit = os.environ.get("SEAWALL_VULNDATA")
    return Path(explicit) if explicit else (REPO.parent / "shared" / "vulndata").resolve()


def build_store(store: Path, vulndata: Path) -> float:
    """Import every zip and KEV into `store`; the seconds it took."""
    from seawall.vulndb.importer import import_paths

    inputs = [
        *sorted(vulndata.glob("*/all.zip")),
        vulndata / "kev" / "known_exploited_vulnerabilities.json",
    ]
    started = time.perf_counter()
    import_paths(store, inputs, fresh=True)
    return time.perf_counter() - started


def language_candidates(vulndata: Path, folder: str) -> list[tuple[str, str]]:
    """(name, version) pairs from the records of one ecosystem: one per name, sorted."""
    chosen: dict[str, str] = {}
    for name, affected in _affected(vulndata, folder):
        if name not in chosen and (version := _named_version(affected)):
            chosen[name] = version
    return sorted(chosen.items())


def _affected(vulndata: Path, folder: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(package name, affected entry) of every record of one ecosystem, in file order."""
    with zipfile.ZipFile(vulndata / folder / "all.zip") as archive:
        for entry in sorted(archive.namelist()):
            record = orjson.loads(archive.read(entry))
            for affected in record.get("affected") or []:
                package = affected.get("package") or {}
                name = package.get("name")
                if package.get("ecosystem") == folder and name:
                    yield name, affected


def _named_version(affected: dict[str, Any]) -> str | None:
    versions = affected.get("versions") or []
    if versions:
        return str(versions[len(versions) // 2])
    for item in affected.get("ranges") or []:
        for event in item.get("events") or []:
            introduced = event.get("introduced")
            if introduced and introduced != "0":
                return str(introduced)
    return None


BOOKWORM = {"id": "debian", "version_id": "12", "version_codename": "bookworm"}


def dpkg_packages(status: Path) -> list[Any]:
    """The packages of a dpkg status file, by seawall's own cataloger, as Debian 12."""
    from seawall.catalog.base import CatalogContext, CatalogFile
    from seawall.catalog.os.dpkg import DpkgCataloger
    from seawall.model.package import Distro

    if not status.is_file():
        return []
    found = DpkgCataloger().catalog(
        [CatalogFile("/var/lib/dpkg/status", status.read_bytes(), 0)],
        CatalogContext(distro=Distro(**BOOKWORM)),
    )
    return list(found.packages)


def language_package(folder: str, purl_type: str, name: str, version: str) -> Any:
    from seawall.model.package import Ecosystem, Location, Package

    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem(folder),
        purl=f"pkg:{purl_type}/{name}@{version}",
        cataloger="bench",
        locations=(Location("/app", 1),),
    )


def inventory(vulndata: Path, status: Path) -> Any:
    """The 1,000-package inventory described in the module docstring."""
    from seawall.model.package import Distro, Inventory

    packages = dpkg_packages(status)[:DPKG_PACKAGES]
    wanted = 1000 - len(packages)
    per_language = [wanted // len(LANGUAGES) + (i < wanted % len(LANGUAGES)) for i in range(3)]
    for (folder, purl_type), count in zip(LANGUAGES.items(), per_language, strict=True):
        candidates = language_candidates(vulndata, folder)
        step = max(1, len(candidates) // count)
        for name, version in candidates[::step][:count]:
            packages.append(language_package(folder, purl_type, name, version))
    return Inventory(tuple(packages), distro=Distro(**BOOKWORM))


def large_inventory(vulndata: Path, status: Path) -> Any:
    """Every dpkg package of `status` and up to four named versions of every language name."""
    from seawall.model.package import Distro, Inventory

    packages = dpkg_packages(status)
    for folder, purl_type in LANGUAGES.items():
        for name, versions in sorted(_named_versions(vulndata, folder).items()):
            packages.extend(
                language_package(folder, purl_type, name, version) for version in versions
            )
    return Inventory(tuple(packages), distro=Distro(**BOOKWORM))


def _named_versions(vulndata: Path, folder: str) -> dict[str, list[str]]:
    """Up to four versions per package name, spread over what its records name."""
    chosen: dict[str, list[str]] = {}
    for name, affected in _affected(vulndata, folder):
        named = list(affected.get("versions") or [])
        for item in affected.get("ranges") or []:
            for event in item.get("events") or []:
                named.extend(
                    version
                    for kind, version in event.items()
                    if kind in ("introduced", "fixed") and version != "0"
                )
        versions = chosen.setdefault(name, [])
        for version in named[:: max(1, len(named) // 3)]:
            if len(versions) < 4 and version not in versions:
                versions.append(str(version))
    return chosen


def update_store(store: Path, vulndata: Path) -> dict[str, int]:
    """Apply a day's incremental update to `store`; the records imported again, by source.

    Every UPDATE_STEP-th record (by file name) of each zip of `vulndata`, its
    `modified` a day later, goes to the source named after the zip's folder,
    as `seawall db update` imports the changed records of an ecosystem
    (seawall.vulndb.update), all in one write of the store.
    """
    from seawall.vulndb.writer import StoreWriter

    imported: dict[str, int] = {}
    with StoreWriter(store) as writer:
        for archive in sorted(vulndata.glob("*/all.zip")):
            source = archive.parent.name
            state = writer.source(source)
            if state is None:
                raise SystemExit(f"{store} has no source {source}: not built from {vulndata}")
            report = writer.import_osv(
                source, _a_day_later(archive), full=False, origin=state.origin
            )
            imported[source] = report.imported
    return imported


def _a_day_later(archive: Path) -> Iterator[Any]:
    """Every UPDATE_STEP-th record of an OSV zip, `modified` moved on a day (RFC 3339)."""
    from seawall.vulndb.reader import RawRecord
    from seawall.vulndb.timestamps import instant

    with zipfile.ZipFile(archive) as opened:
        for entry in sorted(opened.namelist())[::UPDATE_STEP]:
            record = orjson.loads(opened.read(entry))
            later = instant(record["modified"]) + timedelta(days=1)
            record["modified"] = later.isoformat().replace("+00:00", "Z")
            where = f"{archive.parent.name}/{archive.name}:{entry}"
            yield RawRecord(where, orjson.dumps(record))


def _canonical(value: Any) -> Any:
    """Every field of a result as plain JSON values (dataclasses by field, enums by value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__] + [
            [field.name, _canonical(getattr(value, field.name))]
            for field in dataclasses.fields(value)
        ]
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__name__, value.value]
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, float):
        return repr(value)
    return value


def check(store_path: Path, inventory_file: Path) -> None:
    """One checking process: the hash of the result, never seen then from kept results."""
    from seawall import versions
    from seawall.match import match_inventory
    from seawall.match.cache import MatchCache
    from seawall.match.matcher import Matcher
    from seawall.vulndb import results
    from seawall.vulndb.store import VulnStore

    packages = pickle.loads(inventory_file.read_bytes())  # noqa: S301 - our own file
    results.path_for(store_path).unlink(missing_ok=True)
    with VulnStore(store_path) as store:
        first = match_inventory(packages, store, versions.key)
        kept = Matcher(store, versions.key, cache=MatchCache()).match(packages)
    print(json.dumps(_summary(packages, never_seen=first, kept=kept)))


def check_after_update(store_path: Path, inventory_file: Path) -> None:
    """One checking process after an update: the hash of the result from the results kept
    across it, then of a never-seen match (results deleted first)."""
    from seawall import versions
    from seawall.match import match_inventory
    from seawall.match.cache import MatchCache
    from seawall.match.matcher import Matcher
    from seawall.vulndb import results
    from seawall.vulndb.store import VulnStore

    packages = pickle.loads(inventory_file.read_bytes())  # noqa: S301 - our own file
    with VulnStore(store_path) as store:
        kept = match_inventory(packages, store, versions.key)
    results.path_for(store_path).unlink(missing_ok=True)
    # A new store and a new cache: neither this process's subjects nor its open
    # results file can answer.
    with VulnStore(store_path) as store:
        never_seen = Matcher(store, versions.key, cache=MatchCache()).match(packages)
    print(json.dumps(_summary(packages, never_seen=never_seen, kept=kept)))


def _summary(packages: Any, *, never_seen: Any, kept: Any) -> dict[str, Any]:
    """What a checking process prints: the never-seen result's counts, both results' hashes."""
    return {
        "packages": len(packages.packages),
        "findings": len(never_seen.findings),
        "problems": len(never_seen.problems),
        "unmatched": never_seen.unmatched_packages,
        "git_ranges_skipped": never_seen.git_ranges_skipped,
        "never_seen": _digest(never_seen),
        "kept": _digest(kept),
    }


def _digest(result: Any) -> str:
    """SHA-256 over every field of a match result."""
    text = json.dumps(_canonical(result), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def child(store_path: Path, inventory_file: Path, runs: int, *, count: str | None = None) -> None:
    """One measuring process: cold first, then warm; prints JSON.

    `count` (for counting instructions): `cold`, the cold match only; `none`,
    everything but the matching.
    """
    started = time.perf_counter()
    from seawall import versions
    from seawall.match import Matcher, match_inventory
    from seawall.vulndb.store import VulnStore

    imports = time.perf_counter() - started
    # Our own pickle, written by the parent process of this run.
    packages = pickle.loads(inventory_file.read_bytes())  # noqa: S301
    with VulnStore(store_path) as store:
        if count == "none":
            return
        started = time.perf_counter()
        cold = match_inventory(packages, store, versions.key)
        cold_seconds = time.perf_counter() - started
        if count == "cold":
            return
        warm_new: list[float] = []
        for _ in range(max(1, runs // 4)):
            started = time.perf_counter()
            match_inventory(packages, store, versions.key)
            warm_new.append(time.perf_counter() - started)
        matcher = Matcher(store, versions.key)
        matcher.match(packages)
        warm: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            result = matcher.match(packages)
            warm.append(time.perf_counter() - started)
    assert result.findings == cold.findings, "warm and cold matching disagree"
    print(
        json.dumps(
            {
                "imports": imports,
                "cold": cold_seconds,
                "warm": warm,
                "warm_new_matcher": warm_new,
                "packages": len(packages.packages),
                "findings": len(cold.findings),
                "unmatched": cold.unmatched_packages,
                "problems": len(cold.problems),
            }
        )
    )


def instructions(command: list[str], env: dict[str, str]) -> int:
    """Instructions `command` executes under callgrind (hash seed fixed, so repeatable)."""
    counted = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        check=True,
        capture_output=True,
        text=True,
        env={**env, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", counted.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{counted.stderr[-2000:]}")
    return int(found.group(1))


def _readable(store: Path) -> bool:
    """True when `store` is a store this seawall reads (not missing, not an older schema)."""
    from seawall.errors import InputError
    from seawall.vulndb.store import VulnStore

    try:
        VulnStore(store).close()
    except InputError as error:
        print(f"rebuilding the store: {error}")
        return False
    return True


def results_file(store: Path) -> Path:
    """Where matching keeps its results for `store` (seawall.vulndb.results)."""
    return store.with_name(store.name + ".results")


def child_command(store: Path, inventory_file: Path) -> list[str]:
    """A measuring process matching the inventory of `inventory_file` against `store`."""
    return [
        sys.executable,
        __file__,
        "--store",
        str(store),
        "--child",
        "--inventory",
        str(inventory_file),
    ]


def updated_copy(
    store: Path, scratch: Path, inventory_file: Path, env: dict[str, str]
) -> tuple[Path, Path | None]:
    """A copy of `store` in `scratch` that the inventory was matched against and that then
    took a day's update (`update_store`); and a copy of the results kept across the
    update, None when the update kept none."""
    copy = scratch / "updated" / store.name
    copy.parent.mkdir()
    # The store file alone: the copy starts with no results kept.
    shutil.copyfile(store, copy)
    subprocess.run(
        [*child_command(copy, inventory_file), "--runs", "1"],
        check=True,
        capture_output=True,
        env=env,
    )
    kept = results_file(copy)
    if not kept.exists():
        raise SystemExit(f"matching against {copy} kept no results beside it")
    before = kept.stat().st_size
    started = time.perf_counter()
    imported = update_store(copy, vulndata_dir())
    seconds = time.perf_counter() - started
    by_source = ", ".join(f"{source} {count}" for source, count in imported.items() if count)
    after = f"{kept.stat().st_size / 1024:,.0f} KiB" if kept.exists() else "none"
    print(
        f"update: {sum(imported.values())} records imported again a day later in {seconds:.1f} s "
        f"({by_source}); results kept before it {before / 1024:,.0f} KiB, after it {after}"
    )
    if not kept.exists():
        return copy, None
    saved = scratch / "kept-across-update.results"
    shutil.copyfile(kept, saved)
    return copy, saved


def restore_results(saved: Path | None, store: Path) -> None:
    """Give `store` the results kept across its update again (none, when none were)."""
    results_file(store).unlink(missing_ok=True)
    if saved is not None:
        shutil.copyfile(saved, results_file(store))


def checked(store: Path, mode: str, inventory_file: Path, env: dict[str, str]) -> Any:
    """What a checking process (`mode`: `--checking` or `--checking-update`) printed."""
    command = [sys.executable, __file__, "--store", str(store), mode]
    output = subprocess.run(
        [*command, "--inventory", str(inventory_file)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return json.loads(output)


def _counts(label: str, found: dict[str, Any]) -> str:
    return (
        f"{label}: {found['packages']} packages, {found['findings']} findings, "
        f"{found['problems']} problems, {found['unmatched']} unmatched, "
        f"{found['git_ranges_skipped']} GIT ranges; sha256 {found['never_seen']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm runs (median reported)")
    parser.add_argument("--cold-runs", type=int, default=5, help="new processes (median)")
    parser.add_argument("--store", type=Path, default=REPO / ".cache/bench/match/seawall.db")
    parser.add_argument("--status", type=Path, default=Path("/var/lib/dpkg/status"))
    parser.add_argument("--rebuild", action="store_true", help="import the store again")
    parser.add_argument(
        "--instructions", action="store_true", help="count the cold match's instructions"
    )
    parser.add_argument(
        "--check", action="store_true", help="hash every field of every finding of two inventories"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--checking", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--checking-update", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inventory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", choices=("cold", "none"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.store, args.inventory, args.runs, count=args.count)
        return
    if args.checking:
        check(args.store, args.inventory)
        return
    if args.checking_update:
        check_after_update(args.store, args.inventory)
        return
    if args.rebuild or not _readable(args.store):
        seconds = build_store(args.store, vulndata_dir())
        print(f"store built from {vulndata_dir()} in {seconds:.1f} s: {args.store}")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    # Measured as installed, with the bytecode cache (the first, untimed run fills it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    kept_results = results_file(args.store)
    with tempfile.TemporaryDirectory() as scratch:
        inventory_file = Path(scratch) / "inventory.pickle"
        inventory_file.write_bytes(pickle.dumps(inventory(vulndata_dir(), args.status)))
        if args.check:
            large_file = Path(scratch) / "large.pickle"
            large_file.write_bytes(pickle.dumps(large_inventory(vulndata_dir(), args.status)))
            for label, path in (("1,000 packages", inventory_file), ("large", large_file)):
                found = checked(args.store, "--checking", path, env)
                same = "the same" if found["never_seen"] == found["kept"] else "DIFFERENT"
                print(f"{_counts(label, found)} (from kept results: {same})")
            kept_results.unlink(missing_ok=True)
            updated, saved = updated_copy(args.store, Path(scratch), inventory_file, env)
            restore_results(saved, updated)
            found = checked(updated, "--checking-update", inventory_file, env)
            same = "the same" if found["never_seen"] == found["kept"] else "DIFFERENT"
            print(
                f"{_counts('after the update', found)} never seen, {found['kept']} from the "
                f"results kept across the update: {same}"
            )
            if found["never_seen"] != found["kept"]:
                raise SystemExit("results kept across the update differ from a never-seen match")
            return
        base = child_command(args.store, inventory_file)
        if args.instructions:
            # Once untimed, so that every module's bytecode is cached for the counts.
            subprocess.run([*base, "--runs", "1"], check=True, capture_output=True, env=env)
            without = instructions([*base, "--count", "none"], env)
            kept_results.unlink(missing_ok=True)
            never_seen = instructions([*base, "--count", "cold"], env)
            kept = instructions([*base, "--count", "cold"], env)
            kept_results.unlink(missing_ok=True)
            for label, matching in (("never seen", never_seen), ("kept results", kept)):
                print(
                    f"cold match, {label}: {(matching - without) / 1e6:,.0f} M instructions "
                    f"(process {matching / 1e6:,.0f} M, without matching {without / 1e6:,.0f} M)"
                )
            return
        updated, saved = updated_copy(args.store, Path(scratch), inventory_file, env)
        stores = {"never seen": args.store, "kept results": args.store, "after an update": updated}
        results: dict[str, list[dict[str, Any]]] = {label: [] for label in stores}
        for number in range(args.cold_runs):
            for label, store in stores.items():
                if label == "never seen":
                    kept_results.unlink(missing_ok=True)
                elif label == "after an update":
                    restore_results(saved, updated)
                warm_runs = args.runs if number == 0 and label == "never seen" else 1
                command = [*child_command(store, inventory_file), "--runs", str(warm_runs)]
                output = subprocess.run(
                    command, check=True, capture_output=True, text=True, env=env
                ).stdout
                results[label].append(json.loads(output))
        kept_results.unlink(missing_ok=True)
    first = results["never seen"][0]
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(
        f"inventory: {first['packages']} packages ({first['unmatched']} unmatched), "
        f"{first['findings']} findings, {first['problems']} problems"
    )
    for label, runs in results.items():
        cold = statistics.median(r["cold"] * 1000 for r in runs)
        verdict = "meets" if cold <= TARGET_MS else "MISSES"
        print(
            f"cold ({label}, new process, first match): median {cold:.1f} ms of {len(runs)} "
            f"(min {min(r['cold'] for r in runs) * 1000:.1f}; imports "
            f"{statistics.median(r['imports'] for r in runs) * 1000:.0f} ms apart); "
            f"{verdict} the {TARGET_MS:.0f} ms target"
        )
    warm = statistics.median(first["warm"]) * 1000
    warm_new = statistics.median(first["warm_new_matcher"]) * 1000
    print(f"warm, new matcher (same process): median {warm_new:.1f} ms")
    verdict = "meets" if warm <= TARGET_MS else "MISSES"
    print(
        f"warm, matcher reused: median {warm:.1f} ms of {args.runs} "
        f"(min {min(first['warm']) * 1000:.1f}); {verdict} the {TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main()
