"""Accuracy: seawall's inventory of a real-content image equals the checked-in expectations.

The image (accuracy_image.py) holds real package-manager output in four
layers, with an overwritten dpkg status and a deleted dist-info. The
expectations (data/accuracy-expected.json) are the union of what syft and
trivy reported on the same image, plus the seawall-only packages justified in
data/README.md; make_accuracy_expected.py produced them. The peers
are not needed here.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.model.package import Inventory
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from tests.pipeline.accuracy_image import accuracy_image
from tests.support.imagebuild import write_docker_archive, write_oci_layout

EXPECTED = Path(__file__).parent / "data" / "accuracy-expected.json"
Row = tuple[str, str, str, str, int]


def expected_rows() -> set[Row]:
    document: dict[str, Any] = json.loads(EXPECTED.read_text())
    return {
        (p["ecosystem"], p["name"], p["version"], p["purl"], p["layer"])
        for p in document["packages"]
    }


def rows(inventory: Inventory) -> set[Row]:
    found = set()
    for package in inventory.packages:
        layers = [loc.layer for loc in package.locations if loc.layer is not None]
        assert layers, f"{package.purl} has no layer"
        row = (package.osv_ecosystem, package.name, package.version, package.purl, min(layers))
        found.add(row)
    return found


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    image = accuracy_image()
    path = tmp_path_factory.mktemp("accuracy") / "image.tar"
    return write_docker_archive(path, [(image, ["seawall-tests/accuracy:latest"])])


def test_inventory_matches_the_peers_union(archive: Path) -> None:
    inventory = sbom(f"docker-archive:{archive}", SourceOptions()).inventory

    assert not inventory.partial, [s for s in inventory.statuses if s.problems]
    found, wanted = rows(inventory), expected_rows()
    assert found - wanted == set(), "seawall reports packages the expectations do not have"
    assert wanted - found == set(), "seawall misses packages the expectations have"
    # One package per identity: no purl twice, whichever cataloger found it.
    purls = [package.purl for package in inventory.packages]
    assert len(purls) == len(set(purls))


def test_the_same_image_as_an_oci_layout_gives_the_same_inventory(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(accuracy_image(), "v1")])
    inventory = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=tmp_path / "cache")).inventory
    assert rows(inventory) == expected_rows()
    # A warm scan (every reduced layer from the cache) answers the same.
    again = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=tmp_path / "cache")).inventory
    assert rows(again) == expected_rows()
