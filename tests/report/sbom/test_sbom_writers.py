"""CycloneDX, SPDX and native SBOMs of real inventories: schema-valid, saying what they should."""

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from rich.console import Console
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

import seawall
from seawall.model.package import Ecosystem, Inventory, Location, Package, Relationship
from seawall.report.sbom import (
    SbomOptions,
    render_cyclonedx,
    render_native,
    render_spdx,
    sbom_table,
)
from tests.report.sbom.realinv import SUBJECT, real_inventory

OPTIONS = SbomOptions(
    created=datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC),
    document_id=uuid.UUID("0b5e1b8a-5d0c-4c5e-9a55-2f7f3c0e8d11"),
)
SCHEMA = Path(seawall.__file__).parent / "report" / "schemas" / "sbom.schema.json"

# Edge cases no cataloger produces on this machine, but the model allows.
ODD = Inventory(
    packages=(
        Package(
            name="left-pad",
            version="1.3.0",
            ecosystem=Ecosystem.NPM,
            purl="pkg:npm/left-pad@1.3.0",
            cataloger="javascript/package-lock",
            licenses=("MIT OR Apache-2.0",),
            locations=(
                Location("/srv/a/package-lock.json", 0),
                Location("/srv/b/package-lock.json"),
            ),
            checksums=(("sha512", "zz-not-hex"), ("sha1", "a" * 40), ("crc32", "deadbeef")),
        ),
        Package(
            name="left-pad",
            version="1.3.0",
            ecosystem=Ecosystem.NPM,
            purl="pkg:npm/left-pad@1.3.0",
            cataloger="javascript/node-modules",
            licenses=("GPL-2+", "MIT OR Apache-2.0", "BSD-3-clause", "MIT"),
        ),
        Package(
            name="Weird_Name",
            version="2",
            ecosystem=Ecosystem.PYPI,
            purl="pkg:PYPI/Weird_Name@2",
            cataloger="python/requirements",
        ),
        Package(
            name="bad-purl",
            version="0",
            ecosystem=Ecosystem.GO,
            purl="not a purl",
            cataloger="go/binary",
            locations=(Location("/usr/bin/tool", 7),),
        ),
    ),
    relationships=(
        Relationship("pkg:npm/left-pad@1.3.0", "pkg:PYPI/Weird_Name@2"),
        Relationship("pkg:npm/left-pad@1.3.0", "pkg:npm/not-in-inventory@1"),
    ),
)


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return real_inventory()


@pytest.fixture(scope="module")
def cyclonedx(inventory: Inventory) -> dict[str, Any]:
    text = render_cyclonedx(inventory, SUBJECT, OPTIONS)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    return json.loads(text)


def _spdx_errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "doc.spdx.json"
    path.write_text(text)
    return [
        message.validation_message for message in validate_full_spdx_document(parse_file(str(path)))
    ]


def _props(component: dict[str, Any]) -> dict[str, str]:
    return {prop["name"]: prop["value"] for prop in component.get("properties", [])}


def test_cyclonedx_metadata_names_tool_subject_and_partial_scan(cyclonedx: dict[str, Any]) -> None:
    assert cyclonedx["specVersion"] == "1.6"
    assert cyclonedx["serialNumber"] == f"urn:uuid:{OPTIONS.document_id}"
    metadata = cyclonedx["metadata"]
    assert metadata["timestamp"].startswith("2024-06-01T12:00:00")
    tool = metadata["tools"]["components"][0]
    assert (tool["name"], tool["version"]) == ("seawall", seawall.__version__)
    subject = metadata["component"]
    assert subject["type"] == "container" and subject["name"] == SUBJECT.reference
    assert subject["hashes"] == [{"alg": "SHA-256", "content": "a0" * 32}]
    assert _props(subject)["seawall:image:layer:2:created-by"] == "COPY . /app # buildkit"
    meta = _props(metadata)
    assert meta["seawall:partial"] == "true"
    assert meta["seawall:status:0:name"] == "os/dpkg"
    assert "status.d/broken" in meta["seawall:status:0:problem:0"]


def test_cyclonedx_components_carry_package_facts(
    cyclonedx: dict[str, Any], inventory: Inventory
) -> None:
    components = cyclonedx["components"]
    libraries = [c for c in components if c["type"] == "library"]
    assert [c["bom-ref"] for c in libraries] == [p.purl for p in inventory.packages]
    (os_component,) = [c for c in components if c["type"] == "operating-system"]
    assert (os_component["name"], os_component["version"]) == ("debian", "12")
    dpkg = next(c for c in libraries if c["name"] == "dpkg")
    props = _props(dpkg)
    assert props["seawall:cataloger"] == "os/dpkg"
    assert props["seawall:ecosystem"] == "Debian" and props["seawall:ecosystem-release"] == "12"
    assert props["seawall:location:0:path"] == "/var/lib/dpkg/status"
    assert props["seawall:location:0:layer-diff-id"] == SUBJECT.layers[0].diff_id
    assert props["seawall:location:1:layer-created-by"] == SUBJECT.layers[1].created_by
    assert dpkg["purl"].startswith("pkg:deb/debian/dpkg@") and "distro=debian-12" in dpkg["purl"]
    # SPDX ids where the licence is one, names otherwise (Debian's `GPL-2+` is not an id).
    kinds = {
        key for c in libraries for lic in c.get("licenses", []) for key in lic.get("license", {})
    }
    assert kinds == {"id", "name"}
    itoa = next(c for c in libraries if c["name"] == "itoa")
    assert itoa["hashes"] == [
        {
            "alg": "SHA-256",
            "content": "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b",
        }
    ]


def test_cyclonedx_dependencies_follow_relationships(
    cyclonedx: dict[str, Any], inventory: Inventory
) -> None:
    edges = {
        (dep["ref"], child)
        for dep in cyclonedx["dependencies"]
        for child in dep.get("dependsOn", [])
    }
    for relationship in inventory.relationships:
        assert (relationship.parent, relationship.child) in edges
    root = next(dep for dep in cyclonedx["dependencies"] if dep["ref"] == "seawall:subject")
    assert len(root["dependsOn"]) == len(inventory.packages) + 1  # and the operating system


def test_spdx_of_real_inventory_validates(inventory: Inventory, tmp_path: Path) -> None:
    text = render_spdx(inventory, SUBJECT, OPTIONS)
    assert _spdx_errors(tmp_path, text) == []
    document = json.loads(text)
    assert document["documentNamespace"].endswith(f"-{OPTIONS.document_id}")
    assert document["creationInfo"]["creators"] == [f"Tool: seawall-{seawall.__version__}"]
    kinds = [rel["relationshipType"] for rel in document["relationships"]]
    assert kinds.count("DESCRIBES") == 1
    owned = [p for p in inventory.packages if p.owner is not None]
    assert owned  # this machine's Python packages that dpkg installed
    # The subject contains the OS and every package; an owner contains what it installed.
    assert kinds.count("CONTAINS") == len(inventory.packages) + 1 + len(owned)
    assert kinds.count("DEPENDS_ON") == len(inventory.relationships)
    packages = document["packages"][2:]
    purl_of = {
        p["SPDXID"]: p["externalRefs"][0]["referenceLocator"]
        for p in packages
        if p.get("externalRefs")
    }
    ownership = {
        (purl_of[rel["relatedSpdxElement"]], purl_of[rel["spdxElementId"]])
        for rel in document["relationships"]
        if rel["relationshipType"] == "CONTAINS" and rel["spdxElementId"] in purl_of
    }
    assert ownership == {(p.purl, p.owner) for p in owned}
    assert len({p["SPDXID"] for p in packages}) == len(packages) == len(inventory.packages)
    dpkg = next(p for p in packages if p["name"] == "dpkg")
    assert dpkg["externalRefs"][0]["referenceLocator"] == next(
        p.purl for p in inventory.packages if p.name == "dpkg"
    )
    assert "in layer 0 (sha256:2020" in dpkg["sourceInfo"]
    assert any(
        ref["licenseId"].startswith("LicenseRef-") for ref in document["hasExtractedLicensingInfos"]
    )


def test_native_validates_against_its_schema(inventory: Inventory) -> None:
    document = json.loads(render_native(inventory, SUBJECT, OPTIONS))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document
    )
    assert document["partial"] is True and document["created"] == "2024-06-01T12:00:00Z"
    document["packages"][0]["layer"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_odd_packages_still_validate(tmp_path: Path) -> None:
    text = render_cyclonedx(ODD, None, OPTIONS)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    first, second, weird, bad = document["components"]
    assert first["bom-ref"] != second["bom-ref"] and first["bom-ref"].startswith("pkg:npm/left-pad")
    assert first["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert [lic["license"] for lic in second["licenses"]] == [
        {"name": "GPL-2+"},
        {"name": "MIT OR Apache-2.0"},
        {"name": "BSD-3-clause"},
        {"id": "MIT"},
    ]
    assert first["hashes"] == [{"alg": "SHA-1", "content": "a" * 40}]
    assert _props(first)["seawall:checksum:0"] == "sha512:zz-not-hex"
    assert _props(weird)["seawall:purl"] == "pkg:PYPI/Weird_Name@2"
    assert "purl" not in bad and _props(bad)["seawall:purl"] == "not a purl"
    assert "metadata" in document and "component" not in document["metadata"]
    assert _spdx_errors(tmp_path, render_spdx(ODD, None, OPTIONS)) == []
    jsonschema.validate(
        json.loads(render_native(ODD, None, OPTIONS)), json.loads(SCHEMA.read_text())
    )


def test_documents_are_reproducible_with_pinned_options(inventory: Inventory) -> None:
    small = Inventory(packages=inventory.packages[:20], distro=inventory.distro)
    for render in (render_cyclonedx, render_spdx, render_native):
        assert render(small, SUBJECT, OPTIONS) == render(small, SUBJECT, OPTIONS)
    fresh = [json.loads(render_spdx(small, SUBJECT))["documentNamespace"] for _ in range(2)]
    assert fresh[0] != fresh[1]


def test_table_lists_packages_and_says_partial(inventory: Inventory) -> None:
    console = Console(width=200, record=True)
    console.print(sbom_table(inventory))
    text = console.export_text()
    assert "partial" in text and f"{len(inventory.packages)} packages" in text
    dpkg = next(p for p in inventory.packages if p.name == "libc6")
    assert "libc6" in text and dpkg.source_name in text and "(layer 0)" in text


def test_build_secrets_are_masked_in_every_format(inventory: Inventory) -> None:
    # A build argument and an env value spelled out in the build steps: no SBOM carries them.
    token, password = "npm_build-token-never-written-7", "hunter2-db-password"
    steps = (
        f"RUN |1 NPM_TOKEN={token} /bin/sh -c npm ci # buildkit",
        f"/bin/sh -c psql postgres://app:{password}@db/app -f schema.sql",
        "COPY . /app # buildkit",
    )
    subject = replace(
        SUBJECT,
        config=replace(SUBJECT.config, env=(("DB_PASSWORD", password),)),
        layers=tuple(
            replace(layer, created_by=step)
            for layer, step in zip(SUBJECT.layers, steps, strict=True)
        ),
    )
    small = Inventory(packages=inventory.packages[:20], distro=inventory.distro)
    for render in (render_cyclonedx, render_spdx, render_native):
        text = render(small, subject, OPTIONS)
        assert token not in text and password not in text, render.__name__
        assert "NPM_TOKEN=***" in text and "app:***@db" in text, render.__name__


def test_table_shows_hostile_names_as_written() -> None:
    # rich would read `[/x]` as markup (an error) and send the escapes to the terminal.
    hostile = Package(
        name="[/x]evil\x1b]0;pwned\x07",
        version="1.0\x1b[5m",
        ecosystem=Ecosystem.PYPI,
        purl="pkg:pypi/evil@1.0",
        cataloger="python/installed",
        locations=(Location("/srv/[bold]app/METADATA", 0),),
    )
    console = Console(width=200, record=True)
    console.print(sbom_table(Inventory(packages=(hostile,))))
    text = console.export_text()
    assert "[/x]evil\\x1b]0;pwned\\x07" in text and "1.0\\x1b[5m" in text
    assert "/srv/[bold]app/METADATA" in text and "\x1b" not in text
