"""rust/cargo-lock against cargo's own resolve; rust/auditable on a cargo-built binary."""

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.rust import CargoLockCataloger, RustAuditableCataloger
from seawall.catalog.lang.rust import auditable as auditable_module

CARGO = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
HAVE_CARGO = Path(CARGO).exists()
needs_cargo = pytest.mark.skipif(not HAVE_CARGO, reason="cargo not installed")


def lock(*files: CatalogFile) -> CatalogResult:
    return CargoLockCataloger().catalog(list(files), CatalogContext())


def edges(result: CatalogResult) -> set[tuple[str, str]]:
    return {(r.parent, r.child) for r in result.relationships}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cargo workspace of three crates joined by path dependencies (no registry needed)."""
    if not HAVE_CARGO:
        pytest.skip("cargo not installed")
    root = tmp_path_factory.mktemp("ws")
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["app", "util", "core"]\nresolver = "2"\n'
    )
    crates = {
        "app": ("0.1.0", {"util": "../util", "core": "../core"}, "fn main() { util::hi(); }\n"),
        "util": ("0.2.0", {"core": "../core"}, "pub fn hi() { core_x::x(); }\n"),
        "core": ("1.0.0-beta.1", {}, "pub fn x() {}\n"),
    }
    for name, (version, deps, code) in crates.items():
        (root / name / "src").mkdir(parents=True)
        dep_lines = "".join(
            f'{"core_x" if d == "core" else d} = {{ path = "{p}", package = "{d}" }}\n'
            for d, p in deps.items()
        )
        (root / name / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n\n'
            f"[dependencies]\n{dep_lines}"
        )
        (root / name / "src" / ("main.rs" if name == "app" else "lib.rs")).write_text(code)
    subprocess.run(
        [CARGO, "generate-lockfile", "--offline"], cwd=root, check=True, capture_output=True
    )
    return root


@needs_cargo
def test_generated_lockfile_matches_cargo_metadata(workspace: Path) -> None:
    metadata = json.loads(
        subprocess.run(
            [CARGO, "metadata", "--offline", "--format-version", "1"],
            cwd=workspace,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    ids = {p["id"]: (p["name"], p["version"]) for p in metadata["packages"]}
    purl = "pkg:cargo/{}@{}".format
    expected_edges = {
        (purl(*ids[node["id"]]), purl(*ids[dep]))
        for node in metadata["resolve"]["nodes"]
        for dep in node["dependencies"]
    }
    result = lock(CatalogFile("/src/Cargo.lock", (workspace / "Cargo.lock").read_bytes(), 1))
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == set(ids.values())
    assert edges(result) == expected_edges
    assert ("pkg:cargo/util@0.2.0", "pkg:cargo/core@1.0.0-beta.1") in expected_edges


V1 = b"""\
[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "rand 0.7.3 (registry+https://github.com/rust-lang/crates.io-index)",
 "rand 0.8.5 (registry+https://github.com/rust-lang/crates.io-index)",
 "mylib 0.1.0 (git+https://example.com/mylib#0123abc)",
]

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "mylib"
version = "0.1.0"
source = "git+https://example.com/mylib#0123abc"

[metadata]
"checksum rand 0.7.3 (registry+https://github.com/rust-lang/crates.io-index)" = "aaaa"
"checksum rand 0.8.5 (registry+https://github.com/rust-lang/crates.io-index)" = "bbbb"
"""

V3 = b"""\
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "rand 0.8.5",
 "serde",
 "rand 0.7.3",
]

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aaaa"

[[package]]
name = "rand"
version = "0.8.5"
source = "sparse+https://index.crates.io/"
checksum = "bbbb"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cccc"
"""


@pytest.mark.parametrize("text", [V1, V3])
def test_v1_and_v3_dependency_forms_and_checksums(text: bytes) -> None:
    result = lock(CatalogFile("/w/Cargo.lock", text))
    assert result.problems == ()
    packages = {p.purl: p for p in result.packages}
    assert packages["pkg:cargo/rand@0.7.3"].checksums == (("sha256", "aaaa"),)
    assert packages["pkg:cargo/rand@0.8.5"].checksums == (("sha256", "bbbb"),)
    assert packages["pkg:cargo/app@0.1.0"].checksums == ()
    assert {"pkg:cargo/rand@0.7.3", "pkg:cargo/rand@0.8.5"} <= {
        child for parent, child in edges(result) if parent == "pkg:cargo/app@0.1.0"
    }


def test_malformed_lockfiles_are_problems() -> None:
    result = lock(
        CatalogFile("/a/Cargo.lock", b"[[package]\nname="),
        CatalogFile("/b/Cargo.lock", b'[[package]]\nname = "x"\n\n[[package]]\nversion = "1"\n'),
        CatalogFile(
            "/c/Cargo.lock",
            b'[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["ghost"]\n',
        ),
    )
    assert [p.purl for p in result.packages] == ["pkg:cargo/a@1.0.0"]
    assert result.problems[0].startswith("/a/Cargo.lock: not a TOML Cargo.lock")
    assert result.problems[1:] == (
        "/b/Cargo.lock: package #1 has no name or version",
        "/b/Cargo.lock: package #2 has no name or version",
        "/c/Cargo.lock: a 1.0.0: dependency 'ghost' names no single locked package",
    )


# --- cargo-auditable --------------------------------------------------------------------

AUDIT = {
    "packages": [
        {
            "name": "app",
            "version": "0.1.0",
            "source": "local",
            "dependencies": [1, 2],
            "root": True,
        },
        {"name": "serde", "version": "1.0.200", "source": "crates.io", "dependencies": [3]},
        {"name": "cc", "version": "1.0.90", "source": "crates.io", "kind": "build"},
        {"name": "itoa", "version": "1.0.11", "source": "crates.io"},
    ]
}


def audit(*files: CatalogFile) -> CatalogResult:
    return RustAuditableCataloger().catalog(list(files), CatalogContext())


@needs_cargo
def test_auditable_section_added_to_a_cargo_built_binary(workspace: Path, tmp_path: Path) -> None:
    """cargo-auditable cannot be installed offline: its section is added with objcopy."""
    subprocess.run(
        [CARGO, "build", "--offline", "-q"], cwd=workspace, check=True, capture_output=True
    )
    plain = workspace / "target" / "debug" / "app"
    section = tmp_path / "dep-v0"
    section.write_bytes(zlib.compress(json.dumps(AUDIT).encode()))
    audited = tmp_path / "app"
    subprocess.run(
        ["objcopy", "--add-section", f".dep-v0={section}", str(plain), str(audited)],
        check=True,
        capture_output=True,
    )
    assert audit(CatalogFile("/usr/bin/app", plain.read_bytes())) == CatalogResult(files_read=1)
    result = audit(CatalogFile("/usr/bin/app", audited.read_bytes(), 7))
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == {
        ("app", "0.1.0"),
        ("serde", "1.0.200"),
        ("itoa", "1.0.11"),
    }
    assert edges(result) == {
        ("pkg:cargo/app@0.1.0", "pkg:cargo/serde@1.0.200"),
        ("pkg:cargo/serde@1.0.200", "pkg:cargo/itoa@1.0.11"),
    }
    assert all(p.locations[0].layer == 7 for p in result.packages)


def macho_with_section(payload: bytes) -> bytes:
    """A minimal 64-bit Mach-O with one `__DATA` segment holding a `.dep-v0` section."""
    at = 32 + 72 + 80
    segment = struct.pack(
        "<II16sQQQQiiII",
        0x19,
        72 + 80,
        b"__DATA",
        0x1000,
        len(payload),
        at,
        len(payload),
        3,
        3,
        1,
        0,
    )
    section = struct.pack(
        "<16s16sQQIIIIIIII", b".dep-v0", b"__DATA", 0x1000, len(payload), at, 0, 0, 0, 0, 0, 0, 0
    )
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 1, 72 + 80, 0, 0)
    return header + segment + section + payload


def test_auditable_in_macho_and_hostile_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    good = macho_with_section(zlib.compress(json.dumps(AUDIT).encode()))
    assert len(audit(CatalogFile("/bin/a", good)).packages) == 3
    monkeypatch.setattr(auditable_module, "MAX_JSON_BYTES", 10_000)
    cases = {
        "/bin/bomb": macho_with_section(zlib.compress(b" " * 100_000)),
        "/bin/notzlib": macho_with_section(b"plain text"),
        "/bin/notjson": macho_with_section(zlib.compress(b"{nope")),
        "/bin/shape": macho_with_section(zlib.compress(b'{"packages": 3}')),
        "/bin/cut": good[:200],
    }
    result = audit(*(CatalogFile(path, data) for path, data in cases.items()))
    assert result.packages == ()
    assert [problem.split(":")[0] for problem in result.problems] == list(cases)
