"""Offline bundles: export, verified import, Ed25519 signatures, and hostile bundles."""

import io
import tarfile
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from seawall.errors import InputError
from seawall.vulndb import schema
from seawall.vulndb.bundle import BundleError, export_bundle, import_bundle
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore


def _keys(folder: Path, name: str) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture
def store(vulndata: Path, tmp_path: Path) -> Path:
    path = tmp_path / "site-a" / "seawall.db"
    import_paths(
        path,
        [
            vulndata / "Debian:11" / "all.zip",
            vulndata / "kev" / "known_exploited_vulnerabilities.json",
        ],
    )
    return path


def _members(bundle: Path) -> dict[str, bytes]:
    with tarfile.open(bundle) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]


def _tar(path: Path, members: list[tuple[str, bytes]], *, kind: bytes = tarfile.REGTYPE) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.type = kind if name != "manifest.json" else tarfile.REGTYPE
            archive.addfile(info, io.BytesIO(data))
    return path


def test_signed_round_trip(store: Path, tmp_path: Path) -> None:
    private, public = _keys(tmp_path, "k")
    bundle = tmp_path / "out" / "bundle.tar"
    exported = export_bundle(store, bundle, sign_key=private)
    assert exported.signed
    members = _members(bundle)
    assert set(members) == {"manifest.json", "manifest.sig", "seawall.db"}
    manifest = orjson.loads(members["manifest.json"])
    assert manifest["files"]["seawall.db"]["sha256"] == exported.sha256
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert {s["name"] for s in manifest["sources"]} == {"Debian:11", "kev"}
    target = tmp_path / "site-b" / "seawall.db"
    imported = import_bundle(bundle, target, verify_key=public)
    assert imported.verified and imported.sha256 == exported.sha256
    with VulnStore(target) as opened:
        assert {s.name: s.records for s in opened.info().sources} == {"Debian:11": 410, "kev": 1404}
        assert opened.advisories("Debian:11", "openssl")


def test_unsigned_bundles_import_without_a_key_but_not_with_one(
    store: Path, tmp_path: Path
) -> None:
    _, public = _keys(tmp_path, "k")
    bundle = tmp_path / "bundle.tar"
    export_bundle(store, bundle)
    target = tmp_path / "b" / "seawall.db"
    assert not import_bundle(bundle, target).verified
    with pytest.raises(BundleError, match="not signed"):
        import_bundle(bundle, tmp_path / "c" / "seawall.db", verify_key=public)
    assert not (tmp_path / "c" / "seawall.db").exists()


def test_wrong_key_and_tampered_manifest_are_refused(store: Path, tmp_path: Path) -> None:
    private, _ = _keys(tmp_path, "signer")
    _, other = _keys(tmp_path, "other")
    bundle = tmp_path / "bundle.tar"
    export_bundle(store, bundle, sign_key=private)
    with pytest.raises(BundleError, match="bad signature"):
        import_bundle(bundle, tmp_path / "x" / "seawall.db", verify_key=other)
    members = _members(bundle)
    manifest = orjson.loads(members["manifest.json"])
    manifest["created"] = "2000-01-01T00:00:00Z"
    forged = _tar(
        tmp_path / "forged.tar",
        [
            ("manifest.json", orjson.dumps(manifest)),
            ("manifest.sig", members["manifest.sig"]),
            ("seawall.db", members["seawall.db"]),
        ],
    )
    signer_public = tmp_path / "signer.pub.pem"
    with pytest.raises(BundleError, match="bad signature"):
        import_bundle(forged, tmp_path / "y" / "seawall.db", verify_key=signer_public)


def test_a_changed_database_fails_its_digest(store: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.tar"
    export_bundle(store, bundle)
    members = _members(bundle)
    database = bytearray(members["seawall.db"])
    database[-100] ^= 0xFF
    tampered = _tar(
        tmp_path / "t.tar",
        [("manifest.json", members["manifest.json"]), ("seawall.db", bytes(database))],
    )
    target = tmp_path / "site" / "seawall.db"
    import_paths(target, [])  # an existing store that must survive
    before = target.read_bytes()
    with pytest.raises(BundleError, match="does not match the manifest"):
        import_bundle(tampered, target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".bundle")] == []


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([("../seawall.db", b"x")], "unexpected member"),
        ([("/etc/seawall.db", b"x")], "unexpected member"),
        ([("manifest.json", b"{}"), ("manifest.json", b"{}")], "appears twice"),
        ([("seawall.db", b"x")], "no manifest.json"),
        ([("manifest.json", b"[]"), ("seawall.db", b"x")], "not a seawall bundle manifest"),
        ([("manifest.json", b"x" * (2 * 1024 * 1024))], "more than"),
    ],
)
def test_hostile_bundles(tmp_path: Path, members: list[tuple[str, bytes]], expected: str) -> None:
    bundle = _tar(tmp_path / "evil.tar", members)
    with pytest.raises(BundleError, match=expected):
        import_bundle(bundle, tmp_path / "site" / "seawall.db")
    assert not (tmp_path / "seawall.db").exists()
    assert not (tmp_path / "site" / "seawall.db").exists()


def test_links_and_non_tar_inputs(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "link.tar", "w") as archive:
        info = tarfile.TarInfo("seawall.db")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(BundleError, match="not a regular file"):
        import_bundle(tmp_path / "link.tar", tmp_path / "s" / "seawall.db")
    (tmp_path / "junk.tar").write_bytes(b"\x00junk" * 1000)
    with pytest.raises(BundleError):
        import_bundle(tmp_path / "junk.tar", tmp_path / "s" / "seawall.db")


def test_a_matching_digest_on_a_non_store_is_refused(tmp_path: Path) -> None:
    import hashlib

    data = b"SQLite format 3\x00" + b"\x00" * 4000
    manifest = {
        "format": "seawall-vulndb-bundle",
        "format_version": 1,
        "schema_version": schema.SCHEMA_VERSION,
        "created": "2026-01-01T00:00:00Z",
        "files": {"seawall.db": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}},
    }
    bundle = _tar(
        tmp_path / "b.tar", [("manifest.json", orjson.dumps(manifest)), ("seawall.db", data)]
    )
    with pytest.raises(BundleError, match=r"seawall\.db"):
        import_bundle(bundle, tmp_path / "s" / "seawall.db")


def test_bad_keys_are_input_errors_without_their_contents(store: Path, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InputError) as caught:
        export_bundle(store, tmp_path / "b.tar", sign_key=key)
    assert "c2VjcmV0" not in str(caught.value)
    rsa_like = tmp_path / "pub.pem"
    rsa_like.write_text("not a key")
    with pytest.raises(InputError, match="PEM public key"):
        import_bundle(tmp_path / "b.tar", tmp_path / "s.db", verify_key=rsa_like)
