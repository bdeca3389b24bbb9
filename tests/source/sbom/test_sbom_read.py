"""Reading SBOMs: lossless round trips of seawall's documents, third-party ones, hostile files."""

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import pytest

from seawall.catalog.os.ecosystems import os_identity
from seawall.errors import InputError, LimitExceededError
from seawall.limits import Limits
from seawall.model.image import ImageConfig, SourceKind
from seawall.model.package import Distro, Ecosystem, Inventory, Relationship
from seawall.report.sbom import render_cyclonedx, render_native, render_spdx
from seawall.source.sbom import SbomDocumentError, read_sbom
from seawall.source.sbom.purls import purl_facts, split_distro
from tests.report.sbom.realinv import SUBJECT, real_inventory
from tests.report.sbom.test_sbom_writers import ODD, OPTIONS

LIMITS = Limits()
RENDERERS = {"cyclonedx": render_cyclonedx, "spdx": render_spdx, "native": render_native}


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return real_inventory()


def _write(tmp_path: Path, data: Any, name: str = "sbom.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize("fmt", RENDERERS)
def test_round_trip_is_lossless(fmt: str, inventory: Inventory, tmp_path: Path) -> None:
    path = _write(tmp_path, RENDERERS[fmt](inventory, SUBJECT, OPTIONS))
    read, image = read_sbom(path, LIMITS)
    assert read.packages == inventory.packages
    assert read == inventory
    # Config and history are not carried (config may hold credentials).
    assert image == dataclasses.replace(SUBJECT, config=ImageConfig(), history=())


@pytest.mark.parametrize("fmt", RENDERERS)
def test_round_trip_of_odd_packages(fmt: str, tmp_path: Path) -> None:
    read, image = read_sbom(_write(tmp_path, RENDERERS[fmt](ODD, None, OPTIONS)), LIMITS)
    assert image is None
    assert read.packages == ODD.packages
    if fmt == "native":
        assert read == ODD
    else:
        # A relationship to a purl that is no package of the inventory has no element to point at.
        assert read.relationships == (ODD.relationships[0],)


SYFT_CYCLONEDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "metadata": {
        "component": {
            "bom-ref": "abc",
            "type": "container",
            "name": "debian:12",
            "version": "sha256:" + "ab" * 32,
        }
    },
    "components": [
        {
            "bom-ref": "syft-libssl3",
            "type": "library",
            "name": "libssl3",
            "version": "3.0.11-1~deb12u2",
            "licenses": [{"license": {"name": "Apache-2.0"}}],
            "purl": (
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2"
                "?arch=amd64&upstream=openssl&distro=debian-12"
            ),
            "properties": [
                {"name": "syft:package:foundBy", "value": "dpkg-db-cataloger"},
                {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"},
            ],
        },
        {
            "type": "library",
            "name": "jackson-core",
            "group": "com.fasterxml.jackson.core",
            "version": "2.17.0",
            "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.17.0",
            "hashes": [{"alg": "SHA-1", "content": "b" * 40}],
            "bom-ref": "jackson",
        },
        {
            "type": "library",
            "name": "@babel/core",
            "version": "7.24.0",
            "purl": "pkg:npm/%40babel/core@7.24.0",
            "bom-ref": "babel",
        },
        {"type": "library", "name": "mystery", "version": "1"},
        {"type": "library", "name": "gh", "version": "1", "purl": "pkg:github/a/b@1"},
        {"type": "library", "name": 5},
        {"type": "file", "name": "/etc/passwd"},
        {"type": "operating-system", "name": "debian", "version": "12", "description": "Debian 12"},
    ],
    "dependencies": [{"ref": "jackson", "dependsOn": ["babel", "unknown"]}],
}

TRIVY_CYCLONEDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "components": [
        {
            "type": "operating-system",
            "name": "ubuntu",
            "version": "22.04",
            "bom-ref": "os",
        },
        {
            "type": "application",
            "name": "app/requirements.txt",
            "bom-ref": "app",
            "components": [
                {
                    "type": "library",
                    "name": "requests",
                    "version": "2.31.0",
                    "purl": "pkg:pypi/requests@2.31.0",
                    "bom-ref": "req",
                }
            ],
        },
        {
            "type": "library",
            "name": "libc6",
            "version": "2.35-0ubuntu3.6",
            "purl": "pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?arch=amd64",
            "bom-ref": "libc",
            "properties": [
                {"name": "aquasecurity:trivy:SrcName", "value": "glibc"},
                {"name": "aquasecurity:trivy:SrcVersion", "value": "2.35-0ubuntu3.6"},
            ],
        },
    ],
}


def test_third_party_cyclonedx_from_syft(tmp_path: Path) -> None:
    inventory, image = read_sbom(_write(tmp_path, SYFT_CYCLONEDX), LIMITS)
    assert image is not None and image.reference == "debian:12"
    assert image.manifest_digest == "sha256:" + "ab" * 32
    assert inventory.distro == Distro(id="debian", version_id="12", pretty_name="Debian 12")
    ssl, jackson, babel = inventory.packages
    assert (ssl.osv_ecosystem, ssl.source_name, ssl.source_version, ssl.arch) == (
        "Debian:12",
        "openssl",
        "3.0.11-1~deb12u2",
        "amd64",
    )
    assert ssl.licenses == ("Apache-2.0",) and ssl.locations[0].path == "/var/lib/dpkg/status"
    assert jackson.name == "com.fasterxml.jackson.core:jackson-core"
    assert jackson.ecosystem is Ecosystem.MAVEN and jackson.checksums == (("sha1", "b" * 40),)
    assert babel.name == "@babel/core" and babel.ecosystem is Ecosystem.NPM
    assert inventory.relationships == (Relationship(jackson.purl, babel.purl),)
    assert inventory.partial
    (status,) = inventory.statuses
    assert status.name == "sbom/cyclonedx"
    assert len(status.problems) == 3
    assert any("'mystery' has no purl" in p for p in status.problems)
    assert any("pkg:github/a/b@1" in p for p in status.problems)
    assert any("components[5]: name" in p for p in status.problems)


def test_third_party_cyclonedx_from_trivy(tmp_path: Path) -> None:
    inventory, image = read_sbom(_write(tmp_path, TRIVY_CYCLONEDX), LIMITS)
    assert image is None and not inventory.partial
    requests, libc = inventory.packages
    assert requests.ecosystem is Ecosystem.PYPI  # nested under the lockfile's application component
    # No distro qualifier: the release comes from the operating-system component (22.04 is LTS).
    assert libc.osv_ecosystem == "Ubuntu:22.04:LTS"
    assert (libc.source_name, libc.source_version) == ("glibc", "2.35-0ubuntu3.6")


def test_third_party_spdx(tmp_path: Path) -> None:
    document = {
        "spdxVersion": "SPDX-2.2",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "alpine",
        "packages": [
            {
                "SPDXID": "SPDXRef-img",
                "name": "alpine:3.20",
                "versionInfo": "sha256:" + "cd" * 32,
                "primaryPackagePurpose": "CONTAINER",
            },
            {
                "SPDXID": "SPDXRef-busybox",
                "name": "busybox",
                "versionInfo": "1.36.1-r29",
                "licenseDeclared": "GPL-2.0-only",
                "checksums": [{"algorithm": "SHA1", "checksumValue": "c" * 40}],
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r29"
                        "?arch=x86_64&upstream=busybox&distro=alpine-3.20.3",
                    }
                ],
            },
            {
                "SPDXID": "SPDXRef-musl",
                "name": "musl",
                "versionInfo": "1.2.5-r0",
                "licenseDeclared": "NOASSERTION",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:apk/alpine/musl@1.2.5-r0"
                        "?arch=x86_64&distro=alpine-3.20.3",
                    }
                ],
            },
            {"SPDXID": "SPDXRef-nopurl", "name": "thing"},
            "not an object",
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-img",
            },
            {
                "spdxElementId": "SPDXRef-musl",
                "relationshipType": "DEPENDENCY_OF",
                "relatedSpdxElement": "SPDXRef-busybox",
            },
        ],
    }
    inventory, image = read_sbom(_write(tmp_path, document), LIMITS)
    assert image is not None and image.reference == "alpine:3.20"
    assert image.source_kind is SourceKind.REGISTRY
    busybox, musl = inventory.packages
    assert busybox.osv_ecosystem == "Alpine:v3.20" and busybox.licenses == ("GPL-2.0-only",)
    assert busybox.checksums == (("sha1", "c" * 40),) and busybox.source_name == "busybox"
    assert musl.licenses == () and musl.source_name is None
    assert inventory.relationships == (Relationship(busybox.purl, musl.purl),)
    assert len(inventory.statuses[0].problems) == 2


@pytest.mark.parametrize(
    ("distro", "package_format"),
    [
        (Distro("debian", "12"), "deb"),
        (Distro("debian", "6.0.10"), "deb"),
        (Distro("ubuntu", "22.04"), "deb"),
        (Distro("ubuntu", "23.10"), "deb"),
        (Distro("alpine", "3.20.3"), "apk"),
        (Distro("rocky", "9.3"), "rpm"),
        (Distro("almalinux", "8.9"), "rpm"),
        (Distro("rhel", "9.4"), "rpm"),
    ],
)
def test_purl_release_agrees_with_the_os_catalogers(distro: Distro, package_format: str) -> None:
    identity = os_identity(distro, package_format)  # type: ignore[arg-type]
    purl = f"pkg:{package_format}/{identity.purl_namespace}/x@1?distro={identity.purl_distro}"
    facts = purl_facts(purl)
    assert facts is not None
    assert (facts.ecosystem, facts.release) == (identity.ecosystem, identity.release)


def test_purl_facts_edge_cases() -> None:
    assert split_distro("opensuse-leap-15.5") == ("opensuse-leap", "15.5")
    assert purl_facts("pkg:generic/x@1") is None and purl_facts("nonsense") is None
    rpm = purl_facts(
        "pkg:rpm/redhat/openssl@3.0.7-27.el9?epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"
    )
    assert rpm is not None and rpm.version == "1:3.0.7-27.el9"
    assert (rpm.source_name, rpm.source_version) == ("openssl", "3.0.7-27.el9")
    go = purl_facts("pkg:golang/github.com/spf13/cobra@v1.8.0")
    assert go is not None and go.name == "github.com/spf13/cobra"


# Hostile and malformed input.


def test_file_over_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, "{" * 5000)  # would be a malformed document, if it were parsed
    with pytest.raises(LimitExceededError, match="max_sbom_bytes=4096"):
        read_sbom(path, Limits(max_sbom_bytes=4096))


def test_million_components_refused_by_size_and_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    component = b'{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"},'
    with open(path, "wb") as handle:
        handle.write(b'{"bomFormat":"CycloneDX","specVersion":"1.6","components":[')
        handle.write(component * 1_000_000)
        handle.write(b'{"type":"library","name":"a"}]}')
    assert path.stat().st_size > 60_000_000
    started = time.monotonic()
    with pytest.raises(LimitExceededError):
        read_sbom(path, Limits(max_sbom_bytes=16 * 1024 * 1024))
    assert time.monotonic() - started < 0.5


def test_many_bad_components_give_bounded_problems(tmp_path: Path) -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "name": f"n{i}"} for i in range(20_000)],
    }
    started = time.monotonic()
    inventory, _ = read_sbom(_write(tmp_path, document), LIMITS)
    assert time.monotonic() - started < 5
    (status,) = inventory.statuses
    assert len(status.problems) == 101 and status.problems[-1] == "19900 more problem(s) not listed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "top level is a JSON list"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.2"}', "specVersion '1.2' is not supported"),
        ('{"spdxVersion": "SPDX-3.0"}', "spdxVersion 'SPDX-3.0' is not supported"),
        ('{"hello": 1}', "neither CycloneDX JSON"),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": "x"}',
            "components is a str",
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": 7}',
            "metadata is not an object",
        ),
        ('{"spdxVersion": "SPDX-2.3", "packages": {}}', "packages is a dict"),
        ('{"schema": "seawall.sbom/v1", "packages": [{"name": 1}]}', "packages[0]: name"),
        (
            '{"schema": "seawall.sbom/v1", "statuses": [{"name": "x", "version": "1"}]}',
            "statuses[0]: version",
        ),
        ('{"schema": "seawall.sbom/v1", "relationships": [{"parent": 1}]}', "relationships[0]"),
        ('{"x": ' + "9" * 5000 + "}", "not usable JSON"),
    ],
)
def test_malformed_documents_are_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(SbomDocumentError) as caught:
        read_sbom(path, LIMITS)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_unreadable_paths_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{}")
    for path, message in (
        (tmp_path, "is a directory"),
        (tmp_path / "missing.json", "no such file"),
        (tmp_path / "bad.json", "not UTF-8"),
    ):
        with pytest.raises(InputError, match=message):
            read_sbom(path, LIMITS)


def test_tampered_seawall_annotation_is_an_input_error(tmp_path: Path) -> None:
    document = json.loads(render_spdx(ODD, None, OPTIONS))
    document["annotations"][0]["comment"] = "seawall.inventory/v1 {broken"
    with pytest.raises(SbomDocumentError, match="not valid JSON"):
        read_sbom(_write(tmp_path, document), LIMITS)
    document = json.loads(render_spdx(ODD, None, OPTIONS))
    document["packages"][1]["annotations"][0]["comment"] = 'seawall.package/v1 {"name": 3}'
    inventory, _ = read_sbom(_write(tmp_path, document), LIMITS)
    assert len(inventory.packages) == len(ODD.packages) - 1
    assert "packages[1]: name" in inventory.statuses[-1].problems[0]
