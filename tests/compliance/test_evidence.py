"""Evidence bundles: what they hold, and that verification catches every kind of tampering."""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from seawall import __version__
from seawall.compliance import evaluate, framework, verify_evidence, write_evidence
from seawall.errors import InputError
from seawall.pipeline.compliance import ComplianceRun, check_refs, write_evidence_bundle
from seawall.report.compliance import evidence_documents
from tests.compliance.scenario import FULL, NOW, result

POLICY = "fail-on: high\nignore:\n  - id: CVE-2024-0002\n    expires: 2027-01-01\n"


def bundle(directory: Path, signing_key: Path | None = None) -> None:
    run = ComplianceRun(result(), FULL, "shop/web:1.4.2")
    report = evaluate(framework("pci-dss"), run.result, check_refs(), FULL, subject="s", now=NOW)
    documents = evidence_documents(run.result, [report])
    write_evidence_bundle(
        directory, run, documents, policy_text=POLICY, now=NOW, signing_key=signing_key
    )


def replace_with_symlink(directory: Path) -> None:
    (directory / "scan-result.json").unlink()
    (directory / "scan-result.json").symlink_to("about.json")


def keys(tmp_path: Path, name: str = "key") -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private = tmp_path / f"{name}.pem"
    public = tmp_path / f"{name}.pub"
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


def test_bundle_holds_the_audit_evidence(tmp_path: Path) -> None:
    directory = tmp_path / "evidence"
    bundle(directory)
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert names == {
        "about.json",
        "database.json",
        "policy.txt",
        "scan-result.json",
        "misconfigurations.json",
        "sbom/cyclonedx.json",
        "sbom/spdx.json",
        "compliance/pci-dss.json",
        "compliance/pci-dss.md",
        "compliance/pci-dss.html",
        "manifest.json",
    }
    about = json.loads((directory / "about.json").read_text())
    assert about["tool"] == {"name": "seawall", "version": __version__}
    assert about["bundle_created"] == "2026-11-01T12:00:00Z"
    assert about["subject"]["manifest_digest"] == "sha256:" + "1" * 64
    database = json.loads((directory / "database.json").read_text())
    assert database["sources"][0]["updated"] == "2026-10-30T00:00:00Z"
    assert database["sources"][0]["age_days"] == 2.5
    assert (directory / "policy.txt").read_text() == POLICY
    assert json.loads((directory / "sbom/cyclonedx.json").read_text())["bomFormat"] == "CycloneDX"
    manifest = json.loads((directory / "manifest.json").read_text())
    assert set(manifest["files"]) == names - {"manifest.json"}
    verification = verify_evidence(directory)
    assert verification.ok and verification.files_checked == 10
    assert verification.signature == "not checked"


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda d: (d / "policy.txt").write_text("fail-on: critical\n"), "policy.txt: altered"),
        (lambda d: (d / "sbom/cyclonedx.json").unlink(), "sbom/cyclonedx.json: missing"),
        (lambda d: (d / "extra.txt").write_text("x"), "extra.txt: added"),
        (lambda d: (d / "sbom/new.json").write_text("{}"), "sbom/new.json: added"),
        (
            lambda d: (d / "compliance/pci-dss.json").write_bytes(
                (d / "compliance/pci-dss.json").read_bytes().replace(b'"fail"', b'"pass"')
            ),
            "compliance/pci-dss.json: altered",
        ),
        (replace_with_symlink, "scan-result.json: not a regular file"),
    ],
)
def test_any_tampering_is_detected(
    tmp_path: Path, tamper: Callable[[Path], object], problem: str
) -> None:
    directory = tmp_path / "evidence"
    bundle(directory)
    tamper(directory)
    verification = verify_evidence(directory)
    assert not verification.ok
    assert any(p.startswith(problem) for p in verification.problems), verification.problems


def test_signature_is_verified(tmp_path: Path) -> None:
    private, public = keys(tmp_path)
    directory = tmp_path / "signed"
    bundle(directory, signing_key=private)
    assert verify_evidence(directory, public).signature == "valid"
    # Rewriting the manifest to match an altered file breaks the signature.
    (directory / "policy.txt").write_text("fail-on: none\n")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["policy.txt"]["sha256"] = hashlib.sha256(b"fail-on: none\n").hexdigest()
    manifest["files"]["policy.txt"]["size"] = 14
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    verification = verify_evidence(directory, public)
    assert not verification.ok and verification.signature == "invalid"
    assert verify_evidence(directory).ok  # without the key only the digests are checked


def test_wrong_key_and_absent_signature_fail(tmp_path: Path) -> None:
    private, _public = keys(tmp_path, "one")
    _other_private, other_public = keys(tmp_path, "other")
    signed = tmp_path / "signed"
    bundle(signed, signing_key=private)
    assert verify_evidence(signed, other_public).signature == "invalid"
    unsigned = tmp_path / "unsigned"
    bundle(unsigned)
    verification = verify_evidence(unsigned, other_public)
    assert not verification.ok and verification.signature == "absent"


def test_bundle_is_written_only_into_a_new_or_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(InputError, match="new or empty"):
        bundle(tmp_path)


@pytest.mark.parametrize("name", ["../escape.json", "/etc/x", "manifest.json", "a/../../b"])
def test_document_names_cannot_escape_or_clash(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError):
        write_evidence(
            tmp_path / "e", result(), {name: "x"}, policy_text=None, tool_version="1", now=NOW
        )
    assert not (tmp_path / "escape.json").exists()


def test_not_a_bundle_and_a_broken_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an evidence bundle"):
        verify_evidence(tmp_path)
    (tmp_path / "manifest.json").write_text("{nope")
    assert not verify_evidence(tmp_path).ok
    (tmp_path / "manifest.json").write_text('{"format": "other", "files": {}}')
    assert not verify_evidence(tmp_path).ok
    # Nested past the JSON parser's recursion limit: not valid JSON, not a crash.
    (tmp_path / "manifest.json").write_text('{"files": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert verify_evidence(tmp_path).problems == ("manifest.json is not valid JSON",)


def test_manifest_naming_a_path_outside_the_bundle_is_missing_not_read(tmp_path: Path) -> None:
    directory = tmp_path / "evidence"
    bundle(directory)
    (tmp_path / "outside.txt").write_text("secret")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["../outside.txt"] = {"sha256": "0" * 64, "size": 6}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    verification = verify_evidence(directory)
    assert "../outside.txt: missing" in verification.problems
