"""Offline bundles: the store in a tar with a SHA-256 manifest and an optional Ed25519 signature.

Layout (an uncompressed tar; the store's records are compressed already):

    manifest.json   {"format": "seawall-vulndb-bundle", "format_version": 1,
                     "schema_version": N, "created": RFC 3339,
                     "files": {"seawall.db": {"sha256": HEX, "size": BYTES}},
                     "sources": [{"name", "records", "updated", "data_as_of"}, …]}
    manifest.sig    raw 64-byte Ed25519 signature of manifest.json's bytes (optional)
    seawall.db      the SQLite store

Import trusts nothing: only those three names, regular files, bounded sizes,
each once; the store is streamed to a file beside the target while hashed,
checked against the manifest (and the signature when a key is given), opened
as a store, and only then renamed into place.
"""

import hashlib
import io
import re
import sqlite3
import tarfile
import tempfile
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from seawall.errors import InputError, LimitExceededError
from seawall.vulndb import schema
from seawall.vulndb.store import VulnStore, check_store, connect_read_only
from seawall.vulndb.timestamps import now_rfc3339
from seawall.vulndb.writer import install

FORMAT = "seawall-vulndb-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATABASE = "seawall.db"
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
MAX_DATABASE_BYTES = 16 * 1024 * 1024 * 1024
MAX_KEY_BYTES = 64 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BundleError(InputError):
    """A bundle is malformed, tampered with, or not signed as required."""


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What an imported (or exported) bundle held."""

    schema_version: int
    created: str
    sha256: str
    size: int
    signed: bool
    verified: bool


def export_bundle(store: Path, bundle: Path, *, sign_key: Path | None = None) -> BundleInfo:
    """Write the store at `store` as a bundle to `bundle` (atomically), signed if a key is given."""
    private = _private_key(sign_key) if sign_key else None
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=bundle.parent, prefix=".bundle-") as scratch:
        copy = Path(scratch) / DATABASE
        with VulnStore(store) as opened:
            sources = opened.info().sources
            target = sqlite3.connect(copy)
            try:
                # The backup API gives a consistent copy even if the store is
                # replaced meanwhile (this connection keeps the old file open).
                opened.backup_to(target)
            finally:
                target.close()
        digest, size = _sha256_file(copy)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": schema.SCHEMA_VERSION,
            "created": now_rfc3339(),
            "files": {DATABASE: {"sha256": digest, "size": size}},
            "sources": [
                {
                    "name": s.name,
                    "records": s.records,
                    "updated": s.updated,
                    "data_as_of": s.data_as_of,
                }
                for s in sources
            ],
        }
        manifest_bytes = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        partial = Path(scratch) / "bundle.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            _add_bytes(archive, MANIFEST, manifest_bytes)
            if private is not None:
                _add_bytes(archive, SIGNATURE, private.sign(manifest_bytes))
            info = archive.gettarinfo(str(copy), arcname=DATABASE)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            with open(copy, "rb") as stream:
                archive.addfile(info, stream)
        partial.replace(bundle)
    return BundleInfo(
        schema_version=schema.SCHEMA_VERSION,
        created=manifest["created"],
        sha256=digest,
        size=size,
        signed=private is not None,
        verified=False,
    )


def import_bundle(bundle: Path, store: Path, *, verify_key: Path | None = None) -> BundleInfo:
    """Verify `bundle` and make its store the one at `store`; BundleError if anything is off."""
    public = _public_key(verify_key) if verify_key else None
    label = str(bundle)
    store.parent.mkdir(parents=True, exist_ok=True)
    staged = store.with_name(f".{store.name}.{uuid.uuid4().hex[:8]}.bundle")
    try:
        manifest_bytes, signature, digest, size = _read_members(bundle, label, staged)
        manifest = _parse_manifest(manifest_bytes, label)
        expected = manifest["files"][DATABASE]
        if size != expected["size"] or digest != expected["sha256"]:
            raise BundleError(
                f"{label}: {DATABASE} does not match the manifest (SHA-256 {digest[:16]}…, "
                f"{size} bytes; manifest says {expected['sha256'][:16]}…, {expected['size']} "
                "bytes): the bundle is corrupt or was tampered with"
            )
        verified = False
        if public is not None:
            if signature is None:
                raise BundleError(f"{label}: the bundle is not signed, and a verify key was given")
            try:
                public.verify(signature, manifest_bytes)
            except InvalidSignature:
                raise BundleError(
                    f"{label}: bad signature: the manifest was not signed by the verify key"
                ) from None
            verified = True
        if manifest["schema_version"] != schema.SCHEMA_VERSION:
            older = manifest["schema_version"] in schema.UPGRADABLE
            raise BundleError(
                f"{label}: bundle schema version {manifest['schema_version']}, this seawall "
                f"reads {schema.SCHEMA_VERSION}"
                + (
                    ": export it again with this seawall, or build the store with "
                    "`seawall db update` / `seawall db import`"
                    if older
                    else ""
                )
            )
        _check_database(staged, label)
        install(staged, store)
    finally:
        staged.unlink(missing_ok=True)
    return BundleInfo(
        schema_version=manifest["schema_version"],
        created=manifest["created"],
        sha256=digest,
        size=size,
        signed=signature is not None,
        verified=verified,
    )


def _read_members(bundle: Path, label: str, staged: Path) -> tuple[bytes, bytes | None, str, int]:
    manifest: bytes | None = None
    signature: bytes | None = None
    database: tuple[str, int] | None = None
    try:
        # Stream mode: members are read in order, nothing is seeked or extracted.
        with tarfile.open(bundle, "r|") as archive:
            for member in archive:
                name = member.name
                if name not in (MANIFEST, SIGNATURE, DATABASE):
                    raise BundleError(f"{label}: unexpected member {_shown(name)}")
                if not member.isreg():
                    raise BundleError(f"{label}: member {name} is not a regular file")
                if (
                    (name == MANIFEST and manifest is not None)
                    or (name == SIGNATURE and signature is not None)
                    or (name == DATABASE and database is not None)
                ):
                    raise BundleError(f"{label}: member {name} appears twice")
                stream = archive.extractfile(member)
                assert stream is not None  # a regular file always has data
                if name == MANIFEST:
                    manifest = _read_capped(stream, MAX_MANIFEST_BYTES, member.size, label, name)
                elif name == SIGNATURE:
                    signature = _read_capped(stream, MAX_SIGNATURE_BYTES, member.size, label, name)
                else:
                    if member.size > MAX_DATABASE_BYTES:
                        raise LimitExceededError(
                            f"{label}: {DATABASE}", "max_bundle_database_bytes", MAX_DATABASE_BYTES
                        )
                    database = _stage(stream, staged)
    except tarfile.TarError as error:
        raise BundleError(f"{label}: not a readable bundle (tar): {error}") from None
    except OSError as error:
        raise BundleError(f"{label}: cannot read: {error.strerror or error}") from None
    if manifest is None:
        raise BundleError(f"{label}: no {MANIFEST} in the bundle")
    if database is None:
        raise BundleError(f"{label}: no {DATABASE} in the bundle")
    return manifest, signature, database[0], database[1]


def _read_capped(stream: IO[bytes], cap: int, size: int, label: str, name: str) -> bytes:
    if size > cap:
        raise BundleError(f"{label}: member {name} is {size} bytes, more than {cap}")
    return bytes(stream.read(cap + 1))


def _stage(stream: IO[bytes], staged: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(staged, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _parse_manifest(data: bytes, label: str) -> dict[str, Any]:
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise BundleError(f"{label}: {MANIFEST} is not JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{label}: {MANIFEST} is not a seawall bundle manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(
            f"{label}: bundle format version {_shown(manifest.get('format_version'))}, "
            f"this seawall reads {FORMAT_VERSION}"
        )
    files = manifest.get("files")
    entry = files.get(DATABASE) if isinstance(files, dict) else None
    if (
        not isinstance(files, dict)
        or set(files) != {DATABASE}
        or not isinstance(entry, dict)
        or not isinstance(entry.get("sha256"), str)
        or not _HEX64.fullmatch(entry["sha256"])
        or not isinstance(entry.get("size"), int)
        or not isinstance(manifest.get("schema_version"), int)
        or not isinstance(manifest.get("created"), str)
    ):
        raise BundleError(f"{label}: {MANIFEST} is malformed (files, digests, versions)")
    return manifest


def _check_database(staged: Path, label: str) -> None:
    try:
        with closing(connect_read_only(staged)) as connection:
            check_store(connection, staged)
            (result,) = connection.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BundleError(f"{label}: {DATABASE} is not a usable store: {error}") from None
    except InputError as error:
        raise BundleError(f"{label}: {DATABASE}: {error}") from None
    if result != "ok":
        raise BundleError(f"{label}: {DATABASE} fails SQLite's integrity check: {_shown(result)}")


def _private_key(path: Path) -> Ed25519PrivateKey:
    data = _read_key(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InputError(
            f"{path}: not an unencrypted PEM private key (PKCS#8 Ed25519 expected)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: the signing key must be Ed25519")
    return key


def _public_key(path: Path) -> Ed25519PublicKey:
    data = _read_key(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError(f"{path}: not a PEM public key (Ed25519 expected)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: the verify key must be Ed25519")
    return key


def _read_key(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_KEY_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read the key: {error.strerror}") from None
    if len(data) > MAX_KEY_BYTES:
        raise InputError(f"{path}: too large for a PEM key")
    return data


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "…"
