"""Which installed Debian package owns a path: `.list`, `.md5sums` (info/ and distroless
status.d/) and diversions, on hand-written databases and on this machine's real one."""

import hashlib
import shutil
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os import dpkg as dpkg_module
from seawall.catalog.os.diversions import MAX_DIVERSIONS, Diversion, parse_diversions
from seawall.catalog.os.dpkg import DpkgCataloger
from seawall.catalog.os.filelists import list_entries, normal_path
from seawall.model.package import Distro

STATUS = "/var/lib/dpkg/status"
STATUS_D = "/var/lib/dpkg/status.d/"
INFO = "/var/lib/dpkg/info/"
DIVERSIONS = "/var/lib/dpkg/diversions"
DEBIAN_12 = Distro(id="debian", version_id="12", version_codename="bookworm")
DIST = "/usr/lib/python3/dist-packages"
NOT_ABSOLUTE = "is not an absolute path without '..'"


def catalog(*files: CatalogFile) -> CatalogResult:
    return DpkgCataloger().catalog(files, CatalogContext(distro=DEBIAN_12))


def stanza(name: str, version: str = "1.0-1", arch: str = "all", status: bool = True) -> str:
    state = "Status: install ok installed\n" if status else ""
    return f"Package: {name}\n{state}Architecture: {arch}\nVersion: {version}\n"


def md5sums(*paths: str) -> bytes:
    """A deb-md5sums(5) file: the digest of each path's name, two spaces, the relative path."""
    return "".join(f"{md5_hex(path.encode())}  {path}\n" for path in paths).encode()


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def owners(result: CatalogResult) -> dict[str, str]:
    """path → owning package name (the purls' names)."""
    name_of = {p.purl: p.name for p in result.packages}
    return {path: name_of[purl] for path, purl in result.owned}


# ---- md5sums ------------------------------------------------------------------------------


def test_distroless_md5sums_belong_to_the_stanza_in_the_file_of_the_same_name() -> None:
    files = [
        # Newer distroless: the file name carries a suffix the package name does not.
        CatalogFile(STATUS_D + "python3-six-9f3c1a", stanza("python3-six").encode()),
        CatalogFile(
            STATUS_D + "python3-six-9f3c1a.md5sums",
            md5sums("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"),
        ),
        # Older distroless: named after the package.
        CatalogFile(STATUS_D + "libc6", stanza("libc6", "2.36-9", "amd64").encode()),
        CatalogFile(STATUS_D + "libc6.md5sums", md5sums("usr/bin/ldd")),
        # No stanza file of that name: the installed package of that name, as syft finds it.
        CatalogFile(STATUS_D + "tzdata", stanza("tzdata").encode()),
        CatalogFile(STATUS_D + "tzdata:all.md5sums", md5sums("usr/sbin/tzconfig")),
        # Neither a stanza file nor a package of that name: owns nothing.
        CatalogFile(STATUS_D + "ghost.md5sums", md5sums("usr/bin/ghost")),
        # A package that is not installed owns nothing.
        CatalogFile(
            STATUS_D + "gone", stanza("gone").replace("ok installed", "ok config-files").encode()
        ),
        CatalogFile(STATUS_D + "gone.md5sums", md5sums("usr/bin/gone")),
    ]
    result = catalog(*files)
    assert result.problems == ()
    assert {p.name for p in result.packages} == {"python3-six", "libc6", "tzdata"}
    assert owners(result) == {
        f"{DIST}/six-1.16.0.egg-info/PKG-INFO": "python3-six",
        "/usr/bin/ldd": "libc6",
        "/usr/sbin/tzconfig": "tzdata",
    }


def test_a_status_d_file_of_several_packages_owns_through_the_one_named_like_it() -> None:
    two = (stanza("libfoo1") + "\n" + stanza("foo-tools")).encode()
    result = catalog(
        CatalogFile(STATUS_D + "libfoo1", two),
        CatalogFile(STATUS_D + "libfoo1.md5sums", md5sums("usr/lib/libfoo.so.1")),
        CatalogFile(STATUS_D + "bundle", two),
        CatalogFile(STATUS_D + "bundle.md5sums", md5sums("usr/bin/foo")),
    )
    assert owners(result) == {"/usr/lib/libfoo.so.1": "libfoo1"}
    assert result.problems == (
        f"{STATUS_D}bundle.md5sums: {STATUS_D}bundle describes 2 installed packages but not "
        "one the file is named after; its files are not marked as owned",
    )


def test_info_md5sums_count_only_where_the_list_is_missing() -> None:
    status = "\n".join(
        [stanza("python3-six"), stanza("libc6", "2.36-9", "amd64"), stanza("bash", arch="amd64")]
    )
    result = catalog(
        CatalogFile(STATUS, status.encode()),
        CatalogFile(INFO + "python3-six.md5sums", md5sums("usr/lib/python3/dist-packages/six.py")),
        CatalogFile(INFO + "libc6:amd64.md5sums", md5sums("usr/bin/ldd")),
        # bash has both: the list says it all (and would name directories too).
        CatalogFile(INFO + "bash.list", b"/.\n/bin\n/bin/bash\n"),
        CatalogFile(INFO + "bash.md5sums", md5sums("bin/bash", "usr/bin/not-in-the-list")),
    )
    assert result.problems == ()
    assert owners(result) == {
        f"{DIST}/six.py": "python3-six",
        "/usr/bin/ldd": "libc6",
        "/": "bash",
        "/bin": "bash",
        "/bin/bash": "bash",
    }


def test_md5sums_paths_are_normalised_and_never_climb_above_the_root() -> None:
    digest = "d41d8cd98f00b204e9800998ecf8427e"
    lines = [
        f"{digest}  ./usr//lib/./python3/x.py",  # dpkg skips `./`; empty and `.` parts go
        f"{digest}  /usr/bin/abs",  # a leading slash, skipped as dpkg does
        f"{digest}  usr/share/dir/",  # dpkg drops a trailing slash
        f"{digest}  ../../../etc/shadow",
        f"{digest}  usr/lib/../../../../etc/passwd",
        f"{digest}  usr/lib/..",
        f"{digest}  ./",
        f"{digest} usr/bin/one-space",
        f"{digest[:-1]}  usr/bin/short-digest",
        f"{'z' * 32}  usr/bin/not-hex",
        "just a path",
    ]
    result = catalog(
        CatalogFile(STATUS, stanza("pkg").encode()),
        CatalogFile(INFO + "pkg.md5sums", ("\n".join(lines) + "\n").encode()),
    )
    assert owners(result) == {
        "/usr/lib/python3/x.py": "pkg",
        "/usr/bin/abs": "pkg",
        "/usr/share/dir": "pkg",
    }
    where = INFO + "pkg.md5sums"
    assert result.problems == (
        f"{where}: line {lines[3]!r} has a '..' component; ignored",
        f"{where}: line {lines[4]!r} has a '..' component; ignored",
        f"{where}: line {lines[5]!r} has a '..' component; ignored",
        f"{where}: line {lines[6]!r} names no file; ignored",
        f"{where}: line {lines[7]!r} is not '<md5>  <path>'; ignored",
        f"{where}: line {lines[8]!r} is not '<md5>  <path>'; ignored",
        f"{where}: line {lines[9]!r} is not '<md5>  <path>'; ignored",
        f"{where}: line {lines[10]!r} is not '<md5>  <path>'; ignored",
    )


def test_list_lines_that_are_relative_or_climb_are_problems() -> None:
    result = catalog(
        CatalogFile(STATUS, stanza("pkg").encode()),
        CatalogFile(INFO + "pkg.list", b"/.\n/usr/bin/x\nusr/bin/relative\n/usr/../../etc/x\n"),
    )
    assert owners(result) == {"/": "pkg", "/usr/bin/x": "pkg"}
    assert result.problems == (
        f"{INFO}pkg.list: line 'usr/bin/relative' is not an absolute path; ignored",
        f"{INFO}pkg.list: line '/usr/../../etc/x' has a '..' component; ignored",
    )


def test_problems_of_a_file_list_are_capped_and_long_lines_cut() -> None:
    junk = "\n".join(f"junk line {i}" for i in range(100)) + "\n" + "x" * 10_000 + "\n"
    result = catalog(
        CatalogFile(STATUS, stanza("pkg").encode()),
        CatalogFile(STATUS_D + "pkg.md5sums", junk.encode()),
    )
    assert len(result.problems) == 21
    assert result.problems[-1] == f"{STATUS_D}pkg.md5sums: 81 more problem(s) not listed"
    assert result.owned == ()
    long_line = catalog(
        CatalogFile(STATUS, stanza("pkg").encode()),
        CatalogFile(STATUS_D + "pkg.md5sums", b"y" * 10_000),
    ).problems[0]
    assert len(long_line) < 200 and "…" in long_line


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02" * 1000, bytes(range(256)) * 64, b"\n\n\n \n", b"\xff\xfe" * 500],
    ids=["nul", "all-bytes", "blank", "not-utf8"],
)
def test_garbage_file_lists_and_diversions_never_raise(content: bytes) -> None:
    result = catalog(
        CatalogFile(STATUS, stanza("pkg").encode()),
        CatalogFile(INFO + "pkg.list", content),
        CatalogFile(STATUS_D + "pkg.md5sums", content),
        CatalogFile(DIVERSIONS, content),
    )
    assert [p.name for p in result.packages] == ["pkg"]
    assert all(path.startswith("/") and "/../" not in path + "/" for path, _ in result.owned)
    assert all(problem.startswith("/var/lib/dpkg/") for problem in result.problems)


def test_file_lists_past_the_budget_own_nothing_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dpkg_module, "MAX_LISTED_FILES", 3)
    result = catalog(
        CatalogFile(STATUS, (stanza("a") + "\n" + stanza("b")).encode()),
        CatalogFile(INFO + "a.list", b"/a1\n/a2\n"),
        CatalogFile(INFO + "b.list", b"/b1\n/b2\n"),
    )
    assert [path for path, _ in result.owned] == ["/a1", "/a2", "/b1"]
    assert len(result.problems) == 1
    assert result.problems[0].startswith("file lists hold more than 3 entries")
    assert f"1 file(s) past that (first {INFO}b.list)" in result.problems[0]


def test_normal_path_and_entries() -> None:
    assert normal_path("/usr/bin/x") == "/usr/bin/x"
    assert normal_path("/.") == "/"
    assert normal_path("/usr/.hidden/x") == "/usr/.hidden/x"
    assert normal_path("/usr/..x/y") == "/usr/..x/y"  # a name starting with two dots
    assert normal_path("/usr/../x") is None
    assert list(list_entries(INFO + "p.list", b"/a\n\nrel\n")) == [("/a", "/a"), ("rel", None)]


# ---- diversions ---------------------------------------------------------------------------


def test_diversions_parse_as_dpkg_reads_them() -> None:
    content = (
        b"/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npostgresql-common\n"
        b"/bin/sh\n/bin/sh.distrib\ndash\n"
        b"/etc/local.conf\n/etc/local.conf.orig\n:\n"
    )
    read = parse_diversions(content)
    assert read.problems == ()
    assert read.by_source == {
        "/usr/bin/pg_config": Diversion(
            "/usr/bin/pg_config", "/usr/bin/pg_config.libpq-dev", "postgresql-common"
        ),
        "/bin/sh": Diversion("/bin/sh", "/bin/sh.distrib", "dash"),
        "/etc/local.conf": Diversion("/etc/local.conf", "/etc/local.conf.orig", None),
    }
    sh = read.by_source["/bin/sh"]
    assert sh.path_for("dash") == "/bin/sh" and sh.path_for("bash") == "/bin/sh.distrib"
    local = read.by_source["/etc/local.conf"]
    assert local.path_for("anything") == "/etc/local.conf.orig"


def test_malformed_diversions_are_problems_and_the_rest_counts() -> None:
    content = (
        b"relative/path\n/x\npkg\n"  # not absolute
        b"/a/../../etc/passwd\n/y\npkg\n"  # climbs
        b"/b\n/b.orig\nNot A Name!\n"  # not a package name
        b"/c\n/c\npkg\n"  # diverted to itself
        b"/d\n/d.orig\npkg\n"  # good
        b"/d\n/d.other\npkg\n"  # /d again: dpkg refuses this
        b"/e\n/d.orig\npkg\n"  # /d.orig again
        b"/f\n/f.orig\n"  # cut short
    )
    read = parse_diversions(content)
    assert read.by_source == {"/d": Diversion("/d", "/d.orig", "pkg")}
    assert read.problems == (
        f"{DIVERSIONS}: entry at line 1: 'relative/path' {NOT_ABSOLUTE}",
        f"{DIVERSIONS}: entry at line 4: '/a/../../etc/passwd' {NOT_ABSOLUTE}",
        f"{DIVERSIONS}: entry at line 7: 'Not A Name!' is neither a package name nor ':'",
        f"{DIVERSIONS}: entry at line 10: '/c' is diverted to itself",
        f"{DIVERSIONS}: entry at line 16: conflicting diversions involving '/d' or '/d.other'",
        f"{DIVERSIONS}: entry at line 19: conflicting diversions involving '/e' or '/d.orig'",
        f"{DIVERSIONS}: ends inside an entry: the last 2 line(s) are ignored",
    )


def test_diversions_are_bounded_and_their_problems_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    many = "".join(f"/p{i}\n/p{i}.orig\n:\n" for i in range(MAX_DIVERSIONS + 5)).encode()
    read = parse_diversions(many)
    assert len(read.by_source) == MAX_DIVERSIONS
    assert read.problems == (
        f"{DIVERSIONS}: more than {MAX_DIVERSIONS} diversions; the rest are ignored",
    )
    bad = "".join(f"rel{i}\n/t{i}\n:\n" for i in range(50)).encode()
    problems = parse_diversions(bad).problems
    assert len(problems) == 21 and problems[-1] == f"{DIVERSIONS}: 30 more problem(s) not listed"
    assert parse_diversions(b"") == parse_diversions(b"", DIVERSIONS)
    assert parse_diversions(b"").by_source == {}


def test_ownership_follows_diversions() -> None:
    status = "\n".join(
        [stanza("python3-foo"), stanza("foo-hotfix"), stanza("python3-bar"), stanza("other")]
    )
    foo = f"{DIST}/foo-1.0.dist-info/METADATA"
    bar = f"{DIST}/bar-3.0.dist-info/METADATA"
    diversions = (
        f"{foo}\n/usr/lib/python3/diverted/foo-1.0.dist-info/METADATA\nfoo-hotfix\n"
        f"{bar}\n/usr/lib/python3/diverted/bar-3.0.dist-info/METADATA\n:\n"
        # Diverted by a package that lists nothing here: only moves the others' files.
        "/usr/bin/tool\n/usr/bin/tool.real\nother\n"
    )
    result = catalog(
        CatalogFile(STATUS, status.encode()),
        CatalogFile(DIVERSIONS, diversions.encode()),
        CatalogFile(INFO + "python3-foo.list", f"{foo}\n/usr/bin/tool\n".encode()),
        CatalogFile(INFO + "foo-hotfix.list", f"{foo}\n".encode()),
        CatalogFile(INFO + "python3-bar.list", f"{bar}\n".encode()),
    )
    assert result.problems == ()
    assert owners(result) == {
        # python3-foo's file is where foo-hotfix's diversion sent it …
        "/usr/lib/python3/diverted/foo-1.0.dist-info/METADATA": "python3-foo",
        "/usr/bin/tool.real": "python3-foo",
        # … and the diverted path holds the diverting package's own version.
        foo: "foo-hotfix",
        # A local diversion moves every package's version: the path is nobody's.
        "/usr/lib/python3/diverted/bar-3.0.dist-info/METADATA": "python3-bar",
    }


def _owned_pairs(result: CatalogResult) -> list[tuple[str, str]]:
    name_of = {p.purl: p.name for p in result.packages}
    return [(path, name_of[purl]) for path, purl in result.owned]


# ---- this machine's real database ---------------------------------------------------------


def test_this_machines_diversions_put_each_file_where_its_md5sum_says(tmp_path: Path) -> None:
    # The evidence is on disk: a file owned at a diverted-to path must have the digest
    # its owner's md5sums give for the path as packaged (libpq-dev's /usr/bin/pg_config
    # is /usr/bin/pg_config.libpq-dev, postgresql-common diverts it).
    diversions = Path(DIVERSIONS)
    if not diversions.is_file() or not shutil.which("dpkg"):
        pytest.skip("needs a Debian-family machine with dpkg")
    read = parse_diversions(diversions.read_bytes())
    assert read.problems == ()
    status = Path(STATUS).read_bytes()
    info = Path(INFO)
    lists = [
        CatalogFile(str(path), path.read_bytes())
        for path in info.glob("*.list")
        if any(line in read.by_source for line in path.read_text("utf-8", "replace").split("\n"))
    ]
    result = catalog(
        CatalogFile(STATUS, status), CatalogFile(DIVERSIONS, diversions.read_bytes()), *lists
    )
    checked = 0
    for path, package in _owned_pairs(result):
        diversion = next((d for d in read.by_source.values() if path in (d.source, d.target)), None)
        if diversion is None or not Path(path).is_file() or Path(path).is_symlink():
            continue
        sums = info / f"{package}.md5sums"
        if not sums.is_file():
            sums = next(info.glob(f"{package}:*.md5sums"), sums)
        if not sums.is_file():
            continue
        expected = {
            line[34:]: line[:32]
            for line in sums.read_text("utf-8", "replace").splitlines()
            if len(line) > 34
        }
        packaged = diversion.source.lstrip("/")
        if packaged not in expected:
            continue
        assert md5_hex(Path(path).read_bytes()) == expected[packaged], path
        checked += 1
    if checked == 0:
        pytest.skip("no diverted file with an md5sum on this machine")
