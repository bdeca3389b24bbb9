"""SBOM speed and peak memory: seawall against syft and trivy on the same images, in one run.

For each bench image (bench/images.py builds them) and each input form, every
variant below writes a CycloneDX JSON SBOM of the same input; runs are
interleaved (run 1 of every variant, then run 2 ...) so a slow spell of the
machine hits all of them alike. Wall time is the median of --runs, peak
memory the largest seen: the larger of the whole process tree's summed RSS,
sampled every 20 ms (bench/treemem.py), and `/usr/bin/time -f %M`.

- seawall-cold: `seawall sbom` with an empty `--cache-dir` each run;
- seawall-warm: the same cache directory, already filled by one untimed run;
- seawall-base-cached: an image with a parent, its cache filled by an untimed
  scan of the parent image (only the image's own layers are new);
- seawall-resident-cold, seawall-resident-warm: the same as seawall-cold and
  seawall-warm, run by a resident process (`seawall daemon start`, started
  once for the whole benchmark; docs/architecture.md, "The resident
  process"). Their peak memory is the client's alone (the command runs in a
  child of the daemon), so they are left out of the memory ratio;
- syft: `syft scan` (syft keeps no per-layer cache, so every run is cold);
- trivy: `trivy image --input`, with one cache directory kept between runs,
  as trivy works by default (filled by one untimed run, so it is warm);
- trivy-clean: trivy with an empty `--cache-dir` each run.

Ratios (issue 3's targets): seawall-cold / min(syft, trivy-clean) <= 1, also
shown against min(syft, trivy) with trivy's warm cache; seawall-warm /
seawall-cold <= 0.2 (also shown for the resident variants, against both
colds); seawall peak RSS / syft peak RSS <= 1. Raw results go to
.cache/bench/results/sbom_speed-<time>.json.

Every tool runs with Python's bytecode cache on, under .cache/bench/pycache
(see peers.peer_env); --no-bytecode-cache keeps PYTHONDONTWRITEBYTECODE as
the caller set it, so seawall compiles its modules on every run.

Usage: .venv/bin/python bench/sbom_speed.py [--runs N] [--images NAME ...]
       [--forms docker-archive oci] [--no-seawall] [--no-bytecode-cache]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import treemem
from peers import (
    BENCH_CACHE,
    FORMS,
    ROOT,
    Image,
    Peers,
    ensure_peers,
    load_images,
    peer_env,
    resident,
    seawall_cmd,
    seawall_sbom_available,
    syft_cmd,
    trivy_cmd,
)

TIME = Path("/usr/bin/time")
RESULTS = BENCH_CACHE / "results"
SCRATCH = BENCH_CACHE / "tmp"


@dataclass(slots=True)
class Sample:
    seconds: float
    peak_kib: int
    packages: int


@dataclass(slots=True)
class Variant:
    """One way of producing the SBOM: a command per run, and what to do before each run."""

    name: str
    command: Callable[[Path], list[str]]  # (output file) -> argv
    before_each: Callable[[], None] = lambda: None
    samples: list[Sample] = field(default_factory=list)
    env: dict[str, str] | None = None
    """The environment of its runs, when not the common one."""


def ensure_time() -> None:
    if TIME.exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True)
        return
    sys.exit("sbom_speed: /usr/bin/time is missing (apt-get install time)")


def count_components(output: Path) -> int:
    document = json.loads(output.read_text())
    return len(document.get("components", []))


def measure(argv: list[str], output: Path, env: dict[str, str]) -> Sample:
    """Run once under /usr/bin/time; wall time from here, peak memory as `treemem` says.

    The peak is the larger of the sampled summed RSS of the whole process tree
    (seawall reads layers in worker processes) and time's single-process peak.
    """
    output.unlink(missing_ok=True)
    report = output.with_suffix(".time")
    done = treemem.run([str(TIME), "-f", "%M", "-o", str(report), *argv], env)
    if done.returncode != 0 or not output.exists():
        tail = "\n".join(done.stderr.strip().splitlines()[-10:])
        raise SystemExit(f"sbom_speed: failed ({done.returncode}): {' '.join(argv)}\n{tail}")
    single = int(report.read_text().strip().splitlines()[-1])
    return Sample(done.seconds, max(single, done.tree_peak_kib), count_components(output))


def untimed(command: Callable[[Path], list[str]], output: Path, env: dict[str, str]) -> None:
    """A run that only fills a cache: it must succeed, its time does not count."""
    measure(command(output), output, env)


def fresh_dir(base: Path, prefix: str) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def warm_page_cache(image: Image) -> None:
    """Read every input file once so no tool pays for the disk and the first one alone."""
    paths = [image.docker_archive, image.oci_archive, *image.oci_dir.rglob("*")]
    for path in paths:
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 20):
                    pass


def variants(
    peers: Peers,
    image: Image,
    form: str,
    parent: Image | None,
    work: Path,
    with_seawall: bool,
    env: dict[str, str],
    resident_env: dict[str, str] | None,
) -> list[Variant]:
    out: list[Variant] = []
    if with_seawall and resident_env is not None:
        out += resident_variants(image, form, work, resident_env)
    if with_seawall:
        cold_dir: list[Path] = []

        def new_cold_dir() -> None:
            cold_dir[:] = [fresh_dir(work, "seawall-cold-")]

        out.append(
            Variant(
                "seawall-cold",
                lambda o: seawall_cmd(image, form, "cyclonedx", o, cold_dir[0]),
                new_cold_dir,
            )
        )
        warm_dir = fresh_dir(work, "seawall-warm-")
        untimed(
            lambda o: seawall_cmd(image, form, "cyclonedx", o, warm_dir), work / "prime.json", env
        )
        out.append(
            Variant("seawall-warm", lambda o: seawall_cmd(image, form, "cyclonedx", o, warm_dir))
        )
        if parent is not None:
            base_dir: list[Path] = []

            def new_base_dir() -> None:
                base_dir[:] = [fresh_dir(work, "seawall-base-")]
                untimed(
                    lambda o: seawall_cmd(parent, form, "cyclonedx", o, base_dir[0]),
                    work / "prime.json",
                    env,
                )

            out.append(
                Variant(
                    "seawall-base-cached",
                    lambda o: seawall_cmd(image, form, "cyclonedx", o, base_dir[0]),
                    new_base_dir,
                )
            )
    out.append(Variant("syft", lambda o: syft_cmd(peers, image, form, "cyclonedx-json", o)))
    trivy_cache = fresh_dir(work, "trivy-cache-")
    untimed(
        lambda o: trivy_cmd(peers, image, form, "cyclonedx", o, trivy_cache),
        work / "prime.json",
        env,
    )
    out.append(
        Variant("trivy", lambda o: trivy_cmd(peers, image, form, "cyclonedx", o, trivy_cache))
    )
    clean_dir: list[Path] = []

    def new_clean_dir() -> None:
        clean_dir[:] = [fresh_dir(work, "trivy-clean-")]

    out.append(
        Variant(
            "trivy-clean",
            lambda o: trivy_cmd(peers, image, form, "cyclonedx", o, clean_dir[0]),
            new_clean_dir,
        )
    )
    return out


def resident_variants(
    image: Image, form: str, work: Path, resident_env: dict[str, str]
) -> list[Variant]:
    """seawall-cold and seawall-warm again, each run by the resident process."""
    cold_dir: list[Path] = []

    def new_cold_dir() -> None:
        cold_dir[:] = [fresh_dir(work, "resident-cold-")]

    warm_dir = fresh_dir(work, "resident-warm-")
    untimed(
        lambda o: seawall_cmd(image, form, "cyclonedx", o, warm_dir),
        work / "prime.json",
        resident_env,
    )
    return [
        Variant(
            "seawall-resident-cold",
            lambda o: seawall_cmd(image, form, "cyclonedx", o, cold_dir[0]),
            new_cold_dir,
            env=resident_env,
        ),
        Variant(
            "seawall-resident-warm",
            lambda o: seawall_cmd(image, form, "cyclonedx", o, warm_dir),
            env=resident_env,
        ),
    ]


def median(variant: Variant) -> float:
    return statistics.median(sample.seconds for sample in variant.samples)


def peak(variant: Variant) -> int:
    return max(sample.peak_kib for sample in variant.samples)


def ratios(by_name: dict[str, Variant]) -> dict[str, float]:
    found: dict[str, float] = {}
    if "seawall-cold" not in by_name:
        return found
    cold = median(by_name["seawall-cold"])
    fastest_cold_peer = min(median(by_name["syft"]), median(by_name["trivy-clean"]))
    fastest_peer = min(median(by_name["syft"]), median(by_name["trivy"]))
    found["cold / min(syft, trivy-clean)"] = cold / fastest_cold_peer
    found["cold / min(syft, trivy warm cache)"] = cold / fastest_peer
    found["warm / cold"] = median(by_name["seawall-warm"]) / cold
    if "seawall-resident-warm" in by_name:
        resident_warm = median(by_name["seawall-resident-warm"])
        found["resident warm / cold"] = resident_warm / cold
        found["resident warm / resident cold"] = resident_warm / median(
            by_name["seawall-resident-cold"]
        )
        found["resident cold / min(syft, trivy-clean)"] = (
            median(by_name["seawall-resident-cold"]) / fastest_cold_peer
        )
    if "seawall-base-cached" in by_name:
        found["base-cached / cold"] = median(by_name["seawall-base-cached"]) / cold
    seawall_peak = max(peak(by_name["seawall-cold"]), peak(by_name["seawall-warm"]))
    found["seawall peak RSS / syft peak RSS"] = seawall_peak / peak(by_name["syft"])
    return found


TARGETS = {
    "cold / min(syft, trivy-clean)": 1.0,
    "cold / min(syft, trivy warm cache)": 1.0,
    "warm / cold": 0.2,
    "resident warm / cold": 0.2,
    "resident warm / resident cold": 0.2,
    "resident cold / min(syft, trivy-clean)": 1.0,
    "seawall peak RSS / syft peak RSS": 1.0,
}


def print_table(image: Image, form: str, found: list[Variant], rates: dict[str, float]) -> None:
    mib = image.layer_bytes / 2**20
    print(f"\n{image.name} ({len(image.layers)} layers, {mib:.0f} MiB compressed), {form}")
    print(f"  {'variant':<22}{'median s':>10}{'min s':>9}{'max s':>9}{'peak MiB':>10}{'pkgs':>7}")
    for variant in found:
        seconds = [sample.seconds for sample in variant.samples]
        packages = sorted({sample.packages for sample in variant.samples})
        print(
            f"  {variant.name:<22}{median(variant):>10.2f}{min(seconds):>9.2f}{max(seconds):>9.2f}"
            f"{peak(variant) / 1024:>10.0f}{'/'.join(map(str, packages)):>7}"
        )
    for name, value in rates.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if value <= target else "  MISSED")
        shown = f"  (target <= {target})" if target is not None else ""
        print(f"  {name:<38}{value:>7.2f}{shown}{verdict}")


def machine() -> dict[str, object]:
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    revision = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "seawall_git": revision,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--images", nargs="*", help="bench images to run (default: all)")
    parser.add_argument("--forms", nargs="*", choices=FORMS, default=["docker-archive"])
    parser.add_argument("--no-seawall", action="store_true", help="time the peers only")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="leave PYTHONDONTWRITEBYTECODE as it is (seawall compiles its modules every run)",
    )
    parser.add_argument(
        "--no-resident", action="store_true", help="leave out the resident-process variants"
    )
    args = parser.parse_args()
    env = peer_env(bytecode_cache=not args.no_bytecode_cache)
    ensure_time()
    peers = ensure_peers()
    every_image = {image.name: image for image in load_images()}
    chosen = (
        [every_image[name] for name in args.images] if args.images else list(every_image.values())
    )
    with_seawall = not args.no_seawall and seawall_sbom_available()
    if not with_seawall:
        print("sbom_speed: `seawall sbom` is not available; timing the peers only", file=sys.stderr)
    print(f"syft {peers.syft_version}, trivy {peers.trivy_version}, {args.runs} runs each")
    results: dict[str, object] = {
        "machine": machine(),
        "syft": peers.syft_version,
        "trivy": peers.trivy_version,
        "runs": args.runs,
        "bytecode_cache": not args.no_bytecode_cache,
        "images": [],
    }
    SCRATCH.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sbom-speed-", dir=SCRATCH))
    with ExitStack() as stack:
        resident_env = (
            stack.enter_context(resident(env)) if with_seawall and not args.no_resident else None
        )
        try:
            for image in chosen:
                warm_page_cache(image)
                parent = every_image.get(image.parent) if image.parent else None
                for form in args.forms:
                    found = variants(
                        peers, image, form, parent, work, with_seawall, env, resident_env
                    )
                    for _ in range(args.runs):
                        for variant in found:
                            variant.before_each()
                            output = work / f"{variant.name}.json"
                            argv = variant.command(output)
                            variant.samples.append(measure(argv, output, variant.env or env))
                    rates = ratios({variant.name: variant for variant in found})
                    print_table(image, form, found, rates)
                    images = results["images"]
                    assert isinstance(images, list)
                    images.append(
                        {
                            "image": image.name,
                            "form": form,
                            "layers": list(image.layers),
                            "layer_bytes": image.layer_bytes,
                            "variants": {
                                variant.name: [
                                    {
                                        "seconds": s.seconds,
                                        "peak_kib": s.peak_kib,
                                        "packages": s.packages,
                                    }
                                    for s in variant.samples
                                ]
                                for variant in found
                            },
                            "ratios": rates,
                        }
                    )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"sbom_speed-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nraw results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
