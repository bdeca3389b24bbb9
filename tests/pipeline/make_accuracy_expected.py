"""Writes data/accuracy-expected.json from syft and trivy, run once on the accuracy image.

Not a test: the expectations are generated once, reviewed, and checked in, so
the test never needs the peers. It builds the image of `accuracy_image`, runs
syft and trivy on its docker-archive with bench/'s offline command lines
(bench/peers.py), reads their packages with bench/sbom_accuracy.py's readers
(the same normalisation the accuracy benchmark uses), runs seawall, and
checks that the two sides differ exactly by the deliberate differences listed
in DELIBERATE, each of which data/README.md explains. Only then
does it write the expectations: seawall's packages, each with the peers that
found it.

Usage: .venv/bin/python -m tests.pipeline.make_accuracy_expected
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from tests.pipeline.accuracy_image import accuracy_image
from tests.support.imagebuild import write_docker_archive

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().parent / "data" / "accuracy-expected.json"
TAG = "seawall-tests/accuracy:latest"

Key = tuple[str, str, str]

# (purl type, normalised name, normalised version) -> why the difference is right.
# "peer-only": a peer reports it and seawall must not; "seawall-only": the reverse.
DELIBERATE: dict[Key, tuple[str, str]] = {
    ("npm", "bench-app", "1.0.0"): (
        "peer-only",
        "the root project of /srv/web (package.json, private): the project being "
        "scanned, not a dependency",
    ),
    ("npm", "seawall-fixture", "1.0.0"): (
        "peer-only",
        "the root project of /srv/tools (package.json): the project, not a dependency",
    ),
    ("pypi", "pysocks", "1.7.1"): (
        "seawall-only",
        "pinned by /srv/app/requirements.txt (layer 1); its dist-info was deleted by "
        "layer 3 (`pip uninstall`), and the peers read no requirements file in images",
    ),
    ("pypi", "six", "1.17.0"): (
        "seawall-only",
        "pinned by /srv/app/requirements.txt; pip installed six 1.16.0 beside it "
        "(its own dist-info), which both peers and seawall report",
    ),
}


def main() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    # bench/ is scripts, not a package: its modules import each other by bare name.
    from peers import TRIVY_OFFLINE, ensure_peers, peer_env  # type: ignore[import-not-found]
    from sbom_accuracy import (  # type: ignore[import-not-found]
        key_from_purl,
        read_syft,
        read_trivy,
    )

    peers = ensure_peers()
    image = accuracy_image()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        archive = write_docker_archive(work / "image.tar", [(image, [TAG])])
        syft_out, trivy_out = work / "syft.json", work / "trivy.cdx.json"
        for command in (
            [str(peers.syft), "scan", f"docker-archive:{archive}", "-o", f"syft-json={syft_out}"],
            [
                str(peers.trivy),
                "image",
                "--input",
                str(archive),
                "--format",
                "cyclonedx",
                "--output",
                str(trivy_out),
                "--cache-dir",
                str(work / "trivy-cache"),
                "--quiet",
                *TRIVY_OFFLINE,
            ],
        ):
            subprocess.run(command, env=peer_env(), check=True, capture_output=True)
        diff_ids = [layer.diff_id for layer in image.layers]
        syft = read_syft(syft_out, diff_ids).packages
        trivy = read_trivy(trivy_out, diff_ids).packages
        inventory = sbom(f"docker-archive:{archive}", SourceOptions()).inventory

    ours: dict[Key, dict[str, Any]] = {}
    for package in inventory.packages:
        key = key_from_purl(package.purl, ("", "", package.name, package.version))
        ours[key] = {
            "ecosystem": package.osv_ecosystem,
            "name": package.name,
            "version": package.version,
            "purl": package.purl,
            "layer": min(loc.layer for loc in package.locations if loc.layer is not None),
        }
    peers_found = set(syft) | set(trivy)
    differences = dict.fromkeys(peers_found - set(ours), "peer-only")
    differences |= dict.fromkeys(set(ours) - peers_found, "seawall-only")
    wanted = {key: kind for key, (kind, _) in DELIBERATE.items()}
    if differences != wanted:
        sys.exit(
            "accuracy: the differences are not the deliberate ones:\n"
            + "\n".join(f"  {kind}: {key}" for key, kind in sorted(differences.items()))
        )
    layers = {
        key: sorted({layer for _, layer in syft.get(key, []) + trivy.get(key, [])} - {None})
        for key in ours
    }
    for key, entry in ours.items():
        entry["found_by"] = [
            name for name, found in (("syft", syft), ("trivy", trivy)) if key in found
        ]
        if layers[key] and layers[key][0] != entry["layer"]:
            sys.exit(
                f"accuracy: {key} introduced in layer {entry['layer']}, peers say {layers[key]}"
            )
    document = {
        "image": "tests/pipeline/accuracy_image.py",
        "peers": {"syft": peers.syft_version, "trivy": peers.trivy_version},
        "packages": sorted(ours.values(), key=lambda p: (p["ecosystem"], p["name"], p["version"])),
    }
    EXPECTED.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {EXPECTED.relative_to(ROOT)}: {len(ours)} packages")


if __name__ == "__main__":
    main()
