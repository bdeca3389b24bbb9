"""`seawall scan` end to end: a built image, real Debian and PyPI advisories, KEV, exit codes."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from seawall.vulndb.importer import import_paths
from tests.support.cli import run_cli
from tests.support.imagebuild import Dir, File, ImageSpec, LayerSpec, build_image, write_oci_layout

VULNDATA = Path(
    os.environ.get("SEAWALL_VULNDATA", Path(__file__).resolve().parents[3] / "shared" / "vulndata")
)
OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
NGINX = b"""Package: nginx
Status: install ok installed
Architecture: amd64
Version: 1.22.1-9+deb12u1
Description: small, powerful, scalable web/proxy server

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u11
Description: Debian base system miscellaneous files
"""
REQUESTS = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n"
# exiv2's PyPI advisories carry CVSS vectors (Debian's derived records carry none).
EXIV2 = b"Metadata-Version: 2.1\nName: exiv2\nVersion: 0.3.1\n\n"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "seawall.db"
    import_paths(
        path,
        [
            VULNDATA / "Debian:12" / "all.zip",
            VULNDATA / "PyPI" / "all.zip",
            VULNDATA / "kev" / "known_exploited_vulnerabilities.json",
        ],
    )
    return path


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = "usr/lib/python3/dist-packages/requests-2.19.0.dist-info"
    exiv2 = "usr/lib/python3/dist-packages/exiv2-0.3.1.dist-info"
    image = build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir("etc"),
                        File("etc/os-release", OS_RELEASE),
                        Dir("var/lib/dpkg"),
                        File("var/lib/dpkg/status", NGINX),
                    ],
                    created_by="ADD rootfs.tar /",
                ),
                LayerSpec(
                    [
                        Dir(site),
                        File(f"{site}/METADATA", REQUESTS),
                        Dir(exiv2),
                        File(f"{exiv2}/METADATA", EXIV2),
                    ],
                    created_by="pip install requests==2.19.0 exiv2==0.3.1",
                ),
            ]
        )
    )
    return write_oci_layout(tmp_path_factory.mktemp("image") / "layout", [(image, "v1")])


def scan(layout: Path, database: Path, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    result = run_cli(
        "scan",
        f"oci-dir:{layout}:v1",
        "--db",
        str(database),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--offline",
        "-q",
        *extra,
        env={"COLUMNS": "200"},
    )
    return result.exit_code, result.stdout, result.stderr


def test_json_lists_real_advisories_with_kev_and_reasons(
    layout: Path, database: Path, tmp_path: Path
) -> None:
    code, out, err = scan(layout, database, tmp_path, "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    by_id = {v["id"]: v for v in document["vulnerabilities"]}

    rapid_reset = by_id["CVE-2023-44487"]
    assert rapid_reset["kev"]["date_added"] == "2023-10-10"
    assert rapid_reset["fixed_versions"] == ["1.22.1-9+deb12u11"]
    assert "DEBIAN-CVE-2023-44487" in rapid_reset["aliases"]
    reason = rapid_reset["reasons"][0]
    assert reason["record"] == "DEBIAN-CVE-2023-44487"
    assert "1.22.1-9+deb12u1" in reason["decision"]
    # requests 2.19.0 is vulnerable to CVE-2018-18074 (PYSEC-2018-28), fixed in 2.20.0
    assert any(
        "PYSEC-2018-28" in v["aliases"] and "2.20.0" in v["fixed_versions"]
        for v in document["vulnerabilities"]
    )
    # base-files has no advisory in the data: nothing reported for it
    assert all(v["package"]["name"] != "base-files" for v in document["vulnerabilities"])


def test_table_puts_kev_first_and_fail_on_sets_exit_code(
    layout: Path, database: Path, tmp_path: Path
) -> None:
    code, out, err = scan(layout, database, tmp_path)
    assert code == 0, err
    first_row = next(line for line in out.splitlines() if "CVE-" in line)
    assert "CVE-2023-44487" in first_row

    failed, _out, _err = scan(layout, database, tmp_path, "--fail-on", "medium")
    assert failed == 1  # exiv2: CVSS 3.x bases 6.5 to 8.8, none critical
    passed, _out, _err = scan(layout, database, tmp_path, "--fail-on", "critical")
    assert passed == 0
    bad, _out, err = scan(layout, database, tmp_path, "--fail-on", "urgent")
    assert bad == 2
    assert "not a severity" in err


def test_severity_filter_and_missing_database(layout: Path, database: Path, tmp_path: Path) -> None:
    code, out, err = scan(layout, database, tmp_path, "-f", "json", "--severity", "medium")
    assert code == 0, err
    shown = json.loads(out)["vulnerabilities"]
    assert shown
    assert {(v["package"]["name"], v["severity"]) for v in shown} == {("exiv2", "medium")}
    assert all(v["cvss"][0]["base_score"] == 6.5 for v in shown)

    code, _out, err = scan(layout, tmp_path / "absent.db", tmp_path)
    assert code == 2
    assert "seawall db update" in err


def test_a_damaged_store_stops_the_scan_with_one_printable_error(
    layout: Path, database: Path, tmp_path: Path
) -> None:
    # nginx's records hold text that is not UTF-8, with an escape sequence among it.
    damaged = tmp_path / "seawall.db"
    damaged.write_bytes(database.read_bytes())
    with sqlite3.connect(damaged) as db:
        changed = db.execute(
            "UPDATE records SET body = CAST(? AS TEXT) WHERE id IN "
            "(SELECT id FROM affected WHERE ecosystem = 'Debian:12' AND name = 'nginx')",
            (b"\xff\xfe\x1b]0;pwned\x07\x1b[31m",),
        ).rowcount
    assert changed > 10
    code, out, err = scan(layout, damaged, tmp_path, "-f", "json")
    assert code == 2 and out == ""
    assert err == (
        f"seawall: error: {damaged}: vulnerability database is damaged (OperationalError: "
        "Could not decode to UTF-8 column 'body'); delete it and run `seawall db update`, "
        "or rebuild it with `seawall db import --fresh`\n"
    )


def test_a_hostile_name_in_an_error_cannot_act_on_the_terminal(tmp_path: Path) -> None:
    target = f"dir:{tmp_path}/\x1b]0;pwned\x07\x1b[31mnope\u202e"
    result = run_cli("sbom", target, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "\\x1b]0;pwned\\x07\\x1b[31mnope\\u202e" in result.stderr
    assert all(line.isprintable() for line in result.stderr.splitlines())
