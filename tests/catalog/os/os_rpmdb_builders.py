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
"""

import shutil
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path

QUERY_FORMAT = "%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}|%{SOURCERPM}\\n"

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
