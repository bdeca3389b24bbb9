"""Secrets inside archives: zip/jar and (gzip'd) tar members, nesting, bombs, decoys."""

import gzip
import struct
import time
import zipfile
import zlib

import pytest

from seawall.analyze.secrets import EngineSettings, Outcome, SecretEngine
from seawall.analyze.secrets.values import ArchiveLimits
from tests.analyze.secrets.archivebuild import many_member_zip, tar_bytes, zip_bytes
from tests.analyze.secrets.samples import aws_key_id, aws_secret, github_token

MiB = 1024 * 1024


TOKEN = github_token("ghp")
PROPERTIES = f"# app\nspring.datasource.url=jdbc:x\ngithub.token={TOKEN}\n".encode()


def test_secret_in_a_jar_member_has_the_member_path_and_line() -> None:
    jar = zip_bytes(
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
            "com/acme/App.class": b"\xca\xfe\xba\xbe\0\0" + TOKEN.encode(),
            "config/application.properties": PROPERTIES,
        }
    )
    scan = SecretEngine().scan_bytes(jar, "/app/app.jar")
    assert scan.outcome is Outcome.ARCHIVE
    assert (scan.archives_opened, scan.archives_skipped) == (1, 0)
    assert [(h.rule_id, h.member, h.line) for h in scan.hits] == [
        ("github-pat", "!/config/application.properties", 3)
    ]
    assert TOKEN not in repr(scan)
    # Same file outside an archive: same line, other fingerprint (the path is part of it).
    plain = SecretEngine().scan_bytes(PROPERTIES, "/app/app.jar!/config/application.properties")
    assert plain.hits[0].line == 3
    assert plain.hits[0].fingerprint == scan.hits[0].fingerprint


def test_tar_gz_two_levels_down() -> None:
    key_id, secret = aws_key_id(), aws_secret()
    conf = f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    inner = tar_bytes({"./etc/app/credentials.ini": conf.encode()}, compress=True)
    outer = zip_bytes({"dist/bundle.tar.gz": inner, "README.txt": b"hello\n"})
    scan = SecretEngine().scan_bytes(outer, "/srv/release.zip")
    assert scan.archives_opened == 2
    assert {(h.rule_id, h.member, h.line) for h in scan.hits} == {
        ("aws-access-key-id", "!/dist/bundle.tar.gz!/etc/app/credentials.ini", 2),
        ("aws-secret-access-key", "!/dist/bundle.tar.gz!/etc/app/credentials.ini", 3),
    }
    # A plain (uncompressed) tar at the top is read the same way.
    flat = SecretEngine().scan_bytes(tar_bytes({"etc/app.conf": PROPERTIES}), "/x/backup.tar")
    assert [h.member for h in flat.hits] == ["!/etc/app.conf"]


def test_nesting_deeper_than_the_limit_is_skipped_and_counted() -> None:
    data = zip_bytes({"secret.properties": PROPERTIES})
    for level in range(3):
        data = zip_bytes({f"level{level}.zip": data})
    # Four levels: the secret sits in the fourth archive, one past max_depth=3.
    scan = SecretEngine().scan_bytes(data, "/deep.zip")
    assert scan.hits == ()
    assert (scan.archives_opened, scan.archives_skipped) == (3, 1)
    deeper = SecretEngine(settings=EngineSettings(archives=ArchiveLimits(max_depth=4)))
    assert [h.member for h in deeper.scan_bytes(data, "/deep.zip").hits] == [
        "!/level2.zip!/level1.zip!/level0.zip!/secret.properties"
    ]
    off = SecretEngine(settings=EngineSettings(archives=ArchiveLimits(max_depth=0)))
    assert off.scan_bytes(data, "/deep.zip").outcome is Outcome.BINARY


def test_zip_bomb_member_is_skipped_and_the_rest_is_read() -> None:
    bomb = zip_bytes({"a-bomb.txt": bytes(12 * MiB), "z.properties": PROPERTIES})
    assert len(bomb) < 64 * 1024  # deflate reaches ~1000:1 on zeros
    start = time.perf_counter()
    scan = SecretEngine().scan_bytes(bomb, "/bomb.zip")
    assert time.perf_counter() - start < 2
    assert [h.member for h in scan.hits] == ["!/z.properties"]
    assert (scan.archives_opened, scan.archives_skipped) == (1, 1)


def test_gzip_bomb_stops_before_inflating() -> None:
    bomb = tar_bytes({"zeros.txt": bytes(40 * MiB)}, compress=True)
    start = time.perf_counter()
    scan = SecretEngine().scan_bytes(bomb, "/bomb.tar.gz")
    assert time.perf_counter() - start < 2
    assert scan.outcome is Outcome.ARCHIVE and scan.hits == ()
    assert scan.archives_skipped == 1


def test_a_hundred_thousand_members_are_refused_quickly() -> None:
    data = many_member_zip(100_000)
    start = time.perf_counter()
    scan = SecretEngine().scan_bytes(data, "/many.zip")
    assert time.perf_counter() - start < 1
    assert (scan.outcome, scan.hits, scan.archives_skipped) == (Outcome.ARCHIVE, (), 1)
    # An end record understating the count does not get it read either.
    at = data.rfind(b"PK\x05\x06")
    lying = data[: at + 8] + struct.pack("<HH", 5, 5) + data[at + 12 :]
    start = time.perf_counter()
    assert SecretEngine().scan_bytes(lying, "/lying.zip").archives_skipped == 1
    assert time.perf_counter() - start < 1
    # A smaller one within the bound is read: the bound, not a crash, refused the first.
    assert SecretEngine().scan_bytes(many_member_zip(2_000), "/some.zip").archives_skipped == 0


def test_member_budget_is_shared_across_levels() -> None:
    inner = tar_bytes({f"f{n}.txt": b"x\n" for n in range(30)})
    outer = zip_bytes({"a.tar": inner, "b.tar": inner})
    limited = EngineSettings(archives=ArchiveLimits(max_members=40))
    scan = SecretEngine(settings=limited).scan_bytes(outer, "/two.zip")
    assert scan.archives_opened == 3 and scan.archives_skipped == 1


def test_decoys_in_archives_are_not_reported() -> None:
    jar = zip_bytes(
        {
            "docs/example.properties": b"aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n",
            "application.yml": b"password: changeme\ntoken: <token>\n",
            "src/test/resources/fixtures/creds.env": f"TOKEN={TOKEN}\n".encode(),
            "config.properties": b"db.password=${DB_PASSWORD}\n",
        }
    )
    scan = SecretEngine().scan_bytes(jar, "/app/lib/service.jar")
    assert scan.archives_opened == 1
    assert scan.hits == ()


def test_member_names_are_only_labels() -> None:
    hostile = zip_bytes({"../../../etc/shadow": PROPERTIES, "/abs/x.env": PROPERTIES})
    scan = SecretEngine().scan_bytes(hostile, "/up.zip")
    assert sorted(h.member for h in scan.hits) == ["!/../../../etc/shadow", "!/abs/x.env"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated: no central directory
        lambda data: data.replace(b"github.token", b"github.tokem"),  # CRC mismatch
    ],
)
def test_damaged_archives_are_skipped(damage: object) -> None:
    data = zip_bytes({"a.properties": PROPERTIES}, zipfile.ZIP_STORED)
    assert callable(damage)
    scan = SecretEngine().scan_bytes(damage(data), "/bad.zip")
    assert scan.outcome is Outcome.ARCHIVE and scan.hits == ()
    assert scan.archives_skipped == 1


def test_plain_gzip_and_large_non_archives_stay_skipped() -> None:
    engine = SecretEngine(settings=EngineSettings(max_file_bytes=1 * MiB))
    assert engine.scan_bytes(gzip.compress(PROPERTIES), "/doc.gz").outcome is Outcome.BINARY
    large = zlib.compress(b"")  # not an archive
    assert engine.scan_bytes(large + bytes(2 * MiB), "/big.zip").outcome is Outcome.TOO_LARGE
    # An archive over the text size limit but within the archive limit is read.
    jar = zip_bytes({"pad.bin": bytes(2 * MiB), "c.properties": PROPERTIES}, zipfile.ZIP_STORED)
    scan = engine.scan_bytes(jar, "/big.jar")
    assert [h.member for h in scan.hits] == ["!/c.properties"]
