"""Language packages a distribution package installed name it as their owner, end to end.

The image is built in the formats dpkg and apk write: a status database, the
`info/<package>[:<arch>].list` file lists, Debian's real egg-info for six
(tests/catalog/lang/data), a node_modules package that Debian's nodejs ships,
and packages pip installed, which no distribution package owns.
"""

import json
import shutil
from pathlib import Path

import pytest

from seawall.model.package import Ecosystem, Inventory, Package
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from tests.catalog.os.os_rpmdb_builders import (
    TAG_DIRINDEXES,
    Tag,
    header_blob,
    ndb_bytes,
    package_header,
    package_tags,
    sqlite_bytes,
    write_bdb,
)
from tests.pipeline.reduced import reduced_members
from tests.support.imagebuild import (
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    Symlink,
    build_image,
    write_oci_layout,
)

REPO = Path(__file__).resolve().parents[2]
SIX_PKG_INFO = (
    REPO / "tests/catalog/lang/data/python/dist-packages/six-1.16.0.egg-info/PKG-INFO"
).read_bytes()
OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
DIST = "usr/lib/python3/dist-packages"
SIX_EGG = f"{DIST}/six-1.16.0.egg-info"
NEGOTIATOR = "usr/lib/node_modules/npm/node_modules/negotiator"
LOCAL = "usr/local/lib/python3.11/dist-packages"


def stanza(name: str, version: str, arch: str, *extra: str) -> str:
    fields = [
        f"Package: {name}",
        "Status: install ok installed",
        f"Architecture: {arch}",
        *extra,
        f"Version: {version}",
    ]
    return "\n".join(fields) + "\n"


def file_list(*paths: str) -> bytes:
    """A dpkg file list: `/.`, then every directory and file of the package."""
    lines = ["/."]
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = "/" + "/".join(parts[:depth])
            if directory not in lines:
                lines.append(directory)
        lines.append("/" + path)
    return ("\n".join(lines) + "\n").encode()


SIX_FILES = (
    f"{SIX_EGG}/PKG-INFO",
    f"{SIX_EGG}/dependency_links.txt",
    f"{SIX_EGG}/top_level.txt",
    f"{DIST}/six.py",
    "usr/share/doc/python3-six/copyright",
)
NODEJS_FILES = (
    "usr/bin/node",
    f"{NEGOTIATOR}/package.json",
    f"{NEGOTIATOR}/index.js",
    "usr/lib/node_modules/npm/lib/cli.js",
    "usr/share/man/man1/node.1.gz",
    "usr/share/doc/nodejs/copyright",
)


def dist_info(root: str, name: str, version: str) -> list[File | Dir]:
    base = f"{root}/{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"
    return [Dir(base), File(f"{base}/METADATA", metadata.encode())]


def base_layer(six_version: str = "1.16.0-4") -> LayerSpec:
    status = "\n".join(
        [
            stanza("libc6", "2.36-9+deb12u9", "amd64", "Multi-Arch: same", "Source: glibc"),
            stanza("python3-six", six_version, "all", "Source: six"),
            stanza("nodejs", "18.19.0+dfsg-6~deb12u2", "amd64"),
        ]
    )
    return LayerSpec(
        [
            Dir("usr/lib"),
            File("usr/lib/os-release", OS_RELEASE),
            Dir("etc"),
            Symlink("etc/os-release", "../usr/lib/os-release"),
            Dir("usr/bin"),
            File("usr/bin/ldd", b"#!/bin/bash\n", 0o755),
            File("usr/bin/node", b"\x7fELF not really\n", 0o755),
            Dir(SIX_EGG),
            File(f"{SIX_EGG}/PKG-INFO", SIX_PKG_INFO),
            File(f"{DIST}/six.py", b"# six\n"),
            Dir(NEGOTIATOR),
            File(
                f"{NEGOTIATOR}/package.json",
                json.dumps({"name": "negotiator", "version": "0.6.3", "license": "MIT"}).encode(),
            ),
            Dir("var/lib/dpkg/info"),
            File("var/lib/dpkg/status", status.encode()),
            File("var/lib/dpkg/info/libc6:amd64.list", file_list("usr/bin/ldd")),
            File("var/lib/dpkg/info/python3-six.list", file_list(*SIX_FILES)),
            File("var/lib/dpkg/info/python3-six.md5sums", b"0" * 32 + b"  usr/lib/x\n"),
            File("var/lib/dpkg/info/nodejs.list", file_list(*NODEJS_FILES)),
        ],
        created_by="debootstrap && apt-get install -y python3-six nodejs",
    )


PIP_LAYER = LayerSpec(
    [*dist_info(LOCAL, "requests", "2.31.0")],
    created_by="RUN pip install requests",
)


def scan(tmp_path: Path, *steps: LayerSpec) -> Inventory:
    layout = write_oci_layout(tmp_path / "layout", [(build_image(ImageSpec(steps=steps)), "v1")])
    return sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=tmp_path / "cache")).inventory


def by_name(inventory: Inventory) -> dict[str, Package]:
    return {p.name: p for p in inventory.packages}


def test_owned_language_packages_name_their_dpkg_package(tmp_path: Path) -> None:
    found = by_name(scan(tmp_path, base_layer(), PIP_LAYER))
    assert set(found) == {"libc6", "python3-six", "nodejs", "six", "negotiator", "requests"}
    assert found["six"].owner == found["python3-six"].purl
    assert found["six"].owner == "pkg:deb/debian/python3-six@1.16.0-4?arch=all&distro=debian-12"
    assert found["negotiator"].ecosystem is Ecosystem.NPM
    assert found["negotiator"].owner == found["nodejs"].purl
    # pip installed it: PyPI's package, nobody's file.
    assert found["requests"].owner is None
    # Distribution packages never have an owner.
    assert {found[name].owner for name in ("libc6", "python3-six", "nodejs")} == {None}


def test_the_owner_is_the_visible_version_of_the_distribution_package(tmp_path: Path) -> None:
    upgrade = base_layer("1.16.0-4+deb12u1")
    upgrade = LayerSpec(
        [e for e in upgrade.entries if getattr(e, "path", "").startswith("var/lib/dpkg")],
        created_by="RUN apt-get upgrade -y",
    )
    found = by_name(scan(tmp_path, base_layer(), upgrade))
    assert found["python3-six"].version == "1.16.0-4+deb12u1"
    assert found["six"].owner == found["python3-six"].purl


def test_a_package_also_installed_by_pip_is_not_owned(tmp_path: Path) -> None:
    # Merged with a pip install of the same version, the package is PyPI's too:
    # PyPI's advisories apply to that copy, so it must not be marked as Debian's.
    pip_six = LayerSpec([*dist_info(LOCAL, "six", "1.16.0")], created_by="RUN pip install six")
    found = by_name(scan(tmp_path, base_layer(), pip_six))
    assert len(found["six"].locations) == 2
    assert found["six"].owner is None


def test_without_its_dpkg_package_a_file_list_owns_nothing(tmp_path: Path) -> None:
    base = base_layer()
    status = stanza("libc6", "2.36-9+deb12u9", "amd64", "Multi-Arch: same")
    rewritten = LayerSpec(
        [Dir("var/lib/dpkg"), File("var/lib/dpkg/status", status.encode())],
        created_by="a status database without python3-six and nodejs",
    )
    found = by_name(scan(tmp_path, base, rewritten))
    assert found["six"].owner is None and found["negotiator"].owner is None


def test_the_reduced_layer_keeps_only_the_listed_paths_a_language_cataloger_reads(
    tmp_path: Path,
) -> None:
    scan(tmp_path, base_layer())
    members = reduced_members(tmp_path / "cache")
    six = members["var/lib/dpkg/info/python3-six.list"].decode().splitlines()
    nodejs = members["var/lib/dpkg/info/nodejs.list"].decode().splitlines()
    # The metadata files, and what could be a program (a Go or Rust binary):
    # `/usr/bin/node` and extension-less directories the binary catalogers' path test admits.
    assert f"/{SIX_EGG}/PKG-INFO" in six
    assert f"/{NEGOTIATOR}/package.json" in nodejs and "/usr/bin/node" in nodejs
    kept = set(six) | set(nodejs)
    for dropped in (
        f"/{DIST}/six.py",
        f"/{SIX_EGG}/top_level.txt",
        f"/{NEGOTIATOR}/index.js",
        "/usr/share/man/man1/node.1.gz",
        # Wanted by the dpkg cataloger itself, which needs no owner for it.
        "/usr/share/doc/nodejs/copyright",
        "/.",
    ):
        assert dropped not in kept
    assert kept <= set(file_list(*SIX_FILES, *NODEJS_FILES).decode().splitlines())
    # Other dpkg metadata is not kept at all.
    assert "var/lib/dpkg/info/python3-six.md5sums" not in members


@pytest.mark.parametrize("fmt", ["native", "cyclonedx", "spdx"])
def test_owners_survive_an_sbom_round_trip(fmt: str, tmp_path: Path) -> None:
    from seawall.limits import Limits
    from seawall.report.sbom import render_cyclonedx, render_native, render_spdx
    from seawall.source.sbom import read_sbom

    inventory = scan(tmp_path, base_layer(), PIP_LAYER)
    render = {"native": render_native, "cyclonedx": render_cyclonedx, "spdx": render_spdx}[fmt]
    path = tmp_path / "sbom.json"
    path.write_text(render(inventory, None))
    read, _ = read_sbom(path, Limits())
    assert [(p.purl, p.owner) for p in read.packages] == [
        (p.purl, p.owner) for p in inventory.packages
    ]
    assert sum(p.owner is not None for p in read.packages) == 2


def test_a_path_listed_through_a_symlinked_directory_is_owned(tmp_path: Path) -> None:
    # Merged /usr and alternatives: dpkg lists the path as packaged, the tar holds
    # the file under the directory the link points to.
    real = "usr/lib/python3.11/dist-packages"
    layer = LayerSpec(
        [
            *dist_info(real, "blinker", "1.5"),
            Symlink("usr/lib/python3", "python3.11"),
            File("var/lib/dpkg/status", stanza("python3-blinker", "1.5-1", "all").encode()),
            File(
                "var/lib/dpkg/info/python3-blinker.list",
                file_list(f"{DIST}/blinker-1.5.dist-info/METADATA"),
            ),
        ],
        created_by="RUN apt-get install -y python3-blinker",
    )
    found = by_name(scan(tmp_path, base_layer(), layer))
    assert found["blinker"].locations[0].path == f"/{real}/blinker-1.5.dist-info/METADATA"
    assert found["blinker"].owner == found["python3-blinker"].purl


# ---- rpm: the file lists in the rpmdb headers ------------------------------------------

RPM_SITE = "usr/lib/python3.12/site-packages"
PIP_SITE = "usr/local/lib/python3.12/site-packages"
RPM_REQUESTS_FILES = (
    f"/{RPM_SITE}/requests-2.31.0.dist-info",
    f"/{RPM_SITE}/requests-2.31.0.dist-info/METADATA",
    f"/{RPM_SITE}/requests-2.31.0.dist-info/RECORD",
    f"/{RPM_SITE}/requests/__init__.py",
)
RPM_NEGOTIATOR = "usr/lib/node_modules/negotiator"
RPM_RELEASES = {
    "fedora": b'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n',
    "opensuse": b'NAME="openSUSE Leap"\nID="opensuse-leap"\nVERSION_ID="15.6"\n',
    "rocky": b'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\n',
}


def rpm_rows() -> list[tuple[int, bytes]]:
    """The rpmdb's records: Fedora's python3-requests and nodejs-negotiator, and python3-libs."""
    return [
        (
            1,
            package_header(
                "python3-requests",
                "2.31.0",
                "3.fc40",
                source_rpm="python-requests-2.31.0-3.fc40.src.rpm",
                paths=RPM_REQUESTS_FILES,
            ),
        ),
        (
            2,
            package_header(
                "nodejs-negotiator",
                "0.6.3",
                "1.fc40",
                paths=(f"/{RPM_NEGOTIATOR}/package.json", f"/{RPM_NEGOTIATOR}/index.js"),
            ),
        ),
        (
            3,
            package_header("python3-libs", "3.12.3", "1.fc40", paths=("/usr/lib64/libpython3.so",)),
        ),
    ]


def rpm_installed_files(release: bytes) -> list[File | Dir]:
    """What the rpm packages put on disk."""
    return [
        Dir("etc"),
        File("etc/os-release", release),
        *dist_info(RPM_SITE, "requests", "2.31.0"),
        File(f"{RPM_SITE}/requests/__init__.py", b"# requests\n"),
        Dir(RPM_NEGOTIATOR),
        File(
            f"{RPM_NEGOTIATOR}/package.json",
            json.dumps({"name": "negotiator", "version": "0.6.3"}).encode(),
        ),
    ]


PIP_REQUESTS = dist_info(PIP_SITE, "requests", "2.32.3")
"""A newer requests that pip installed elsewhere."""


def by_name_version(inventory: Inventory) -> dict[tuple[str, str], Package]:
    return {(p.name, p.version): p for p in inventory.packages}


def assert_rpm_owners(inventory: Inventory) -> None:
    found = by_name_version(inventory)
    rpm_requests = found["python3-requests", "2.31.0-3.fc40"]
    assert found["requests", "2.31.0"].owner == rpm_requests.purl
    assert found["negotiator", "0.6.3"].owner == found["nodejs-negotiator", "0.6.3-1.fc40"].purl
    # pip installed it: PyPI's package, nobody's file.
    assert found["requests", "2.32.3"].owner is None
    assert {p.owner for p in inventory.packages if p.cataloger == "os/rpm"} == {None}
    status = next(s for s in inventory.statuses if s.name == "os/rpm")
    assert status.problems == ()


def test_a_directory_with_an_rpmdb_owns_what_rpm_installed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for entry in [*rpm_installed_files(RPM_RELEASES["fedora"]), *PIP_REQUESTS]:
        target = root / entry.path
        if isinstance(entry, Dir):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry.content)
    (root / "var/lib/rpm").mkdir(parents=True)
    (root / "var/lib/rpm/rpmdb.sqlite").write_bytes(sqlite_bytes(rpm_rows()))
    inventory = sbom(f"dir:{root}", SourceOptions()).inventory
    assert_rpm_owners(inventory)
    found = by_name_version(inventory)
    assert found["requests", "2.31.0"].owner == (
        "pkg:rpm/fedora/python3-requests@2.31.0-3.fc40?arch=noarch&distro=fedora-40"
    )


@pytest.mark.parametrize("kind", ["sqlite", "ndb", "bdb"])
def test_an_image_rpmdb_in_every_format_owns_what_rpm_installed(tmp_path: Path, kind: str) -> None:
    db: list[File | Dir | Symlink]
    if kind == "sqlite":
        release = RPM_RELEASES["fedora"]
        db = [File("var/lib/rpm/rpmdb.sqlite", sqlite_bytes(rpm_rows()))]
    elif kind == "ndb":
        # openSUSE: the database under /usr/lib/sysimage, the old place a link to it.
        release = RPM_RELEASES["opensuse"]
        db = [
            File("usr/lib/sysimage/rpm/Packages.db", ndb_bytes(rpm_rows())),
            Dir("var/lib"),
            Symlink("var/lib/rpm", "../../usr/lib/sysimage/rpm"),
        ]
    else:
        if not shutil.which("db5.3_load"):
            pytest.skip("db5.3_load is needed (Debian package db5.3-util)")
        write_bdb(tmp_path / "Packages", rpm_rows(), big_endian=False, page_size=4096)
        release = RPM_RELEASES["rocky"]
        db = [File("var/lib/rpm/Packages", (tmp_path / "Packages").read_bytes())]
    base = LayerSpec([*rpm_installed_files(release), *db], created_by="dnf install -y ...")
    pip = LayerSpec(PIP_REQUESTS, created_by="RUN pip install requests")
    inventory = scan(tmp_path, base, pip)
    assert_rpm_owners(inventory)
    rpm_packages = [p for p in inventory.packages if p.cataloger == "os/rpm"]
    assert len(rpm_packages) == 3


def test_an_rpm_file_list_that_cannot_be_read_owns_nothing_and_says_so(tmp_path: Path) -> None:
    rows = rpm_rows()
    good = package_tags("python3-requests", "2.31.0", "3.fc40", paths=RPM_REQUESTS_FILES)
    # DIRINDEXES point past the directories: the list is refused, not guessed at.
    bad = [
        Tag(t.tag, t.kind, [9] * len(RPM_REQUESTS_FILES)) if t.tag == TAG_DIRINDEXES else t
        for t in good
    ]
    rows[0] = (1, header_blob(bad))
    layer = LayerSpec(
        [
            *rpm_installed_files(RPM_RELEASES["fedora"]),
            *PIP_REQUESTS,
            File("var/lib/rpm/rpmdb.sqlite", sqlite_bytes(rows)),
        ],
        created_by="dnf install -y ...",
    )
    inventory = scan(tmp_path, layer)
    found = by_name_version(inventory)
    assert ("python3-requests", "2.31.0-3.fc40") in found
    assert found["requests", "2.31.0"].owner is None
    assert found["negotiator", "0.6.3"].owner == found["nodejs-negotiator", "0.6.3-1.fc40"].purl
    status = next(s for s in inventory.statuses if s.name == "os/rpm")
    assert len(status.problems) == 1
    assert "record 1 (python3-requests): file list not read" in status.problems[0]
    assert inventory.partial
