"""Audit evidence bundles: a directory of documents with a SHA-256 manifest, optionally signed.

Layout (every path relative to the bundle directory)::

    about.json        tool name and version, when the bundle was made, what was scanned
    database.json     the vulnerability database: schema, sources, update dates and age
    policy.txt        the policy file used, verbatim (only when there was one)
    <documents>       whatever the caller hands over: the SBOM, the full scan result,
                      the compliance reports (names chosen by the caller)
    manifest.json     {"format": "seawall.evidence/v1", "files": {path: {sha256, size}}}
    manifest.sig      raw 64-byte Ed25519 signature of manifest.json's bytes (optional;
                      the same scheme as the vulnerability database bundles)

`verify_evidence` recomputes every digest and reports files altered, missing
or added since the manifest was written, and a bad or absent signature when
a public key is given. A bundle is written into a new or empty directory
only, so it never mixes with older files.
"""

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from seawall.errors import InputError
from seawall.model.scan import ScanResult

FORMAT = "seawall.evidence/v1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_BUNDLE_FILES = 10_000
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""A manifest names at most MAX_BUNDLE_FILES files: far less than this."""
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EvidenceManifest:
    """What was written: file digests by relative path, and whether it was signed."""

    files: Mapping[str, str]
    signed: bool


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a bundle against its manifest."""

    ok: bool
    problems: tuple[str, ...]
    files_checked: int
    signature: str
    """`valid`, `absent`, `not checked` (no key given) or `invalid`."""


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts or name in (MANIFEST, SIGNATURE):
        raise InputError(f"evidence document name {name!r} is not a plain relative path")
    return path.as_posix()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _database_record(result: ScanResult, now: datetime) -> dict[str, object]:
    database = result.database
    if database is None:
        return {"used": False}
    sources = []
    for source in database.sources:
        age = None
        if source.updated:
            try:
                updated = datetime.fromisoformat(source.updated.replace("Z", "+00:00"))
                if updated.tzinfo is None:
                    updated = updated.replace(tzinfo=UTC)
                age = round((now - updated).total_seconds() / 86400, 2)
            except ValueError:
                age = None
        sources.append(
            {
                "name": source.name,
                "records": source.records,
                "updated": source.updated,
                "data_as_of": source.data_as_of,
                "age_days": age,
            }
        )
    return {
        "used": True,
        "location": Path(database.location).name,
        "schema_version": database.schema_version,
        "sources": sources,
    }


def _about(result: ScanResult, tool_version: str, now: datetime) -> dict[str, object]:
    image = result.image
    subject: dict[str, object] = {}
    if image is not None:
        subject = {
            "reference": image.reference,
            "source": image.source_kind.value,
            "manifest_digest": image.manifest_digest,
            "config_digest": image.config_digest,
            "platform": str(image.platform) if image.platform else None,
        }
    return {
        "tool": {"name": "seawall", "version": tool_version},
        "bundle_created": _timestamp(now),
        "scanned_at": result.scanned_at,
        "subject": subject,
        "counts": {
            "packages": len(result.inventory.packages),
            "vulnerabilities": len(result.vulnerabilities),
            "secrets": len(result.secrets),
            "misconfigurations": len(result.misconfigurations),
        },
    }


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_evidence(
    directory: Path,
    result: ScanResult,
    documents: Mapping[str, str | bytes],
    *,
    policy_text: str | None,
    tool_version: str,
    now: datetime,
    signing_key: Path | None = None,
) -> EvidenceManifest:
    """Write a bundle into `directory` (created; it must be new or empty)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(f"{directory}: the evidence directory must be new or empty")
    contents: dict[str, bytes] = {
        "about.json": _json_bytes(_about(result, tool_version, now)),
        "database.json": _json_bytes(_database_record(result, now)),
    }
    if policy_text is not None:
        contents["policy.txt"] = policy_text.encode()
    for name, content in documents.items():
        safe = _safe_name(name)
        if safe in contents:
            raise InputError(f"evidence document {name!r} is written by the bundle itself")
        contents[safe] = content.encode() if isinstance(content, str) else content
    key = _private_key(signing_key) if signing_key is not None else None
    directory.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for name in sorted(contents):
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[name])
        digests[name] = hashlib.sha256(contents[name]).hexdigest()
    manifest = _json_bytes(
        {
            "format": FORMAT,
            "created": _timestamp(now),
            "tool": {"name": "seawall", "version": tool_version},
            "files": {
                name: {"sha256": digests[name], "size": len(contents[name])} for name in digests
            },
        }
    )
    (directory / MANIFEST).write_bytes(manifest)
    if key is not None:
        (directory / SIGNATURE).write_bytes(key.sign(manifest))
    return EvidenceManifest(files=digests, signed=key is not None)


def verify_evidence(directory: Path, public_key: Path | None = None) -> Verification:
    """Check every file of a bundle against its manifest (and the signature, given a key)."""
    manifest_path = directory / MANIFEST
    try:
        with open(manifest_path, "rb") as stream:
            manifest_bytes = stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError:
        raise InputError(f"{directory}: no readable {MANIFEST}; not an evidence bundle") from None
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise InputError(f"{directory}: {MANIFEST} is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        manifest = json.loads(manifest_bytes)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        return Verification(False, (f"{MANIFEST} is not valid JSON",), 0, "not checked")
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or manifest.get("format") != FORMAT:
        return Verification(False, (f"{MANIFEST} is not a {FORMAT} manifest",), 0, "not checked")
    problems: list[str] = []
    present = _bundle_files(directory, problems)
    checked = 0
    for name in sorted(files):
        entry = files[name]
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if name not in present:
            problems.append(f"{name}: missing")
            continue
        checked += 1
        actual = _sha256(directory / name)
        if actual != expected:
            problems.append(
                f"{name}: altered (sha256 {actual[:16]}…, the manifest says {str(expected)[:16]}…)"
            )
    for name in sorted(present - set(files)):
        problems.append(f"{name}: added after the manifest was written")
    signature = _check_signature(directory, manifest_bytes, public_key, problems)
    return Verification(not problems, tuple(problems), checked, signature)


def _bundle_files(directory: Path, problems: list[str]) -> set[str]:
    """Relative paths of the bundle's regular files (manifest and signature excluded)."""
    found: set[str] = set()
    for root, dirs, names in os.walk(directory, followlinks=False):
        base = Path(root)
        for name in dirs:
            if (base / name).is_symlink():
                problems.append(f"{(base / name).relative_to(directory).as_posix()}: a symlink")
        for name in names:
            path = base / name
            relative = path.relative_to(directory).as_posix()
            if relative in (MANIFEST, SIGNATURE):
                continue
            if path.is_symlink() or not path.is_file():
                problems.append(f"{relative}: not a regular file")
                continue
            found.add(relative)
            if len(found) > MAX_BUNDLE_FILES:
                raise InputError(f"{directory}: more than {MAX_BUNDLE_FILES} files")
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_signature(
    directory: Path, manifest: bytes, public_key: Path | None, problems: list[str]
) -> str:
    signature_path = directory / SIGNATURE
    if public_key is None:
        return "not checked"
    if not signature_path.is_file():
        problems.append(f"{SIGNATURE}: absent, but a public key was given")
        return "absent"
    try:
        _public_key(public_key).verify(signature_path.read_bytes(), manifest)
    except InvalidSignature:
        problems.append(f"{SIGNATURE}: does not match {MANIFEST} for the given key")
        return "invalid"
    return "valid"


def _private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        raise InputError(f"{path}: not an unencrypted PEM private key (Ed25519 expected)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: the signing key must be Ed25519")
    return key


def _public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError):
        raise InputError(f"{path}: not a PEM public key (Ed25519 expected)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: the public key must be Ed25519")
    return key
