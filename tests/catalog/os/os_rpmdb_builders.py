"""Real rpm databases for the rpm cataloger's tests.

- rpm packages are built with Debian's `rpmbuild` and installed with
  `rpm -i --justdb` into a fresh sqlite database (Debian's rpm 4.18 writes
  only sqlite: `rpm --showrc` lists the backends `sqlite bdb_ro dummy`).
- Berkeley DB `Packages` files are written by libdb itself (`db5.3_load`
  from Debian's db5.3-util) from the sqlite database's header blobs, in
  either byte order and any page size; rpm's own `bdb_ro` backend reads them
  back, which is what proves them real.
- ndb `Packages.db` cannot be written by Debian's rpm (no ndb backend), so
  `ndb_bytes` builds one from rpm's lib/backend/ndb/rpmpkg.c layout.
- `header_blob` and `package_header` write header blobs tag by tag (rpm's
  lib/header.c layout), file lists included (BASENAMES, DIRNAMES,
  DIRINDEXES, or rpm 3's OLDFILENAMES), for inputs rpmbuild cannot make:
  hostile ones, and images built without the rpm tools. `sqlite_bytes` puts
  blobs into a database with rpm's `Packages` table. rpm itself reads them
  back (test_os_rpm.py), which is what proves them real.
"""

import posixpath
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUERY_FORMAT = "%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}|%{SOURCERPM}\\n"
SITE_PACKAGES = "/usr/lib/python3.12/site-packages"
REQUESTS_METADATA = f"{SITE_PACKAGES}/requests-2.31.0.dist-info/METADATA"
NEGOTIATOR_PACKAGE_JSON = "/usr/lib/node_modules/negotiator/package.json"

_SPECS = {
    "hello-tool.spec": """\
Name: hello-tool
Version: 2.1.0
Release: 3.el9
Epoch: 2
Summary: A package with an epoch and a header larger than several BDB pages
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
BuildArch: x86_64
%description
Test package.
%install
mkdir -p %{buildroot}/usr/share/hello-tool
for i in $(seq 1 300); do
  echo "$i" > %{buildroot}/usr/share/hello-tool/a-file-with-a-rather-long-name-number-$i.txt
done
%files
/usr/share/hello-tool
""",
    "hellosuite.spec": """\
Name: hellosuite
Version: 1.0~rc1
Release: 7
Summary: A source package whose binaries have other names
License: GPL-2.0-or-later
BuildArch: noarch
%description
Test package.
%package -n libhello1
Summary: A library subpackage
License: LGPL-2.1-only
%description -n libhello1
Library.
%package -n hello-data
Summary: A subpackage
License: BSD-2-Clause
%description -n hello-data
Subpackage.
%files
%files -n libhello1
%files -n hello-data
""",
    # Fedora's layout: the source package python-requests builds python3-requests,
    # which installs the dist-info the python cataloger reads.
    "python-requests.spec": """\
Name: python-requests
Version: 2.31.0
Release: 3.fc40
Summary: A Python library packaged the way Fedora packages it
License: Apache-2.0
BuildArch: noarch
%description
Test package.
%package -n python3-requests
Summary: The Python 3 module
%description -n python3-requests
Module.
%install
d=%{buildroot}/usr/lib/python3.12/site-packages
mkdir -p $d/requests $d/requests-2.31.0.dist-info
printf 'Metadata-Version: 2.1\\nName: requests\\nVersion: 2.31.0\\n' \\
  > $d/requests-2.31.0.dist-info/METADATA
echo requests > $d/requests-2.31.0.dist-info/top_level.txt
echo '# requests' > $d/requests/api.txt
%files -n python3-requests
/usr/lib/python3.12/site-packages/requests
/usr/lib/python3.12/site-packages/requests-2.31.0.dist-info
""",
    "nodejs-negotiator.spec": """\
Name: nodejs-negotiator
Version: 0.6.3
Release: 1.fc40
Summary: An npm package packaged the way Fedora packages it
License: MIT
BuildArch: noarch
%description
Test package.
%install
d=%{buildroot}/usr/lib/node_modules/negotiator
mkdir -p $d
echo '{"name": "negotiator", "version": "0.6.3"}' > $d/package.json
echo '// negotiator' > $d/index.txt
%files
/usr/lib/node_modules/negotiator
""",
}


def rpm_tools_available() -> bool:
    return all(shutil.which(tool) for tool in ("rpm", "rpmbuild"))


def build_rpms(workdir: Path) -> list[Path]:
    """Build the test packages; returns the .rpm files."""
    top = workdir / "rpmbuild"
    specs = []
    for name, text in _SPECS.items():
        spec = workdir / name
        spec.write_text(text)
        specs.append(str(spec))
    subprocess.run(
        [
            "rpmbuild",
            "-bb",
            "--nodeps",
            "--define",
            f"_topdir {top}",
            "--define",
            "_build_id_links none",
            *specs,
        ],
        check=True,
        capture_output=True,
    )
    return sorted(top.glob("RPMS/*/*.rpm"))


def install_sqlite_db(dbpath: Path, rpms: list[Path]) -> Path:
    """A real sqlite rpmdb with `rpms` installed (database only); returns rpmdb.sqlite."""
    dbpath.mkdir(parents=True)
    subprocess.run(["rpm", "--initdb", "--dbpath", str(dbpath)], check=True, capture_output=True)
    subprocess.run(
        [
            "rpm",
            "-i",
            "--justdb",
            "--nodeps",
            "--noscripts",
            "--ignorearch",
            "--dbpath",
            str(dbpath),
            *map(str, rpms),
        ],
        check=True,
        capture_output=True,
    )
    return dbpath / "rpmdb.sqlite"


def rpm_query(dbpath: Path, backend: str | None = None) -> list[str]:
    """`rpm -qa` over a database directory, one line per package (QUERY_FORMAT)."""
    command = ["rpm", "-qa", "--dbpath", str(dbpath), "--qf", QUERY_FORMAT]
    if backend:
        command[1:1] = ["--define", f"_db_backend {backend}"]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return sorted(result.stdout.splitlines())


def sqlite_rows(database: Path) -> list[tuple[int, bytes]]:
    """(hnum, header blob) rows of a real rpmdb.sqlite."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    connection.close()
    return [(int(hnum), bytes(blob)) for hnum, blob in rows]


def write_bdb(
    path: Path, rows: list[tuple[int, bytes]], *, big_endian: bool, page_size: int
) -> None:
    """A Berkeley DB hash `Packages` written by libdb (db5.3_load), keyed as rpm keys it.

    rpm keys records by header number in the database's byte order, and keeps
    a bookkeeping record under key 0.
    """
    order = ">" if big_endian else "<"
    lines = [
        "VERSION=3",
        "format=bytevalue",
        "type=hash",
        f"db_lorder={4321 if big_endian else 1234}",
        f"db_pagesize={page_size}",
        "HEADER=END",
        " " + struct.pack(order + "I", 0).hex(),
        " " + struct.pack(order + "I", len(rows) + 1).hex(),
    ]
    for hnum, blob in rows:
        lines += [" " + struct.pack(order + "I", hnum).hex(), " " + blob.hex()]
    lines.append("DATA=END")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["db5.3_load", str(path)], input="\n".join(lines) + "\n", text=True, check=True)


def ndb_bytes(rows: list[tuple[int, bytes]], slot_pages: int = 1) -> bytes:
    """An ndb `Packages.db` holding `rows` (package index, header blob), per rpmpkg.c."""
    page, block = 4096, 16
    image = bytearray(slot_pages * page)
    struct.pack_into("<4sIIII", image, 0, b"RpmP", 0, 1, slot_pages, len(rows) + 1)
    for offset in range(32, slot_pages * page, 16):
        struct.pack_into("<4sIII", image, offset, b"Slot", 0, 0, 0)
    blobs = bytearray()
    first_block = len(image) // block
    for slot, (index, blob) in enumerate(rows):
        blocks = (16 + len(blob) + 12 + block - 1) // block
        offset = first_block + len(blobs) // block
        struct.pack_into("<4sIII", image, 32 + 16 * slot, b"Slot", index, offset, blocks)
        body = struct.pack("<4sIII", b"BlbS", index, 1, len(blob)) + blob
        body += bytes(blocks * block - 12 - len(body))
        blobs += body + struct.pack("<II4s", zlib.adler32(body), len(blob), b"BlbE")
    return bytes(image + blobs)


def rpm_files(
    dbpath: Path, backend: str | None = None, tag: str = "FILENAMES"
) -> list[tuple[str, str]]:
    """(path, package name) of every file `rpm -qa` lists over a database directory."""
    # `=NAME`: the scalar repeated for each entry of the array.
    query = f"[%{{{tag}}}\\t%{{=NAME}}\\n]"
    command = ["rpm", "-qa", "--dbpath", str(dbpath), "--qf", query]
    if backend:
        command[1:1] = ["--define", f"_db_backend {backend}"]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    pairs = (line.split("\t", 1) for line in result.stdout.splitlines())
    return sorted((path, name) for path, name in pairs)


# ---- header blobs written tag by tag -------------------------------------------------

TYPE_INT32 = 4
TYPE_STRING = 6
TYPE_STRING_ARRAY = 8
TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH = 1000, 1001, 1002, 1003
TAG_LICENSE, TAG_ARCH, TAG_SOURCERPM = 1014, 1022, 1044
TAG_OLDFILENAMES, TAG_DIRINDEXES, TAG_BASENAMES, TAG_DIRNAMES = 1027, 1116, 1117, 1118


@dataclass(frozen=True)
class Tag:
    """One header entry; `count` overrides the entry's count (to forge a hostile one)."""

    tag: int
    kind: int
    value: str | Sequence[str] | Sequence[int]
    count: int | None = None


def _data(entry: Tag) -> tuple[bytes, int]:
    """An entry's bytes in the data store, and how many values they hold."""
    if isinstance(entry.value, str):
        return entry.value.encode("utf-8", "surrogateescape") + b"\0", 1
    values = list(entry.value)
    if entry.kind == TYPE_INT32:
        return struct.pack(f">{len(values)}I", *values), len(values)
    encoded = (str(value).encode("utf-8", "surrogateescape") + b"\0" for value in values)
    return b"".join(encoded), len(values)


def header_blob(tags: Sequence[Tag]) -> bytes:
    """A header blob as rpm stores it in its databases: il, dl, the index, the data store."""
    index = bytearray()
    store = bytearray()
    for entry in tags:
        data, values = _data(entry)
        if entry.kind == TYPE_INT32:
            store += bytes(-len(store) % 4)  # int32 data is 4-byte aligned
        count = values if entry.count is None else entry.count
        index += struct.pack(">iIiI", entry.tag, entry.kind, len(store), count)
        store += data
    return struct.pack(">II", len(tags), len(store)) + bytes(index) + bytes(store)


def compressed_file_list(paths: Sequence[str]) -> tuple[list[str], list[str], list[int]]:
    """(DIRNAMES, BASENAMES, DIRINDEXES) for `paths`, split as rpm splits them."""
    dirnames: dict[str, int] = {}
    basenames: list[str] = []
    dirindexes: list[int] = []
    for path in paths:
        directory, base = posixpath.split(path)
        directory = directory.rstrip("/") + "/"
        dirindexes.append(dirnames.setdefault(directory, len(dirnames)))
        basenames.append(base)
    return list(dirnames), basenames, dirindexes


def package_tags(
    name: str,
    version: str,
    release: str,
    *,
    arch: str = "noarch",
    source_rpm: str | None = None,
    license: str = "MIT",
    paths: Sequence[str] = (),
) -> list[Tag]:
    """The entries of an installed package's header, its file list in rpm 4's form."""
    tags = [
        Tag(TAG_NAME, TYPE_STRING, name),
        Tag(TAG_VERSION, TYPE_STRING, version),
        Tag(TAG_RELEASE, TYPE_STRING, release),
        Tag(TAG_LICENSE, TYPE_STRING, license),
        Tag(TAG_ARCH, TYPE_STRING, arch),
        Tag(TAG_SOURCERPM, TYPE_STRING, source_rpm or f"{name}-{version}-{release}.src.rpm"),
    ]
    if paths:
        dirnames, basenames, dirindexes = compressed_file_list(paths)
        tags += [
            Tag(TAG_DIRINDEXES, TYPE_INT32, dirindexes),
            Tag(TAG_BASENAMES, TYPE_STRING_ARRAY, basenames),
            Tag(TAG_DIRNAMES, TYPE_STRING_ARRAY, dirnames),
        ]
    return tags


def package_header(
    name: str,
    version: str,
    release: str,
    *,
    source_rpm: str | None = None,
    paths: Sequence[str] = (),
) -> bytes:
    """A noarch package's header blob, its file list in rpm 4's form."""
    return header_blob(package_tags(name, version, release, source_rpm=source_rpm, paths=paths))


def sqlite_bytes(rows: Sequence[tuple[int, bytes]]) -> bytes:
    """An `rpmdb.sqlite` holding `rows` (hnum, header blob) in rpm's `Packages` table, in WAL
    mode as rpm leaves it (lib/backend/sqlite.cc); only the table the catalogers read."""
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "rpmdb.sqlite"
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS 'Packages' "
                "(hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)"
            )
            connection.executemany("INSERT INTO Packages VALUES (?, ?)", rows)
            connection.commit()
        finally:
            connection.close()
        return database.read_bytes()
