"""Reading an image through the squashed view, against `gzip -dc` of the same layers.

For each image: the time `gzip -dc` takes to decompress every layer to
/dev/null, and the time and peak memory of seawall reading every byte of
every visible file through the squashed view (digests verified), in a fresh
process. Prints MB/s of uncompressed tar and the ratio of the two speeds
(issue target: seawall at least 0.8 of gzip), and shows peak memory staying flat as
the same number of files grows eightfold in size.

Images are built once under --workdir from real files of this machine:
- `debian`: the demo image (`scripts/demo` builds it), if present;
- `usr`: /usr/lib/x86_64-linux-gnu and /usr/share as two layers;
- `scale-1x` / `scale-8x`: 160 files of 1 MiB / 8 MiB cut from real shared libraries.

Usage: .venv/bin/python bench/read_speed.py [--workdir DIR] [--runs N]
"""

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_LAYOUT = ROOT / ".cache" / "demo" / "oci"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def write_blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return digest, len(data)


def build_layout(layout: Path, layer_sources: list[tuple[Path, list[str]]]) -> None:
    """An OCI layout with one gzip layer per (directory, members) pair, via tar and pigz."""
    if (layout / "index.json").exists():
        return
    work = Path(tempfile.mkdtemp(dir=layout.parent))
    blobs = work / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    layers, diff_ids = [], []
    for number, (directory, members) in enumerate(layer_sources):
        tar = work / f"layer{number}.tar"
        subprocess.run(
            ["tar", "--sort=name", "-C", str(directory), "-cf", str(tar), *members], check=True
        )
        diff_ids.append(sha256_file(tar))
        subprocess.run(["pigz", "-6", str(tar)], check=True)
        gz = tar.with_suffix(".tar.gz")
        digest = sha256_file(gz)
        size = gz.stat().st_size
        gz.rename(blobs / digest[7:])
        layers.append({"mediaType": LAYER_GZIP, "digest": digest, "size": size})
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"bench layer {n}"} for n in range(len(layers))],
    }
    config_digest, config_size = write_blob(work, json.dumps(config).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config_size,
        },
        "layers": layers,
    }
    manifest_digest, manifest_size = write_blob(work, json.dumps(manifest).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": manifest_size,
                "annotations": {"org.opencontainers.image.ref.name": "bench"},
            }
        ],
    }
    (work / "index.json").write_text(json.dumps(index))
    (work / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    work.rename(layout)


def make_scaled_tree(tree: Path, file_bytes: int, files: int = 160) -> None:
    """`files` files of `file_bytes` each, cut from real shared libraries (realistic entropy)."""
    if tree.exists():
        return
    libraries = sorted(
        (p for p in Path("/usr/lib/x86_64-linux-gnu").glob("*.so*") if p.is_file()),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )
    pool = b"".join(p.read_bytes() for p in libraries[:12])
    partial = tree.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for number in range(files):
        start = (number * 7_919_993) % max(1, len(pool) - file_bytes)
        chunk = pool[start : start + file_bytes]
        chunk = (chunk * (file_bytes // max(1, len(chunk)) + 1))[:file_bytes]
        (partial / f"file{number:04d}.bin").write_bytes(chunk)
    partial.rename(tree)


def layer_blobs(layout: Path, tag: str) -> list[Path]:
    index = json.loads((layout / "index.json").read_text())
    entry = next(
        m
        for m in index["manifests"]
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag
    )
    manifest = json.loads((layout / "blobs" / "sha256" / entry["digest"][7:]).read_text())
    return [layout / "blobs" / "sha256" / layer["digest"][7:] for layer in manifest["layers"]]


def timed(command: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of one child process."""
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)
    return time.perf_counter() - start, result.stdout


def peak_rss_kib() -> int:
    """This process's own peak RSS (VmHWM). Unlike ru_maxrss it starts afresh at exec,
    so the parent's memory, copied by fork, is not counted."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def gzip_seconds(blobs: list[Path]) -> float:
    total = 0.0
    for blob in blobs:
        with open(blob, "rb") as source:
            start = time.perf_counter()
            subprocess.run(["gzip", "-dc"], stdin=source, stdout=subprocess.DEVNULL, check=True)
            total += time.perf_counter() - start
    return total


def read_everything(target: str) -> None:
    """Child process: read every byte of every visible file; print tar bytes and file bytes."""
    from seawall.fs import SquashedView
    from seawall.source.registry import open_source

    file_bytes = 0
    with open_source(target) as source:
        view = SquashedView(source.layer_openers())
        for entry in view:
            if entry.readable:
                with entry.open() as content:
                    while chunk := content.read(1 << 20):
                        file_bytes += len(chunk)
        tar_bytes = sum(stats.tar_bytes for stats in view.stats)
    print(json.dumps({"tar_bytes": tar_bytes, "file_bytes": file_bytes, "rss": peak_rss_kib()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_everything(args.read)
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    images: list[tuple[str, Path, str]] = []
    if (DEMO_LAYOUT / "index.json").exists():
        images.append(("debian", DEMO_LAYOUT, "bookworm"))
    usr = args.workdir / "usr"
    build_layout(usr, [(Path("/usr"), ["lib/x86_64-linux-gnu"]), (Path("/usr"), ["share"])])
    images.append(("usr", usr, "bench"))
    for scale in (1, 8):
        tree = args.workdir / f"tree-{scale}x"
        make_scaled_tree(tree, scale << 20)
        layout = args.workdir / f"scale-{scale}x"
        build_layout(layout, [(tree, ["."])])
        images.append((f"scale-{scale}x", layout, "bench"))

    print(
        f"{'image':<10} {'tar MB':>8} {'gzip -dc s':>10} {'seawall s':>10} "
        f"{'gzip MB/s':>9} {'seawall MB/s':>12} {'ratio':>6} {'peak RSS MiB':>12}"
    )
    for name, layout, tag in images:
        blobs = layer_blobs(layout, tag)
        gzip_runs, seawall_runs, rss = [], [], []
        tar_bytes = 0
        for _ in range(args.runs):
            gzip_runs.append(gzip_seconds(blobs))
            command = [sys.executable, __file__, "--read", f"oci-dir:{layout}:{tag}"]
            elapsed, out = timed(command)
            seawall_runs.append(elapsed)
            result = json.loads(out)
            rss.append(result["rss"])
            tar_bytes = result["tar_bytes"]
        gzip_s, seawall_s = statistics.median(gzip_runs), statistics.median(seawall_runs)
        megabytes = tar_bytes / 1e6
        print(
            f"{name:<10} {megabytes:>8.0f} {gzip_s:>10.2f} {seawall_s:>10.2f} "
            f"{megabytes / gzip_s:>9.0f} {megabytes / seawall_s:>12.0f} "
            f"{gzip_s / seawall_s:>6.2f} {max(rss) / 1024:>12.0f}"
        )


if __name__ == "__main__":
    main()
