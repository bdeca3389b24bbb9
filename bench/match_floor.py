"""The floor under a never-seen match: what it reads from the store, read alone.

    .venv/bin/python bench/match_floor.py [--runs N] [--store PATH] [--status PATH]

A never-seen match (bench/match_speed.py) reads every index row of its
packages and the body of every record that matched, each decompressed and
parsed as JSON. This measures those reads alone, in new processes: the same
statements the store runs (`VulnStore.entries_of`'s and `summaries`' batched
`json_each` reads, one for all keys and one for all ids), each row's index data
decompressed and parsed once per distinct data (as the store does), each body
decompressed with its dictionary and parsed, and nothing built from them: no
model object, no range judged, no finding. Which keys and ids are read is
recorded from a real never-seen match of the same inventory. Each round runs
one reading process and one never-seen match (`match_speed.child_command`,
results deleted first), alternating, so both figures come from the same
minutes of a noisy machine.

The reads reach below the store's API (its connection, its index codec and
body codecs, its statements) on purpose: the API's reads build objects, and
the floor is what reading costs without them.
"""

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from match_speed import REPO, child_command, inventory, results_file, vulndata_dir


class RecordingStore:
    """A store that passes every call on and records which keys and ids a match reads."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.keys: list[tuple[str, str]] = []
        self.ids: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def entries_of(self, packages: Sequence[tuple[str, str]]) -> Any:
        self.keys.extend(packages)
        return self._store.entries_of(packages)

    def summaries(self, ids: Sequence[str]) -> Any:
        self.ids.extend(ids)
        return self._store.summaries(ids)


def record(store_path: Path, inventory_file: Path, reads_file: Path) -> None:
    """A never-seen match of the inventory, noting the keys and ids it reads."""
    from seawall import versions
    from seawall.match.cache import MatchCache
    from seawall.match.matcher import Matcher
    from seawall.vulndb.names import normalize_name, prefix_matched
    from seawall.vulndb.store import VulnStore

    packages = pickle.loads(inventory_file.read_bytes())  # noqa: S301 - our own file
    results_file(store_path).unlink(missing_ok=True)
    with VulnStore(store_path) as store:
        recording = RecordingStore(store)
        found = Matcher(recording, versions.key, cache=MatchCache()).match(packages)
    keys = [[ecosystem, normalize_name(ecosystem, name)] for ecosystem, name in recording.keys]
    if any(prefix_matched(ecosystem) for ecosystem, _ in keys):
        raise SystemExit("prefix-matched ecosystems are read per key; this floor reads exact keys")
    reads_file.write_bytes(orjson.dumps({"keys": keys, "ids": recording.ids}))
    print(json.dumps({"findings": len(found.findings)}))


def read(store_path: Path, reads_file: Path) -> None:
    """One reading process: the recorded reads, timed, nothing built."""
    from seawall.vulndb.store import _MANY_BODIES, _MANY_ROWS, VulnStore

    reads = orjson.loads(reads_file.read_bytes())
    with VulnStore(store_path) as store:
        database, index_codec = store._db, store._index
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        parsed: dict[bytes, Any] = {}
        rows = 0
        for _, _, _, data in database.execute(_MANY_ROWS, (orjson.dumps(reads["keys"]).decode(),)):
            rows += 1
            if data not in parsed:
                parsed[data] = orjson.loads(index_codec.unpack(data))
        index_done = time.perf_counter()
        bodies = database.execute(_MANY_BODIES, (orjson.dumps(reads["ids"]).decode(),)).fetchall()
        records = []
        for _, dict_id, body in bodies:
            body_codec = store._codecs.get(dict_id) or store._codec(dict_id)
            records.append(orjson.loads(body_codec.decompress(body)))
        done = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "rows": rows,
                "distinct": len(parsed),
                "bodies": len(records),
                "index": index_done - started,
                "records": done - index_done,
                "total": done - started,
                "faults": after.ru_minflt - before.ru_minflt,
            }
        )
    )


def _run(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds (medians reported)")
    parser.add_argument("--store", type=Path, default=REPO / ".cache/bench/match/seawall.db")
    parser.add_argument("--status", type=Path, default=Path("/var/lib/dpkg/status"))
    parser.add_argument("--recording", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reading", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inventory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reads", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.recording:
        record(args.store, args.inventory, args.reads)
        return
    if args.reading:
        read(args.store, args.reads)
        return
    if not args.store.exists():
        raise SystemExit(f"no store at {args.store}: run bench/match_speed.py first")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as installed, bytecode cached
    itself = [sys.executable, __file__, "--store", str(args.store)]
    with tempfile.TemporaryDirectory() as scratch:
        inventory_file = Path(scratch) / "inventory.pickle"
        inventory_file.write_bytes(pickle.dumps(inventory(vulndata_dir(), args.status)))
        reads_file = Path(scratch) / "reads.json"
        recording = ["--recording", "--inventory", str(inventory_file), "--reads", str(reads_file)]
        recorded = _run([*itself, *recording], env)
        floors: list[dict[str, Any]] = []
        matches: list[float] = []
        for _ in range(args.runs):
            floors.append(_run([*itself, "--reading", "--reads", str(reads_file)], env))
            results_file(args.store).unlink(missing_ok=True)
            matched = _run([*child_command(args.store, inventory_file), "--runs", "1"], env)
            matches.append(matched["cold"])
        results_file(args.store).unlink(missing_ok=True)
    first = floors[0]
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(
        f"reads of a never-seen match ({recorded['findings']} findings): {first['rows']} index "
        f"rows ({first['distinct']} distinct data), {first['bodies']} record bodies"
    )

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f})"

    print(f"index rows read, decompressed, parsed: {ms([f['index'] for f in floors])}")
    print(f"record bodies read, decompressed, parsed: {ms([f['records'] for f in floors])}")
    print(
        f"reads alone: {ms([f['total'] for f in floors])}, "
        f"{statistics.median(f['faults'] for f in floors):.0f} page faults"
    )
    print(f"never-seen match, same rounds: {ms(matches)}")
    ratio = statistics.median(f["total"] / m for f, m in zip(floors, matches, strict=True))
    print(f"reads alone / the match (paired median): {ratio:.2f}")


if __name__ == "__main__":
    main()
