"""dpkg ownership end to end: distroless `status.d/*.md5sums`, `info/*.md5sums` without a
`.list`, and diversions, on images built in the formats dpkg and distroless write; what
the reduced layers keep of those files; and what matching does with the owned packages."""

import hashlib
from pathlib import Path

from seawall.match import match_inventory
from seawall.model.package import Ecosystem, Inventory, Package
from seawall.pipeline.sbom import sbom
from seawall.source.base import SourceOptions
from seawall.versions import key
from tests.match.support import MemoryStore, record
from tests.pipeline.reduced import reduced_members
from tests.support.imagebuild import (
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    Whiteout,
    build_image,
    write_docker_archive,
    write_oci_layout,
)

OS_RELEASE = b'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12"\n'
DIST = "usr/lib/python3/dist-packages"
LOCAL = "usr/local/lib/python3.11/dist-packages"
STATUS_D = "var/lib/dpkg/status.d"
INFO = "var/lib/dpkg/info"
# The digest of no bytes, as dh_md5sums would write it for an empty file.
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def stanza(name: str, version: str, arch: str = "all", source: str | None = None) -> bytes:
    """A distroless status.d file: the package's control fields, with a Status line."""
    fields = [f"Package: {name}", f"Version: {version}", f"Architecture: {arch}"]
    if source:
        fields.append(f"Source: {source}")
    fields.append("Status: install ok installed")
    return ("\n".join(fields) + "\n").encode()


def md5sums(*paths: str, extra: str = "") -> bytes:
    lines = [f"{hashlib.md5(p.encode(), usedforsecurity=False).hexdigest()}  {p}" for p in paths]
    return ("\n".join(lines) + "\n" + extra).encode()


def metadata(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def dist_info(root: str, name: str, version: str, content: bytes | None = None) -> list[File | Dir]:
    base = f"{root}/{name}-{version}.dist-info"
    return [Dir(base), File(f"{base}/METADATA", content or metadata(name, version))]


REQUESTS_FILES = (
    f"{DIST}/requests-2.19.0.dist-info/METADATA",
    f"{DIST}/requests-2.19.0.dist-info/RECORD",
    f"{DIST}/requests/__init__.py",
    "usr/share/doc/python3-requests/copyright",
)
TRAVERSAL = f"../../../../{LOCAL}/idna-2.7.dist-info/METADATA"
"""A hostile md5sums line: climbing out of the root would land on pip's idna."""


def distroless_layer(*, hostile: bool = False) -> LayerSpec:
    extra = ""
    if hostile:
        extra = f"{EMPTY_MD5}  {TRAVERSAL}\nnot an md5sums line\n"
    return LayerSpec(
        [
            Dir("etc"),
            File("etc/os-release", OS_RELEASE),
            *dist_info(DIST, "requests", "2.19.0"),
            File(f"{DIST}/requests/__init__.py", b"# requests\n"),
            # pip put it there: nobody's file.
            *dist_info(LOCAL, "idna", "2.7"),
            Dir(STATUS_D),
            # Newer distroless: a suffix after the package's name.
            File(
                f"{STATUS_D}/python3-requests-4f1b2c",
                stanza("python3-requests", "2.19.0-1", source="requests"),
            ),
            File(
                f"{STATUS_D}/python3-requests-4f1b2c.md5sums", md5sums(*REQUESTS_FILES, extra=extra)
            ),
            # Older distroless: the file named after the package.
            *dist_info(DIST, "six", "1.16.0"),
            File(f"{STATUS_D}/python3-six", stanza("python3-six", "1.16.0-4", source="six")),
            File(
                f"{STATUS_D}/python3-six.md5sums",
                md5sums(f"{DIST}/six-1.16.0.dist-info/METADATA"),
            ),
            File(f"{STATUS_D}/libc6", stanza("libc6", "2.36-9+deb12u9", "amd64", "glibc")),
            File(
                f"{STATUS_D}/libc6.md5sums",
                md5sums("usr/bin/ldd", "lib/x86_64-linux-gnu/libc.so.6"),
            ),
        ],
        created_by="bazel build //base:distroless",
    )


def write_distroless_archive(path: Path) -> Path:
    """`distroless_layer()` as a `docker save` tar (docs/accuracy.md runs syft and trivy on it)."""
    image = build_image(ImageSpec(steps=[distroless_layer()]))
    return write_docker_archive(path, [(image, ["bench/distroless:latest"])])


def scan(tmp_path: Path, *steps: LayerSpec) -> Inventory:
    layout = write_oci_layout(tmp_path / "layout", [(build_image(ImageSpec(steps=steps)), "v1")])
    return sbom(f"oci-dir:{layout}:v1", SourceOptions(cache_dir=tmp_path / "cache")).inventory


def by_name(inventory: Inventory) -> dict[str, Package]:
    return {p.name: p for p in inventory.packages}


def dpkg_problems(inventory: Inventory) -> tuple[str, ...]:
    return next(s for s in inventory.statuses if s.name == "os/dpkg").problems


# A PyPI advisory for both pip-level versions in the image.
ADVISORIES = MemoryStore(
    [
        record(
            {
                "id": "PYSEC-TEST-requests",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "requests"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": "2.20.0"}],
                            }
                        ],
                    }
                ],
            }
        ),
        record(
            {
                "id": "PYSEC-TEST-idna",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "idna"},
                        "ranges": [
                            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7"}]}
                        ],
                    }
                ],
            }
        ),
    ]
)


def test_distroless_md5sums_make_the_deb_the_owner_and_matching_leaves_it_to_debian(
    tmp_path: Path,
) -> None:
    archive = write_distroless_archive(tmp_path / "distroless.tar")
    inventory = sbom(f"docker-archive:{archive}", SourceOptions()).inventory
    found = by_name(inventory)
    assert set(found) == {"python3-requests", "python3-six", "libc6", "requests", "six", "idna"}
    assert found["six"].owner == found["python3-six"].purl
    assert found["requests"].ecosystem is Ecosystem.PYPI
    assert found["requests"].owner == found["python3-requests"].purl
    assert found["requests"].owner == (
        "pkg:deb/debian/python3-requests@2.19.0-1?arch=all&distro=debian-12"
    )
    assert found["idna"].owner is None
    assert dpkg_problems(inventory) == ()
    result = match_inventory(inventory, ADVISORIES, key)
    assert result.owned_skipped == 2
    assert {(f.package.name, f.id) for f in result.findings} == {("idna", "PYSEC-TEST-idna")}


def test_the_reduced_layer_keeps_only_the_md5sums_lines_another_cataloger_wants(
    tmp_path: Path,
) -> None:
    scan(tmp_path, distroless_layer())
    members = reduced_members(tmp_path / "cache")
    kept = members[f"{STATUS_D}/python3-requests-4f1b2c.md5sums"].decode().splitlines()
    assert [line.split("  ", 1)[1] for line in kept] == [
        f"{DIST}/requests-2.19.0.dist-info/METADATA"
    ]
    assert kept[0] == md5sums(REQUESTS_FILES[0]).decode().strip()  # the line as written
    # libc6's two files: a program in a bin directory (a Go or Rust binary could be
    # there) and a library no cataloger reads.
    libc = members[f"{STATUS_D}/libc6.md5sums"].decode().splitlines()
    assert [line.split("  ", 1)[1] for line in libc] == ["usr/bin/ldd"]


def test_malformed_and_climbing_md5sums_lines_are_problems_and_own_nothing(
    tmp_path: Path,
) -> None:
    inventory = scan(tmp_path, distroless_layer(hostile=True))
    found = by_name(inventory)
    # The climbing line is not resolved: pip's idna stays nobody's.
    assert found["idna"].owner is None
    assert found["requests"].owner == found["python3-requests"].purl
    where = f"/{STATUS_D}/python3-requests-4f1b2c.md5sums"
    assert dpkg_problems(inventory) == (
        # A long line is quoted cut short.
        f"{where}: line {(EMPTY_MD5 + '  ' + TRAVERSAL)[:80]!r}… has a '..' component; ignored",
        f"{where}: line 'not an md5sums line' is not '<md5>  <path>'; ignored",
    )
    assert inventory.partial
    # The reduced layer kept both lines for the cataloger to report.
    members = reduced_members(tmp_path / "cache")
    kept = members[f"{STATUS_D}/python3-requests-4f1b2c.md5sums"].decode().splitlines()
    assert kept[1:] == [f"{EMPTY_MD5}  {TRAVERSAL}", "not an md5sums line"]


# ---- info/*.md5sums without a .list -------------------------------------------------------


def debian_layer(*, with_lists: bool) -> LayerSpec:
    status = stanza("python3-requests", "2.19.0-1", source="requests")
    entries: list[File | Dir] = [
        Dir("etc"),
        File("etc/os-release", OS_RELEASE),
        *dist_info(DIST, "requests", "2.19.0"),
        *dist_info(LOCAL, "idna", "2.7"),
        Dir(INFO),
        File("var/lib/dpkg/status", status),
        File(f"{INFO}/python3-requests.md5sums", md5sums(*REQUESTS_FILES)),
    ]
    if with_lists:
        listed = "/.\n" + "".join(f"/{path}\n" for path in REQUESTS_FILES)
        entries.append(File(f"{INFO}/python3-requests.list", listed.encode()))
    return LayerSpec(entries, created_by="apt-get install -y python3-requests")


def test_info_md5sums_own_where_the_list_is_missing(tmp_path: Path) -> None:
    found = by_name(scan(tmp_path, debian_layer(with_lists=False)))
    assert found["requests"].owner == found["python3-requests"].purl
    assert found["idna"].owner is None
    members = reduced_members(tmp_path / "cache")
    kept = members[f"{INFO}/python3-requests.md5sums"].decode().splitlines()
    assert [line.split("  ", 1)[1] for line in kept] == [REQUESTS_FILES[0]]


def test_info_md5sums_beside_their_list_are_left_out_of_the_reduced_layer(
    tmp_path: Path,
) -> None:
    found = by_name(scan(tmp_path, debian_layer(with_lists=True)))
    assert found["requests"].owner == found["python3-requests"].purl
    members = reduced_members(tmp_path / "cache")
    assert f"{INFO}/python3-requests.md5sums" not in members
    assert members[f"{INFO}/python3-requests.list"].decode().splitlines() == [
        f"/{REQUESTS_FILES[0]}"
    ]


def test_a_later_layer_without_the_list_uses_the_md5sums_it_rewrote(tmp_path: Path) -> None:
    # The .list of the first layer is deleted by the second, which rewrites the md5sums:
    # the md5sums of the second layer are what remains, and they are kept.
    first = debian_layer(with_lists=True)
    second = LayerSpec(
        [
            Whiteout(f"{INFO}/python3-requests.list"),
            File(f"{INFO}/python3-requests.md5sums", md5sums(*REQUESTS_FILES)),
        ],
        created_by="rm /var/lib/dpkg/info/*.list",
    )
    found = by_name(scan(tmp_path, first, second))
    assert found["requests"].owner == found["python3-requests"].purl


# ---- diversions ---------------------------------------------------------------------------

FOO = f"{DIST}/foo-1.0.dist-info/METADATA"
FOO_DIVERTED = "usr/lib/python3/diverted/foo-1.0.dist-info/METADATA"
BAR = f"{DIST}/bar-3.0.dist-info/METADATA"
BAR_DIVERTED = "usr/lib/python3/diverted/bar-3.0.dist-info/METADATA"


def diverted_layer(diversions: bytes) -> LayerSpec:
    status = b"\n".join(
        [
            stanza("python3-foo", "1.0-1"),
            stanza("foo-hotfix", "1.0.post1-1"),
            stanza("python3-bar", "3.0-1"),
        ]
    )
    return LayerSpec(
        [
            Dir("etc"),
            File("etc/os-release", OS_RELEASE),
            # foo-hotfix diverted python3-foo's METADATA and installed its own there.
            File(FOO, metadata("foo", "1.0.post1")),
            File(FOO_DIVERTED, metadata("foo", "1.0")),
            # A local diversion (dpkg-divert --local): the administrator put bar 3.1 there.
            File(BAR, metadata("bar", "3.1")),
            File(BAR_DIVERTED, metadata("bar", "3.0")),
            Dir(INFO),
            File("var/lib/dpkg/status", status),
            File("var/lib/dpkg/diversions", diversions),
            File(f"{INFO}/python3-foo.list", f"/{FOO}\n".encode()),
            File(f"{INFO}/foo-hotfix.list", f"/{FOO}\n".encode()),
            File(f"{INFO}/python3-bar.list", f"/{BAR}\n".encode()),
        ],
        created_by="apt-get install -y foo-hotfix && dpkg-divert --local ...",
    )


def test_ownership_follows_diversions_as_dpkg_unpacked_the_files(tmp_path: Path) -> None:
    diversions = (
        f"/{FOO}\n/{FOO_DIVERTED}\nfoo-hotfix\n/{BAR}\n/{BAR_DIVERTED}\n:\n"
        # Malformed: reported, and the entries before it still count.
        "/x\nrelative\nfoo-hotfix\n"
    ).encode()
    inventory = scan(tmp_path, diverted_layer(diversions))
    owner_of = {
        (p.name, p.version): p.owner for p in inventory.packages if p.ecosystem is Ecosystem.PYPI
    }
    purl = {p.name: p.purl for p in inventory.packages if p.ecosystem is not Ecosystem.PYPI}
    assert owner_of == {
        ("foo", "1.0.post1"): purl["foo-hotfix"],  # the diverting package's own version
        ("foo", "1.0"): purl["python3-foo"],  # python3-foo's, where it was diverted to
        ("bar", "3.0"): purl["python3-bar"],
        ("bar", "3.1"): None,  # the administrator's file at a locally diverted path
    }
    assert dpkg_problems(inventory) == (
        "/var/lib/dpkg/diversions: entry at line 7: 'relative' is not an absolute path "
        "without '..'",
    )


def test_without_diversions_the_listed_paths_are_taken_as_they_are(tmp_path: Path) -> None:
    inventory = scan(tmp_path, diverted_layer(b""))
    owner_of = {
        (p.name, p.version): p.owner for p in inventory.packages if p.ecosystem is Ecosystem.PYPI
    }
    purl = {p.name: p.purl for p in inventory.packages if p.ecosystem is not Ecosystem.PYPI}
    # What the test above corrects: the diverted-to copies are nobody's, the
    # administrator's bar is taken for Debian's, and foo's owner is whichever list
    # naming the path was read first.
    assert owner_of[("foo", "1.0")] is None and owner_of[("bar", "3.0")] is None
    assert owner_of[("bar", "3.1")] == purl["python3-bar"]
    assert owner_of[("foo", "1.0.post1")] in (purl["python3-foo"], purl["foo-hotfix"])


def test_a_distroless_root_filesystem_directory_owns_alike(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for entry in distroless_layer().entries:
        assert isinstance(entry, File | Dir)
        target = root / entry.path
        if isinstance(entry, Dir):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry.content)
    found = by_name(sbom(f"dir:{root}", SourceOptions()).inventory)
    assert found["requests"].owner == found["python3-requests"].purl
    assert found["six"].owner == found["python3-six"].purl
    assert found["idna"].owner is None
