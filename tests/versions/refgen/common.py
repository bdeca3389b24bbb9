"""Shared helpers of the reference-table generators: version pools, pair sampling, table files.

Each generator (`python3 tests/versions/refgen/<scheme>_ref.py`) collects real
version strings, asks the ecosystem's reference implementation to compare
pairs of them, and writes tests/versions/data/<scheme>.json. The tests only
read those tables; nothing here runs in the test suite.
"""

import json
import os
import random
import re
import subprocess
import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
VULNDATA = Path(
    os.environ.get("SEAWALL_VULNDATA", Path(__file__).resolve().parents[4] / "shared" / "vulndata")
)


def run(args: list[str], stdin: str | None = None, **kw: object) -> str:
    """Run a reference program and return its standard output."""
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if done.returncode:
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr[-3000:]}")
    return done.stdout


def debian_versions() -> list[str]:
    """Versions of the installed packages and of every package apt knows."""
    text = Path("/var/lib/dpkg/status").read_text(errors="replace")
    text += run(["apt-cache", "dumpavail"])
    return sorted(set(re.findall(r"^Version: (\S+)$", text, re.MULTILINE)))


def upstream_versions() -> list[str]:
    """The upstream parts of Debian versions: real release numbers of every kind of project."""
    out = set()
    for version in debian_versions():
        upstream = version.partition(":")[2] or version
        out.add(upstream.rpartition("-")[0] or upstream)
    return sorted(out)


def osv_versions(ecosystem: str) -> list[str]:
    """Every version an OSV export in shared/vulndata names (ranges and lists)."""
    out: set[str] = set()
    with zipfile.ZipFile(VULNDATA / ecosystem / "all.zip") as archive:
        for name in archive.namelist():
            record = json.loads(archive.read(name))
            for affected in record.get("affected", []):
                out.update(affected.get("versions", []))
                for rng in affected.get("ranges", []):
                    for event in rng.get("events", []):
                        out.update(v for k, v in event.items() if k != "limit" or v != "*")
    out.discard("0")
    return sorted(out)


def npm_versions(packages: Iterable[str]) -> list[str]:
    """Published versions of npm packages, from the registry."""
    out: set[str] = set()
    for package in packages:
        out.update(json.loads(run(["npm", "view", package, "versions", "--json"])))
    return sorted(out)


def pairs_of(pool: list[str], count: int, seed: int) -> list[tuple[str, str]]:
    """A mix of random pairs, neighbours in text order (near misses), and identical pairs."""
    rng = random.Random(seed)
    pool = sorted(set(pool))
    out: set[tuple[str, str]] = set()
    ordered = sorted(pool)
    while len(out) < count // 2:
        i = rng.randrange(len(ordered) - 1)
        out.add(
            (ordered[i], ordered[i + rng.choice((1, 1, 2, 3))])
            if i + 3 < len(ordered)
            else (ordered[i], ordered[i + 1])
        )
    while len(out) < count * 19 // 20:
        out.add((rng.choice(pool), rng.choice(pool)))
    while len(out) < count:
        v = rng.choice(pool)
        out.add((v, v))
    return sorted(out)


def write_table(
    name: str,
    *,
    ecosystem: str,
    reference: str,
    script: str,
    sources: str,
    pairs: list[tuple[str, str, int]],
    invalid: Iterable[str] = (),  # at most 400 of them are kept
    extra: dict[str, object] | None = None,
) -> None:
    """Write tests/versions/data/<name>.json: a header, then the reference's verdicts."""
    table = {
        "ecosystem": ecosystem,
        "reference": reference,
        "generated_by": f"tests/versions/refgen/{script}",
        "generated_on": date.today().isoformat(),
        "sources": sources,
        "pairs": [list(p) for p in pairs],
        "invalid": sorted(
            random.Random(0).sample(sorted(set(invalid)), min(len(set(invalid)), 400))
        ),
        **(extra or {}),
    }
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{name}.json"
    path.write_text(json.dumps(table, indent=0, ensure_ascii=False) + "\n")
    print(f"{path}: {len(table['pairs'])} pairs, {len(table['invalid'])} invalid")


NPM_PACKAGES = [
    "react",
    "typescript",
    "next",
    "webpack",
    "lodash",
    "@angular/core",
    "semver",
    "electron",
]


def mixed_versions(seed: int, upstream: int = 1500) -> list[str]:
    """Real versions of many ecosystems: npm, PyPI, Go, crates.io advisories, Debian upstreams."""
    rng = random.Random(seed)
    pool = set(npm_versions(NPM_PACKAGES))
    for ecosystem in ("PyPI", "Go", "crates.io"):
        pool.update(osv_versions(ecosystem))
    pool.update(rng.sample(upstream_versions(), upstream))
    return sorted(pool)


def semver_versions(seed: int, edge: Iterable[str]) -> list[str]:
    """Real SemVer strings: crates.io and Go advisory versions, npm releases, and `edge`."""
    rng = random.Random(seed)
    pool = set(osv_versions("crates.io")) | set(
        rng.sample(npm_versions(["typescript", "react", "next"]), 800)
    )
    pool |= {v.lstrip("v") for v in osv_versions("Go")} | set(edge)
    return sorted(v for v in pool if "\t" not in v and "\n" not in v and "\r" not in v)
