"""One package per identity: the same package found by several catalogers is merged.

The inputs are directory trees written here: installed metadata (dist-info,
node_modules) beside the lockfiles and requirements files that asked for it.
"""

import json
from pathlib import Path

from seawall.catalog.registry import CATALOGERS
from seawall.model.package import Ecosystem, Location, Package, Relationship
from seawall.pipeline.inventory import _INSTALLED_EVIDENCE
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions

OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
SITE = "usr/local/lib/python3.11/site-packages"
POETRY_LOCK = """\
[[package]]
name = "django"
version = "3.2.0"
description = "A high-level Python web framework"
optional = false
python-versions = ">=3.6"
files = []

[package.dependencies]
asgiref = ">=3.3.2,<4"

[[package]]
name = "asgiref"
version = "3.4.1"
description = "ASGI specs"
optional = false
python-versions = ">=3.6"
files = []

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0000"
"""


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def dist_info(root: Path, name: str, version: str, license_name: str = "") -> None:
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if license_name:
        metadata += f"License: {license_name}\n"
    write(root, f"{SITE}/{name}-{version}.dist-info/METADATA", metadata + "\n")


def scan(root: Path) -> tuple[dict[str, list[Package]], tuple[Relationship, ...]]:
    inventory = sbom(f"dir:{root}", SourceOptions()).inventory
    by_name: dict[str, list[Package]] = {}
    for package in inventory.packages:
        by_name.setdefault(package.name.lower(), []).append(package)
    return by_name, inventory.relationships


def test_installed_evidence_wins_and_versions_equal_under_pep_440_merge(tmp_path: Path) -> None:
    dist_info(tmp_path, "Django", "3.2", "BSD-3-Clause")
    dist_info(tmp_path, "asgiref", "3.4.1")
    write(tmp_path, "srv/app/poetry.lock", POETRY_LOCK)
    write(tmp_path, "srv/app/requirements.txt", "Django==3.2.0\nsix==1.17.0\n")
    dist_info(tmp_path, "six", "1.16.0")

    found, relationships = scan(tmp_path)

    [django] = found["django"]
    assert (django.version, django.purl, django.cataloger) == (
        "3.2",
        "pkg:pypi/django@3.2",
        "python/installed",
    )
    assert django.locations == (
        Location(f"/{SITE}/Django-3.2.dist-info/METADATA"),
        Location("/srv/app/requirements.txt"),
        Location("/srv/app/poetry.lock"),
    )
    assert django.licenses == ("BSD-3-Clause",)
    [asgiref] = found["asgiref"]
    assert asgiref.cataloger == "python/installed"
    assert len(asgiref.locations) == 2
    # The lock's edge django@3.2.0 -> asgiref now names the kept purl.
    assert relationships == (Relationship("pkg:pypi/django@3.2", "pkg:pypi/asgiref@3.4.1"),)
    # Another version is another package: the pin is not what was installed.
    assert sorted((p.version, p.cataloger) for p in found["six"]) == [
        ("1.16.0", "python/installed"),
        ("1.17.0", "python/requirements"),
    ]


def test_node_modules_and_package_lock_are_one_package_each(tmp_path: Path) -> None:
    lock = {
        "name": "web",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "web", "dependencies": {"debug": "2.6.9"}},
            "node_modules/debug": {"version": "2.6.9", "dependencies": {"ms": "2.0.0"}},
            "node_modules/ms": {"version": "2.0.0"},
        },
    }
    write(tmp_path, "srv/web/package-lock.json", json.dumps(lock))
    for name, version in (("debug", "2.6.9"), ("ms", "2.0.0")):
        manifest = {"name": name, "version": version, "license": "MIT"}
        write(tmp_path, f"srv/web/node_modules/{name}/package.json", json.dumps(manifest))

    found, relationships = scan(tmp_path)

    assert {name: len(packages) for name, packages in found.items()} == {"debug": 1, "ms": 1}
    [debug] = found["debug"]
    assert debug.cataloger == "javascript/node-modules"
    assert [loc.path for loc in debug.locations] == [
        "/srv/web/node_modules/debug/package.json",
        "/srv/web/package-lock.json",
    ]
    assert debug.licenses == ("MIT",)
    assert Relationship("pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0") in relationships


def test_distro_packages_are_not_merged_across_architectures_or_with_language_packages(
    tmp_path: Path,
) -> None:
    write(tmp_path, "etc/os-release", OS_RELEASE)
    stanzas = [
        f"Package: {name}\nStatus: install ok installed\nArchitecture: {arch}\n"
        f"Multi-Arch: same\nVersion: {version}\nDescription: test\n"
        for name, arch, version in (
            ("libc6", "amd64", "2.36-9+deb12u4"),
            ("libc6", "i386", "2.36-9+deb12u4"),
            ("six", "all", "1.16.0"),
        )
    ]
    write(tmp_path, "var/lib/dpkg/status", "\n".join(stanzas))
    dist_info(tmp_path, "six", "1.16.0")

    found, _ = scan(tmp_path)

    assert sorted(p.arch or "" for p in found["libc6"]) == ["amd64", "i386"]
    assert sorted(p.ecosystem.value for p in found["six"]) == [
        Ecosystem.DEBIAN.value,
        Ecosystem.PYPI.value,
    ]


def test_many_versions_of_one_name_merge_in_bounded_time(tmp_path: Path) -> None:
    """A hostile lockfile with thousands of versions of one name: sorted, not compared pairwise."""
    versions = [f"1.{minor}.0" for minor in range(3000)]
    packages = {"": {"name": "web"}}
    for index, version in enumerate(versions):
        packages[f"node_modules/x{index}/node_modules/dup"] = {"version": version}
    write(tmp_path, "a/package-lock.json", json.dumps({"lockfileVersion": 3, "packages": packages}))
    # The same releases again, spelled `v1.N.0`: npm's comparator reads both alike.
    spelled = {key: {"version": f"v{entry['version']}"} for key, entry in packages.items() if key}
    spelled[""] = {"name": "web"}
    write(tmp_path, "b/package-lock.json", json.dumps({"lockfileVersion": 3, "packages": spelled}))

    found, _ = scan(tmp_path)

    assert len(found["dup"]) == len(versions)
    assert all(len(package.locations) == 2 for package in found["dup"])


def test_installed_evidence_names_registered_catalogers() -> None:
    """A renamed cataloger must not silently lose its precedence over lockfiles."""
    assert {cataloger.NAME for cataloger in CATALOGERS} >= _INSTALLED_EVIDENCE
