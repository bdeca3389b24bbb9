"""The rpm cataloger on real rpm databases in all three formats, and on hostile ones."""

import random
import shutil
import sqlite3
import struct
import subprocess
import time
from pathlib import Path

import pytest
from os_rpmdb_builders import (
    NEGOTIATOR_PACKAGE_JSON,
    REQUESTS_METADATA,
    SITE_PACKAGES,
    TAG_BASENAMES,
    TAG_DIRINDEXES,
    TAG_DIRNAMES,
    TAG_OLDFILENAMES,
    TYPE_INT32,
    TYPE_STRING,
    TYPE_STRING_ARRAY,
    Tag,
    header_blob,
    ndb_bytes,
    package_header,
    package_tags,
    rpm_files,
    rpm_query,
    sqlite_bytes,
    sqlite_rows,
    write_bdb,
)

from conftest import RealRpmDb
from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.rpm import MAX_LISTED_FILES, MAX_LISTED_PATH_CHARACTERS, RpmCataloger
from seawall.catalog.os.rpmheader import (
    MAX_FILES,
    RpmFormatError,
    parse_header,
    split_source_rpm,
)
from seawall.model.package import Distro, Ecosystem, Location, Package

SQLITE_PATH = "/var/lib/rpm/rpmdb.sqlite"
BDB_PATH = "/var/lib/rpm/Packages"
NDB_PATH = "/usr/lib/sysimage/rpm/Packages.db"
RHEL = Distro(id="rhel", version_id="9.4", id_like=("fedora",))


def catalog(*files: CatalogFile, distro: Distro | None = None) -> CatalogResult:
    return RpmCataloger().catalog(files, CatalogContext(distro=distro))


def as_query_lines(packages: tuple[Package, ...]) -> list[str]:
    """The packages in `rpm -qa --qf QUERY_FORMAT` form, rebuilt from what the cataloger says."""
    lines = []
    for package in packages:
        epoch, _, version_release = package.version.rpartition(":")
        version, release = version_release.rsplit("-", 1)
        assert package.source_version is not None
        source_vr = package.source_version.rpartition(":")[2]
        lines.append(
            "|".join(
                [
                    package.name,
                    epoch or "(none)",
                    version,
                    release,
                    package.arch or "(none)",
                    " ".join(package.licenses),
                    f"{package.source_name}-{source_vr}.src.rpm",
                ]
            )
        )
    return sorted(lines)


def test_the_fixture_has_the_shapes_the_tests_rely_on(real_rpmdb: RealRpmDb) -> None:
    names = {line.split("|")[0]: line for line in real_rpmdb.expected}
    assert set(names) == {
        "hello-tool",
        "hellosuite",
        "libhello1",
        "hello-data",
        "python3-requests",
        "nodejs-negotiator",
    }
    assert names["hello-tool"].split("|")[1] == "2"  # an epoch
    assert names["libhello1"].split("|")[1] == "(none)"  # no epoch
    assert names["libhello1"].endswith("|hellosuite-1.0~rc1-7.src.rpm")  # source ≠ binary
    # hello-tool's header spans several 512-byte BDB overflow pages.
    assert max(len(blob) for _, blob in sqlite_rows(real_rpmdb.sqlite)) > 8 * 512


def test_sqlite_database_matches_rpm_query(real_rpmdb: RealRpmDb) -> None:
    result = catalog(CatalogFile(SQLITE_PATH, real_rpmdb.sqlite.read_bytes(), layer=3))
    assert result.problems == ()
    assert result.files_read == 1
    assert as_query_lines(result.packages) == real_rpmdb.expected
    assert all(p.locations == (Location(SQLITE_PATH, 3),) for p in result.packages)


def test_package_fields_purl_and_ecosystem_on_rhel(real_rpmdb: RealRpmDb) -> None:
    result = catalog(CatalogFile(SQLITE_PATH, real_rpmdb.sqlite.read_bytes()), distro=RHEL)
    by_name = {p.name: p for p in result.packages}
    tool = by_name["hello-tool"]
    assert tool.version == "2:2.1.0-3.el9"
    assert tool.purl == "pkg:rpm/redhat/hello-tool@2.1.0-3.el9?arch=x86_64&distro=rhel-9.4&epoch=2"
    assert tool.ecosystem is Ecosystem.RED_HAT
    assert tool.osv_ecosystem == "Red Hat:enterprise_linux:9"
    assert (tool.source_name, tool.source_version) == ("hello-tool", "2:2.1.0-3.el9")
    assert tool.licenses == ("MIT AND (Apache-2.0 OR BSD-3-Clause)",)
    lib = by_name["libhello1"]
    assert lib.purl == "pkg:rpm/redhat/libhello1@1.0~rc1-7?arch=noarch&distro=rhel-9.4"
    assert (lib.source_name, lib.source_version) == ("hellosuite", "1.0~rc1-7")
    assert lib.cataloger == "os/rpm"


def test_rocky_packages_are_in_the_rocky_ecosystem(real_rpmdb: RealRpmDb) -> None:
    rocky = Distro(id="rocky", version_id="9.4", id_like=("rhel", "centos", "fedora"))
    result = catalog(CatalogFile(SQLITE_PATH, real_rpmdb.sqlite.read_bytes()), distro=rocky)
    tool = next(p for p in result.packages if p.name == "hello-tool")
    assert tool.osv_ecosystem == "Rocky Linux:9"
    assert tool.purl.startswith("pkg:rpm/rocky/hello-tool@2.1.0-3.el9?")


@pytest.mark.parametrize(
    ("big_endian", "page_size"), [(False, 4096), (True, 512), (False, 512), (True, 8192)]
)
def test_berkeley_db_written_by_libdb_matches_rpm_query(
    real_rpmdb: RealRpmDb, tmp_path: Path, big_endian: bool, page_size: int
) -> None:
    if not shutil.which("db5.3_load"):
        pytest.skip("db5.3_load is needed (Debian package db5.3-util)")
    database = tmp_path / "Packages"
    write_bdb(database, sqlite_rows(real_rpmdb.sqlite), big_endian=big_endian, page_size=page_size)
    # rpm's own read-only Berkeley DB backend reads the file: it is a real one.
    assert rpm_query(tmp_path, backend="bdb_ro") == real_rpmdb.expected
    result = catalog(CatalogFile(BDB_PATH, database.read_bytes()))
    assert result.problems == ()
    assert as_query_lines(result.packages) == real_rpmdb.expected


@pytest.mark.parametrize("slot_pages", [1, 3])
def test_ndb_database_matches_rpm_query(real_rpmdb: RealRpmDb, slot_pages: int) -> None:
    data = ndb_bytes(sqlite_rows(real_rpmdb.sqlite), slot_pages=slot_pages)
    result = catalog(CatalogFile(NDB_PATH, data))
    assert result.problems == ()
    assert as_query_lines(result.packages) == real_rpmdb.expected


def test_uncheckpointed_wal_is_applied(real_rpmdb: RealRpmDb, tmp_path: Path) -> None:
    database = tmp_path / "rpmdb.sqlite"
    shutil.copy(real_rpmdb.sqlite, database)
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        hnum = connection.execute(
            "SELECT hnum FROM Packages ORDER BY length(blob) DESC LIMIT 1"
        ).fetchone()[0]
        connection.execute("DELETE FROM Packages WHERE hnum = ?", (hnum,))
        connection.commit()
        # Snapshot both files while the deletion lives only in the WAL.
        main, wal = database.read_bytes(), (tmp_path / "rpmdb.sqlite-wal").read_bytes()
    finally:
        connection.close()
    assert wal
    without_wal = catalog(CatalogFile(SQLITE_PATH, main))
    with_wal = catalog(CatalogFile(SQLITE_PATH, main), CatalogFile(SQLITE_PATH + "-wal", wal))
    assert with_wal.problems == without_wal.problems == ()
    assert {p.name for p in without_wal.packages} - {p.name for p in with_wal.packages} == {
        "hello-tool"
    }
    assert with_wal.files_read == 1


def test_same_database_through_two_paths_is_one_set_of_packages(real_rpmdb: RealRpmDb) -> None:
    data = real_rpmdb.sqlite.read_bytes()
    other = "/usr/lib/sysimage/rpm/rpmdb.sqlite"
    result = catalog(CatalogFile(SQLITE_PATH, data, 1), CatalogFile(other, data, 1))
    assert len(result.packages) == 6
    assert all(
        set(p.locations) == {Location(SQLITE_PATH, 1), Location(other, 1)} for p in result.packages
    )
    # The files are owned once, not once a path.
    assert len(result.owned) == len(set(result.owned)) == len(rpm_files(real_rpmdb.dbpath))


def test_wants_only_rpm_databases() -> None:
    cataloger = RpmCataloger()
    for path in (
        "/var/lib/rpm/rpmdb.sqlite",
        "/var/lib/rpm/Packages",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite-wal",
    ):
        assert cataloger.wants(path), path
    for path in ("/var/lib/rpm/Name", "/var/lib/rpm/Index.db", "/tmp/var/lib/rpm/Packages"):
        assert not cataloger.wants(path), path


def test_split_source_rpm() -> None:
    assert split_source_rpm("openssl-3.0.7-27.el9.src.rpm") == ("openssl", "3.0.7", "27.el9")
    assert split_source_rpm("kernel-5.14.0-1.nosrc.rpm") == ("kernel", "5.14.0", "1")
    assert split_source_rpm("weird.src.rpm") is None
    assert split_source_rpm("(none)") is None


# ---- hostile input -----------------------------------------------------------------


def first_blob(real_rpmdb: RealRpmDb, name: str = "libhello1") -> bytes:
    for _, blob in sqlite_rows(real_rpmdb.sqlite):
        if parse_header(blob).name == name:
            return blob
    raise AssertionError(name)


def test_every_truncation_of_a_header_is_a_format_error(real_rpmdb: RealRpmDb) -> None:
    blob = first_blob(real_rpmdb)
    assert parse_header(blob).name == "libhello1"
    for length in range(len(blob)):
        with pytest.raises(RpmFormatError):
            parse_header(blob[:length])


def _entries(blob: bytes) -> tuple[int, int]:
    return struct.unpack_from(">II", blob)


def _patch_entry(
    blob: bytes,
    tag: int,
    *,
    kind: int | None = None,
    offset: int | None = None,
    count: int | None = None,
) -> bytes:
    index_count, _ = _entries(blob)
    patched = bytearray(blob)
    for position in range(8, 8 + 16 * index_count, 16):
        entry_tag, entry_kind, entry_offset, entry_count = struct.unpack_from(
            ">iIiI", blob, position
        )
        if entry_tag == tag:
            struct.pack_into(
                ">iIiI",
                patched,
                position,
                entry_tag,
                entry_kind if kind is None else kind,
                entry_offset if offset is None else offset,
                entry_count if count is None else count,
            )
    return bytes(patched)


@pytest.mark.parametrize(
    "change",
    [
        {"offset": 0x7FFFFFFF},
        {"offset": -4},
        {"kind": 4},  # NAME as an int32
        {"count": 0},
    ],
)
def test_corrupt_index_entries_are_format_errors(
    real_rpmdb: RealRpmDb, change: dict[str, int]
) -> None:
    blob = _patch_entry(first_blob(real_rpmdb), 1000, **change)
    with pytest.raises(RpmFormatError):
        parse_header(blob)


def test_huge_counts_and_unterminated_strings(real_rpmdb: RealRpmDb) -> None:
    blob = first_blob(real_rpmdb)
    _, store_length = _entries(blob)
    for forged in (struct.pack(">II", 0xFFFFFFFF, store_length), struct.pack(">II", 1, 0xFFFFFFFF)):
        with pytest.raises(RpmFormatError):
            parse_header(forged + blob[8:])
    # A store whose last string has no terminator: cut the store short and say so.
    index_count, _ = _entries(blob)
    store = blob[8 + 16 * index_count :]
    name_offset = store.find(b"libhello1\0")
    truncated = struct.pack(">II", index_count, name_offset + 3) + blob[8 : 8 + 16 * index_count]
    with pytest.raises(RpmFormatError):
        parse_header(truncated + store[: name_offset + 3])


@pytest.mark.parametrize("path", [SQLITE_PATH, BDB_PATH, NDB_PATH])
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 4096,
        b"SQLite format 3\x00" + b"\xff" * 200,
        b"RpmP" + b"\xff" * 60,
        struct.pack("<3I", 0, 0, 0x061561) + b"\xff" * 500,
        random.Random(7).randbytes(64 * 1024),
    ],
    ids=["empty", "zeros", "sqlite-garbage", "ndb-garbage", "bdb-garbage", "random"],
)
def test_garbage_databases_are_problems(path: str, content: bytes) -> None:
    result = catalog(CatalogFile(path, content))
    assert result.packages == ()
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{path}: ")


def test_sqlite_packages_view_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "rpmdb.sqlite"
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE VIEW Packages AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
        " SELECT x AS hnum, x'00' AS blob FROM n"
    )
    connection.commit()
    connection.close()
    result = catalog(CatalogFile(SQLITE_PATH, database.read_bytes()))
    assert result.problems == (f"{SQLITE_PATH}: database has no Packages table",)


def test_damaged_ndb_blob_is_a_problem_and_the_rest_survive(real_rpmdb: RealRpmDb) -> None:
    rows = sqlite_rows(real_rpmdb.sqlite)
    data = bytearray(ndb_bytes(rows))
    # Flip one byte inside the first blob: its Adler-32 no longer matches.
    first_block = struct.unpack_from("<I", data, 32 + 8)[0]
    data[first_block * 16 + 40] ^= 0xFF
    result = catalog(CatalogFile(NDB_PATH, bytes(data)))
    assert len(result.packages) == len(rows) - 1
    assert result.problems == (
        f"{NDB_PATH}: package {rows[0][0]}: blob checksum (Adler-32) does not match",
    )


def test_truncated_and_looping_berkeley_db(real_rpmdb: RealRpmDb, tmp_path: Path) -> None:
    if not shutil.which("db5.3_load"):
        pytest.skip("db5.3_load is needed (Debian package db5.3-util)")
    database = tmp_path / "Packages"
    write_bdb(database, sqlite_rows(real_rpmdb.sqlite), big_endian=False, page_size=512)
    data = database.read_bytes()
    truncated = catalog(CatalogFile(BDB_PATH, data[: len(data) // 2]))
    assert any("truncated" in problem for problem in truncated.problems)
    # Point every overflow page back at page 1: chains loop or break, never hang.
    looping = bytearray(data)
    for start in range(512, len(data), 512):
        if looping[start + 25] == 7:
            struct.pack_into("<I", looping, start + 16, 1)
            struct.pack_into("<H", looping, start + 22, 400)
    started = time.perf_counter()
    result = catalog(CatalogFile(BDB_PATH, bytes(looping)))
    assert time.perf_counter() - started < 2
    assert result.problems
    assert all(problem.startswith(f"{BDB_PATH}: ") for problem in result.problems)


@pytest.mark.parametrize("kind", ["sqlite", "bdb", "ndb"])
def test_random_corruption_never_raises_and_stays_bounded(
    real_rpmdb: RealRpmDb, tmp_path: Path, kind: str
) -> None:
    rows = sqlite_rows(real_rpmdb.sqlite)
    if kind == "sqlite":
        data, path = real_rpmdb.sqlite.read_bytes(), SQLITE_PATH
    elif kind == "ndb":
        data, path = ndb_bytes(rows), NDB_PATH
    else:
        if not shutil.which("db5.3_load"):
            pytest.skip("db5.3_load is needed (Debian package db5.3-util)")
        write_bdb(tmp_path / "Packages", rows, big_endian=False, page_size=512)
        data, path = (tmp_path / "Packages").read_bytes(), BDB_PATH
    rng = random.Random(f"seawall-{kind}")
    started = time.perf_counter()
    for _ in range(200):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        result = catalog(CatalogFile(path, bytes(mutated)))
        assert all(problem.startswith(f"{path}: ") for problem in result.problems)
    assert time.perf_counter() - started < 20


# ---- file lists: which package owns which path ----------------------------------------

FEDORA = Distro(id="fedora", version_id="40")


def owned_by_name(result: CatalogResult) -> list[tuple[str, str]]:
    """`result.owned` with each owner's purl replaced by its package name, sorted."""
    names = {package.purl: package.name for package in result.packages}
    return sorted((path, names[owner]) for path, owner in result.owned)


def database_bytes(real_rpmdb: RealRpmDb, kind: str, tmp_path: Path) -> tuple[str, bytes]:
    if kind == "sqlite":
        return SQLITE_PATH, real_rpmdb.sqlite.read_bytes()
    rows = sqlite_rows(real_rpmdb.sqlite)
    if kind == "ndb":
        return NDB_PATH, ndb_bytes(rows)
    if not shutil.which("db5.3_load"):
        pytest.skip("db5.3_load is needed (Debian package db5.3-util)")
    write_bdb(tmp_path / "Packages", rows, big_endian=True, page_size=1024)
    return BDB_PATH, (tmp_path / "Packages").read_bytes()


@pytest.mark.parametrize("kind", ["sqlite", "bdb", "ndb"])
def test_file_lists_match_rpm_query(real_rpmdb: RealRpmDb, tmp_path: Path, kind: str) -> None:
    path, data = database_bytes(real_rpmdb, kind, tmp_path)
    result = catalog(CatalogFile(path, data))
    assert result.problems == ()
    expected = rpm_files(real_rpmdb.dbpath)
    assert len(expected) > 300  # hello-tool's files, a directory, the language packages
    assert owned_by_name(result) == expected


def test_rpm_installed_language_metadata_names_its_package(real_rpmdb: RealRpmDb) -> None:
    result = catalog(CatalogFile(SQLITE_PATH, real_rpmdb.sqlite.read_bytes()), distro=FEDORA)
    owned = dict(result.owned)
    requests = "pkg:rpm/fedora/python3-requests@2.31.0-3.fc40?arch=noarch&distro=fedora-40"
    assert owned[REQUESTS_METADATA] == requests
    assert owned[NEGOTIATOR_PACKAGE_JSON].startswith(
        "pkg:rpm/fedora/nodejs-negotiator@0.6.3-1.fc40"
    )
    package = next(p for p in result.packages if p.purl == requests)
    assert (package.source_name, package.source_version) == ("python-requests", "2.31.0-3.fc40")
    # Packages without files (hellosuite's meta packages) own nothing.
    assert not set(owned.values()) & {
        p.purl for p in result.packages if p.name in ("hellosuite", "libhello1", "hello-data")
    }


def test_written_headers_are_what_rpm_reads(tmp_path: Path) -> None:
    """The builder's headers, compressed and rpm 3 file lists alike, are real: rpm lists them."""
    if not shutil.which("rpm"):
        pytest.skip("rpm is needed (Debian package `rpm`)")
    paths = [f"{SITE_PACKAGES}/six.py", f"{SITE_PACKAGES}/six-1.16.0.dist-info/METADATA"]
    old_paths = ["/usr/bin/oldtool", "/usr/share/doc/oldtool/README"]
    blobs = [
        package_header("python3-six", "1.16.0", "1.fc40", paths=paths),
        header_blob(
            [
                *package_tags("oldtool", "1.0", "1"),
                Tag(TAG_OLDFILENAMES, TYPE_STRING_ARRAY, old_paths),
            ]
        ),
    ]
    dbpath = tmp_path / "db"
    subprocess.run(["rpm", "--initdb", "--dbpath", str(dbpath)], check=True, capture_output=True)
    with sqlite3.connect(dbpath / "rpmdb.sqlite") as connection:
        connection.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    connection.close()
    assert rpm_files(dbpath) == sorted((p, "python3-six") for p in paths)
    # rpm converts an rpm 3 list when it installs the package, never in its database:
    # its FILENAMES are empty for such a header, which still holds the paths.
    assert rpm_files(dbpath, tag="OLDFILENAMES") == [(p, "oldtool") for p in old_paths]
    expected = sorted([*((p, "python3-six") for p in paths), *((p, "oldtool") for p in old_paths)])
    result = catalog(CatalogFile(SQLITE_PATH, (dbpath / "rpmdb.sqlite").read_bytes()))
    assert result.problems == ()
    assert owned_by_name(result) == expected
    # The same headers in the builder's own database.
    rows = list(enumerate(blobs, start=1))
    assert owned_by_name(catalog(CatalogFile(SQLITE_PATH, sqlite_bytes(rows)))) == expected


def test_paths_that_are_not_utf8_compare_as_tar_names_do() -> None:
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    blob = package_header("python3-odd", "1", "1", paths=[f"{SITE_PACKAGES}/{name}"])
    result = catalog(CatalogFile(SQLITE_PATH, sqlite_bytes([(1, blob)])))
    assert [path for path, _ in result.owned] == [f"{SITE_PACKAGES}/{name}"]


GOOD_PATHS = (REQUESTS_METADATA, f"{SITE_PACKAGES}/requests/__init__.py")


def forged(*file_tags: Tag) -> bytes:
    """python3-requests with the file-list entries given instead of its own."""
    return header_blob([*package_tags("python3-requests", "2.31.0", "3.fc40"), *file_tags])


DIRS = ["/usr/lib/", f"{SITE_PACKAGES}/"]


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 2]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "file list names directory index 2, but has 2 directories",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 0xFFFFFFFF]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "directory index 4294967295",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b", "c"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "file list has 3 base names but 2 directory indexes",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"], count=0xFFFFFFFF),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            f"tag 1117 claims 4294967295 entries, over the limit of {MAX_FILES}",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1], count=900_000),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "tag 1116 points outside the data store",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS, count=500_000),
            ),
            "tag 1118 claims 500000 strings in",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
                # The store ends after the second name: a third is not there.
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["long-a", "long-b"], count=3),
            ),
            "tag 1117 string array is not terminated",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
            ),
            "file list lacks tag(s) 1118",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_STRING_ARRAY, ["0", "1"]),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["a", "b"]),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "tag 1116 has type 8, expected int32",
        ),
        (
            forged(
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0, 1]),
                Tag(TAG_BASENAMES, TYPE_STRING, "a"),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, DIRS),
            ),
            "tag 1117 has type 6, expected a string array",
        ),
        (
            forged(Tag(TAG_OLDFILENAMES, TYPE_STRING_ARRAY, ["/a"], count=0)),
            "tag 1027 has no entries",
        ),
    ],
    ids=[
        "dir-index-out-of-range",
        "dir-index-negative",
        "count-mismatch",
        "absurd-count",
        "int32-count-past-the-store",
        "string-count-past-the-store",
        "unterminated",
        "missing-dirnames",
        "dirindexes-not-int32",
        "basenames-not-an-array",
        "zero-count",
    ],
)
def test_malformed_file_lists_are_problems_and_keep_the_package(blob: bytes, message: str) -> None:
    other = package_header("nodejs-negotiator", "0.6.3", "1.fc40", paths=[NEGOTIATOR_PACKAGE_JSON])
    started = time.perf_counter()
    result = catalog(CatalogFile(SQLITE_PATH, sqlite_bytes([(1, blob), (2, other)])))
    assert time.perf_counter() - started < 1
    assert {p.name for p in result.packages} == {"python3-requests", "nodejs-negotiator"}
    assert owned_by_name(result) == [(NEGOTIATOR_PACKAGE_JSON, "nodejs-negotiator")]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.startswith(
        f"{SQLITE_PATH}: record 1 (python3-requests): file list not read, its files are not "
        "marked as owned: "
    )
    assert message in problem


def test_a_long_directory_repeated_for_every_file_is_not_expanded() -> None:
    # 3,000 files in one 64 KiB directory would expand to ~197 million characters
    # from a 100 KB header: the bound stops it before a single path is built.
    directory = "/" + "d" * 65535 + "/"
    bomb = forged(
        Tag(TAG_DIRINDEXES, TYPE_INT32, [0] * 3000),
        Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, [str(i) for i in range(3000)]),
        Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, [directory]),
    )
    assert len(bomb) < 100_000
    other = package_header("nodejs-negotiator", "0.6.3", "1.fc40", paths=[NEGOTIATOR_PACKAGE_JSON])
    started = time.perf_counter()
    result = catalog(CatalogFile(SQLITE_PATH, sqlite_bytes([(1, bomb), (2, other)])))
    assert time.perf_counter() - started < 1
    assert len(result.packages) == 2
    assert owned_by_name(result) == [(NEGOTIATOR_PACKAGE_JSON, "nodejs-negotiator")]
    assert result.problems == (
        f"file lists expand to more than {MAX_LISTED_PATH_CHARACTERS} characters in all: the "
        f"files of 1 package(s) (first {SQLITE_PATH}: python3-requests) are not marked as owned",
    )


def test_file_lists_are_bounded_in_all() -> None:
    # Each list is allowed alone; together they exceed what one call reads.
    size = MAX_LISTED_FILES * 6 // 10
    big = [
        header_blob(
            [
                *package_tags(f"big{n}", "1", "1"),
                Tag(TAG_DIRINDEXES, TYPE_INT32, [0] * size),
                Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, ["f"] * size),
                Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, ["/big/"]),
            ]
        )
        for n in (1, 2)
    ]
    small = package_header("nodejs-negotiator", "0.6.3", "1.fc40", paths=[NEGOTIATOR_PACKAGE_JSON])
    data = sqlite_bytes([(1, big[0]), (2, big[1]), (3, small)])
    result = catalog(CatalogFile(SQLITE_PATH, data))
    assert {p.name for p in result.packages} == {"big1", "big2", "nodejs-negotiator"}
    owners = {name for _, name in owned_by_name(result)}
    assert owners == {"big1", "nodejs-negotiator"}
    left = MAX_LISTED_FILES - size - 1
    assert result.problems == (
        f"{SQLITE_PATH}: record 2 (big2): file list not read, its files are not marked as "
        f"owned: tag 1117 claims {size} entries, over the limit of {left} "
        f"(all file lists may hold {MAX_LISTED_FILES})",
    )


def test_a_header_without_files_owns_nothing_and_is_no_problem() -> None:
    blob = package_header("basesystem", "11", "13.fc40")
    result = catalog(CatalogFile(SQLITE_PATH, sqlite_bytes([(1, blob)])))
    assert [p.name for p in result.packages] == ["basesystem"]
    assert result.owned == ()
    assert result.problems == ()


def test_rpm3_file_lists_are_read() -> None:
    blob = header_blob(
        [
            *package_tags("oldtool", "1.0", "1"),
            Tag(TAG_OLDFILENAMES, TYPE_STRING_ARRAY, ["/usr/bin/oldtool", "/usr/lib/x/METADATA"]),
        ]
    )
    header = parse_header(blob)
    assert header.files_problem is None
    assert header.files.paths() == ["/usr/bin/oldtool", "/usr/lib/x/METADATA"]
