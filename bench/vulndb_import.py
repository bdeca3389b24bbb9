"""Benchmark the vulnerability store: import speed, peak memory, store size, lookup latency.

    .venv/bin/python bench/vulndb_import.py [--synthetic N] [--work DIR] [--keep] [--feed DIR]

1. Imports every zip of shared/vulndata (and KEV) into a new store in a child
   process; reports records/s and the child's peak resident memory (VmHWM).
2. Builds a synthetic OSV export of N records (default 600,000, about the
   size of the whole public OSV export) from the real records: ids rewritten,
   records spread over 16 ecosystems with package names varied, one all.zip
   per ecosystem; imports it the same way and compares the time and store size
   with issue 4's targets (<= 60 s, <= 300 MB).
3. Measures `advisories()` latency on the synthetic store (names that exist
   and names that do not).
Besides wall time, the CPU seconds of the importing process and of its
validation workers are printed, and the load average before and after: on a
shared machine they say what the import itself cost. `--keep` leaves the
work directory (feed and samples) behind; `--feed DIR` imports the feed a
kept run left in DIR again, skipping step 1 and the minute building it takes.
The data path is $SEAWALL_VULNDATA or ../shared/vulndata beside the repo.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
MIB = 1024 * 1024
TARGET_BYTES = 300 * MIB
ECOSYSTEMS = [
    "npm", "PyPI", "Maven", "Go", "crates.io", "RubyGems", "NuGet", "Packagist",
    "Hex", "Pub", "Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.20", "Red Hat",
    "Rocky Linux:9", "SUSE:Linux Enterprise Server 15",
]  # fmt: skip

CHILD = """
import json, resource, sys, time
from pathlib import Path
from seawall.vulndb.importer import import_paths
if __name__ == "__main__":
    started = time.perf_counter()
    reports = import_paths(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]], fresh=True)
    elapsed = time.perf_counter() - started
    status = open("/proc/self/status").read().splitlines()
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
    "seconds": elapsed,
    "cpu_main": own.ru_utime + own.ru_stime,
    "cpu_workers": workers.ru_utime + workers.ru_stime,
    "vmhwm_kib": hwm,
    "read": sum(r.imported for r in reports if r.source not in ("kev", "epss")),
    "malformed": sum(r.malformed_count for r in reports),
}))
"""

LOOKUP = """
import json, random, sys, time
from pathlib import Path
from seawall.vulndb.store import VulnStore
names = json.loads(sys.argv[2])
with VulnStore(Path(sys.argv[1])) as store:
    timings = {}
    for label, pairs in names.items():
        samples = []
        for ecosystem, name in pairs:
            started = time.perf_counter()
            found = store.advisories(ecosystem, name)
            samples.append((time.perf_counter() - started, len(found)))
        timings[label] = samples
print(json.dumps(timings))
"""


def vulndata_dir() -> Path:
    explicit = os.environ.get("SEAWALL_VULNDATA")
    return Path(explicit) if explicit else (REPO.parent / "shared" / "vulndata").resolve()


def run_import(store: Path, inputs: list[Path]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), *map(str, inputs)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def synthesize(vulndata: Path, out: Path, total: int) -> tuple[int, list[tuple[str, str]]]:
    """Write `total` synthetic records, one all.zip per ecosystem: (zip bytes, sample names)."""
    originals: list[dict] = []
    for archive in sorted(vulndata.glob("*/all.zip")):
        with zipfile.ZipFile(archive) as opened:
            originals.extend(orjson.loads(opened.read(name)) for name in opened.namelist())
    rng = random.Random(20261123)
    writers = {}
    for ecosystem in ECOSYSTEMS:
        folder = out / ecosystem
        folder.mkdir(parents=True)
        writers[ecosystem] = zipfile.ZipFile(
            folder / "all.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1
        )
    samples: list[tuple[str, str]] = []
    # A package has a handful of advisories, as in the real export (~600k records
    # over ~150k packages): names are drawn from a pool a quarter the size.
    pool = max(1, total // 4)
    for number in range(total):
        record = dict(originals[number % len(originals)])
        ecosystem = ECOSYSTEMS[number % len(ECOSYSTEMS)]
        record["id"] = f"SYN-{number:07d}-{record['id']}"
        affected = []
        for item in record.get("affected") or []:
            item = dict(item)
            package = dict(item.get("package") or {})
            package["ecosystem"] = ecosystem
            package["name"] = f"{package.get('name', 'pkg')}-{rng.randrange(pool)}"
            item["package"] = package
            affected.append(item)
        record["affected"] = affected
        if affected and number % 500 == 0:
            samples.append((ecosystem, affected[0]["package"]["name"]))
        writers[ecosystem].writestr(f"{record['id']}.json", orjson.dumps(record))
    for writer in writers.values():
        writer.close()
    return sum(p.stat().st_size for p in out.rglob("all.zip")), samples


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=600_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--feed",
        type=Path,
        default=None,
        help="reuse the synthetic feed a --keep run left in DIR/synthetic (skips step 1)",
    )
    args = parser.parse_args()
    vulndata = vulndata_dir()
    work = Path(tempfile.mkdtemp(prefix="vulndb-bench-", dir=args.work))
    try:
        inputs = [
            *sorted(vulndata.glob("*/all.zip")),
            vulndata / "kev" / "known_exploited_vulnerabilities.json",
        ]
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        if args.feed is None:
            real = run_import(work / "real.db", inputs)
            print(
                f"real data: {real['read']:.0f} records in {real['seconds']:.2f} s = "
                f"{real['read'] / real['seconds']:.0f} records/s; peak memory (VmHWM) "
                f"{real['vmhwm_kib'] / 1024:.0f} MiB; "
                f"store {(work / 'real.db').stat().st_size / MIB:.1f} MiB"
            )
        if args.synthetic <= 0:
            return
        if args.feed is None:
            feed = work / "synthetic"
            started = time.perf_counter()
            zipped, samples = synthesize(vulndata, feed, args.synthetic)
            print(
                f"synthetic feed: {args.synthetic} records in {len(ECOSYSTEMS)} ecosystems, "
                f"{zipped / 1e6:.0f} MB of zips (built in {time.perf_counter() - started:.0f} s)"
            )
            (work / "samples.json").write_bytes(orjson.dumps(samples))
        else:
            feed = args.feed / "synthetic"
            samples = [
                tuple(pair) for pair in orjson.loads((args.feed / "samples.json").read_bytes())
            ]
        print(f"load before the synthetic import: {os.getloadavg()[0]:.1f}")
        store = work / "synthetic.db"
        synthetic = run_import(store, sorted(feed.glob("*/all.zip")))
        size = store.stat().st_size
        verdict_time = "meets" if synthetic["seconds"] <= TARGET_SECONDS else "MISSES"
        verdict_size = "meets" if size <= TARGET_BYTES else "MISSES"
        print(
            f"synthetic import: {synthetic['read']:.0f} records in {synthetic['seconds']:.1f} s = "
            f"{synthetic['read'] / synthetic['seconds']:.0f} records/s ({verdict_time} the "
            f"{TARGET_SECONDS:.0f} s target); peak memory {synthetic['vmhwm_kib'] / 1024:.0f} MiB "
            "(importing process)"
        )
        print(
            f"synthetic import CPU: {synthetic['cpu_main']:.1f} s importing process + "
            f"{synthetic['cpu_workers']:.1f} s workers (load {os.getloadavg()[0]:.1f}: on a "
            "shared machine the wall time also counts other work)"
        )
        print(
            f"synthetic store: {size / MIB:.0f} MiB ({size / synthetic['read']:.0f} bytes/record; "
            f"{verdict_size} the {TARGET_BYTES / MIB:.0f} MiB target)"
        )
        misses = [(eco, f"no-such-package-{i}") for i, (eco, _) in enumerate(samples)]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        names = json.dumps({"hit": samples, "miss": misses})
        timings = json.loads(
            subprocess.run(
                [sys.executable, "-c", LOOKUP, str(store), names],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout
        )
        for label, rows in timings.items():
            seconds = [row[0] * 1000 for row in rows]
            found = statistics.mean(row[1] for row in rows)
            median, p99 = statistics.median(seconds), percentile(seconds, 0.99)
            print(
                f"lookup ({label}, {len(rows)} names, {found:.1f} records each): "
                f"median {median:.3f} ms, p99 {p99:.3f} ms"
            )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
