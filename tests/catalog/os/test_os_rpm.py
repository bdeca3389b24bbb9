"""The rpm cataloger on real rpm databases in all three formats, and on hostile ones."""

import random
import shutil
import sqlite3
import struct
import time
from pathlib import Path

import pytest
from os_rpmdb_builders import ndb_bytes, rpm_query, sqlite_rows, write_bdb

from conftest import RealRpmDb
from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.os.rpm import RpmCataloger
from seawall.catalog.os.rpmheader import RpmFormatError, parse_header, split_source_rpm
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
    assert set(names) == {"hello-tool", "hellosuite", "libhello1", "hello-data"}
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
    assert len(result.packages) == 4
    assert all(
        set(p.locations) == {Location(SQLITE_PATH, 1), Location(other, 1)} for p in result.packages
    )


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
