"""The SBOM pipeline on images built by the tests: squashing, introducing layers, the cache."""

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest

from seawall.model.package import Inventory, Package
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from seawall.source.errors import DigestMismatchError
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    Symlink,
    Whiteout,
    build_image,
    write_oci_layout,
)

OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'


def stanza(name: str, version: str, source: str | None = None) -> str:
    lines = [
        f"Package: {name}",
        "Status: install ok installed",
        "Priority: optional",
        "Architecture: amd64",
        f"Version: {version}",
    ]
    if source:
        lines.append(f"Source: {source}")
    lines.append(f"Description: {name} for tests")
    return "\n".join(lines) + "\n"


def status(*stanzas: str) -> bytes:
    return "\n".join(stanzas).encode()


def dist_info(name: str, version: str) -> list[Any]:
    base = f"usr/lib/python3/dist-packages/{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: MIT\n\n"
    return [Dir(base), File(f"{base}/METADATA", metadata.encode())]


def jar(group: str, artifact: str, version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr(
            f"META-INF/maven/{group}/{artifact}/pom.properties",
            f"groupId={group}\nartifactId={artifact}\nversion={version}\n",
        )
    return buffer.getvalue()


BASE = LayerSpec(
    [
        Dir("usr/lib"),
        File("usr/lib/os-release", OS_RELEASE),
        Dir("etc"),
        Symlink("etc/os-release", "../usr/lib/os-release"),
        Dir("var/lib/dpkg"),
        File(
            "var/lib/dpkg/status",
            status(stanza("libssl3", "3.0.15-1~deb12u1", "openssl"), stanza("bash", "5.2.15-2+b7")),
        ),
    ],
    created_by="ADD rootfs.tar.xz /",
)


def layered_image() -> Any:
    return build_image(
        ImageSpec(
            steps=[
                BASE,
                LayerSpec(
                    [
                        File(
                            "var/lib/dpkg/status",
                            status(
                                stanza("libssl3", "3.0.15-1~deb12u1", "openssl"),
                                stanza("bash", "5.2.15-2+b7"),
                                stanza("curl", "7.88.1-10+deb12u8"),
                            ),
                        ),
                        *dist_info("requests", "2.31.0"),
                        *dist_info("urllib3", "1.26.5"),
                        Dir("opt/app"),
                        File("opt/app/lib.jar", jar("org.example", "lib", "1.0.0")),
                    ],
                    created_by="RUN apt-get install -y curl && pip install requests",
                ),
                LayerSpec(
                    [
                        Dir("usr/lib/python3/dist-packages"),
                        Whiteout("usr/lib/python3/dist-packages/urllib3-1.26.5.dist-info"),
                        Dir("opt/app"),
                        File("opt/app/lib.jar", jar("org.example", "lib", "2.0.0")),
                    ],
                    created_by="RUN pip uninstall -y urllib3 && COPY lib.jar /opt/app/",
                    compression="zstd",
                ),
            ],
            config=ConfigSpec(),
        )
    )


def packages(inventory: Inventory) -> dict[tuple[str, str], Package]:
    return {(p.cataloger, p.name): p for p in inventory.packages}


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    return write_oci_layout(tmp_path / "layout", [(layered_image(), "v1")])


def test_squashed_inventory_with_introducing_layers(layout: Path, tmp_path: Path) -> None:
    result = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=tmp_path / "cache"))
    inventory = result.inventory
    found = packages(inventory)

    assert inventory.distro is not None and inventory.distro.version_id == "12"
    assert set(found) == {
        ("os/dpkg", "libssl3"),
        ("os/dpkg", "bash"),
        ("os/dpkg", "curl"),
        ("python/installed", "requests"),
        ("java/archive", "org.example:lib"),
    }  # urllib3 was deleted by layer 2; the 1.0.0 jar was overwritten
    libssl = found[("os/dpkg", "libssl3")]
    assert libssl.osv_ecosystem == "Debian:12"
    assert (libssl.source_name, libssl.source_version) == ("openssl", "3.0.15-1~deb12u1")
    assert libssl.purl == "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"
    # The status file was rewritten by layer 1, but libssl3 and bash were already in layer 0.
    layer_of = {name: p.locations[0].layer for (_, name), p in found.items()}
    assert layer_of == {
        "libssl3": 0,
        "bash": 0,
        "curl": 1,
        "requests": 1,
        "org.example:lib": 2,
    }
    assert found[("java/archive", "org.example:lib")].version == "2.0.0"
    assert not inventory.partial, [s for s in inventory.statuses if s.problems]
    assert result.layers_read == 3


def test_second_scan_reads_no_layer_and_shared_base_is_read_once(
    layout: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    options = SourceOptions(cache_dir=cache)
    first = sbom(f"oci-dir:{layout}:v1", options)
    second = sbom(f"oci-dir:{layout}:v1", options)
    assert second.layers_read == 0
    assert second.inventory == first.inventory

    other = build_image(
        ImageSpec(
            steps=[BASE, LayerSpec([*dist_info("flask", "2.0.0")], created_by="pip install flask")]
        )
    )
    other_layout = write_oci_layout(tmp_path / "other", [(other, "v1")])
    third = sbom(f"oci-dir:{other_layout}:v1", options)
    assert third.layers_read == 1  # the base layer came from the cache
    assert ("python/installed", "flask") in packages(third.inventory)


def test_a_corrupt_cache_entry_is_read_again(layout: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=cache))
    for entry in (cache / "inventories").iterdir():
        entry.write_bytes(b"not a cache entry")

    from_layers = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=cache))
    assert from_layers.layers_read == 0  # rebuilt from the cached reduced layers
    assert from_layers.inventory == first.inventory

    for entry in [*(cache / "layers").iterdir(), *(cache / "inventories").iterdir()]:
        entry.write_bytes(b"not a cache entry")
    again = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=cache))
    assert again.layers_read == 3
    assert again.inventory == first.inventory


def test_directory_tree_with_lockfiles(tmp_path: Path) -> None:
    tree = tmp_path / "project"
    (tree / "web").mkdir(parents=True)
    (tree / "requirements.txt").write_text("flask==2.0.1\n-r more.txt\n# comment\n")
    (tree / "more.txt").write_text("jinja2==3.0.1 --hash=sha256:" + "0" * 64 + "\n")
    lock = {
        "name": "web",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "web", "dependencies": {"lodash": "^4.17.0"}},
            "node_modules/lodash": {"version": "4.17.15"},
        },
    }
    (tree / "web" / "package-lock.json").write_text(json.dumps(lock))

    result = sbom(f"dir:{tree}", SourceOptions())

    found = {(p.purl, p.locations[0].path) for p in result.inventory.packages}
    assert found == {
        ("pkg:pypi/flask@2.0.1", "/requirements.txt"),
        ("pkg:pypi/jinja2@3.0.1", "/more.txt"),
        ("pkg:npm/lodash@4.17.15", "/web/package-lock.json"),
    }
    assert all(loc.layer is None for p in result.inventory.packages for loc in p.locations)


def _big_layer_image() -> ImageSpec:
    """BASE with two uncompressed layers past `MIN_SIDE_BYTES`, whose digests are
    checked ahead of reading them (`ImageSource.verify_ahead`)."""
    from seawall.source.sideverify import MIN_SIDE_BYTES

    noise = random.Random(11).randbytes(MIN_SIDE_BYTES + 4321)
    return ImageSpec(
        steps=[
            BASE,
            LayerSpec(
                [File("opt/big1.bin", noise), *dist_info("flask", "2.0.0")],
                created_by="pip install flask",
                compression="none",
            ),
            LayerSpec(
                [File("opt/big2.bin", noise[::-1]), *dist_info("click", "8.0.0")],
                created_by="pip install click",
                compression="none",
            ),
        ]
    )


def test_big_layers_read_while_their_digests_are_checked(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(build_image(_big_layer_image()), "v1")])
    cache = tmp_path / "cache"
    result = sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=cache))
    found = packages(result.inventory)
    assert found[("python/installed", "flask")].locations[0].layer == 1
    assert found[("python/installed", "click")].locations[0].layer == 2
    assert result.layers_read == 3
    assert len(list((cache / "layers").iterdir())) == 3


def test_a_tampered_big_layer_fails_the_scan_and_caches_nothing(tmp_path: Path) -> None:
    built = build_image(_big_layer_image())
    layout = write_oci_layout(tmp_path / "layout", [(built, "v1")])
    blob = layout / "blobs/sha256" / built.layers[2].digest.removeprefix("sha256:")
    data = bytearray(blob.read_bytes())
    data[4096] ^= 0x01  # inside opt/big2.bin, which no reader reads
    blob.write_bytes(bytes(data))
    cache = tmp_path / "cache"
    with pytest.raises(DigestMismatchError, match=f"layer 2 \\({built.layers[2].digest}\\)"):
        sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=cache))
    stored = [*cache.glob("layers/*"), *cache.glob("inventories/*")]
    assert stored == []  # not even the layers that were sound: nothing of a failed scan is kept
