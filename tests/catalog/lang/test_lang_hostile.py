"""Hostile lockfiles, manifests and archives the mutation fuzzer of the catalogers found
crashing them: each is now a recorded problem naming the file, never an exception.

Every input is the real format with one hostile field, next to a valid package that
must survive: names that spell no package URL (empty, only a scope, only
whitespace), unpaired surrogate escapes, numbers longer than Python converts,
nesting deeper than the parser recurses, undecodable XML encodings, encrypted
jar entries, and blank-line runs that made a gemspec regex quadratic.
"""

import io
import json
import time
import zipfile

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.dotnet import (
    DepsJsonCataloger,
    PackagesConfigCataloger,
    PackagesLockCataloger,
)
from seawall.catalog.lang.go import GoModCataloger
from seawall.catalog.lang.java import JavaArchiveCataloger
from seawall.catalog.lang.javascript import (
    NodeModulesCataloger,
    PackageLockCataloger,
    PnpmLockCataloger,
    YarnLockCataloger,
)
from seawall.catalog.lang.php import ComposerLockCataloger, InstalledJsonCataloger
from seawall.catalog.lang.python import (
    CondaMetaCataloger,
    PipfileLockCataloger,
    PoetryLockCataloger,
    RequirementsCataloger,
)
from seawall.catalog.lang.ruby import GemfileLockCataloger, GemspecCataloger
from seawall.catalog.lang.rust import CargoLockCataloger

NO_PURL = "has no valid package URL"


def run(cataloger: object, path: str, content: bytes) -> CatalogResult:
    result: CatalogResult = cataloger.catalog(  # type: ignore[attr-defined]
        [CatalogFile(path, content, 1)], CatalogContext()
    )
    return result


def purls(result: CatalogResult) -> set[str]:
    return {package.purl for package in result.packages}


def only_problem(result: CatalogResult, path: str, text: str) -> None:
    assert len(result.problems) == 1, result.problems
    assert result.problems[0].startswith(f"{path}: ")
    assert text in result.problems[0]


# --- names that spell no purl -------------------------------------------------------


def test_pipfile_lock_empty_name() -> None:
    lock = {
        "_meta": {"hash": {"sha256": "0" * 64}},
        "default": {"": {"version": "==1.0"}, "requests": {"version": "==2.31.0"}},
        "develop": {},
    }
    result = run(PipfileLockCataloger(), "/a/Pipfile.lock", json.dumps(lock).encode())
    assert purls(result) == {"pkg:pypi/requests@2.31.0"}
    only_problem(result, "/a/Pipfile.lock", f"default: package '' version '1.0' {NO_PURL}")


@pytest.mark.parametrize("name", ["@scope/", "/", " "])
def test_node_modules_manifest_name_without_a_bare_name(name: str) -> None:
    path = "/app/node_modules/@scope/x/package.json"
    manifest = json.dumps({"name": f"{name}", "version": "1.0.0"}).encode()
    if name == " ":
        # blank names are not packages at all (no problem), and nothing raises
        assert run(NodeModulesCataloger(), path, manifest) == CatalogResult(files_read=1)
        return
    result = run(NodeModulesCataloger(), path, manifest)
    assert result.packages == ()
    only_problem(result, path, NO_PURL)


def test_package_lock_entry_with_an_empty_install_name() -> None:
    lock = {
        "name": "app",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app"},
            "node_modules/": {"version": "1.0.0"},
            "node_modules/ms": {"version": "2.1.3"},
        },
    }
    path = "/srv/package-lock.json"
    result = run(PackageLockCataloger(), path, json.dumps(lock).encode())
    assert purls(result) == {"pkg:npm/ms@2.1.3"}
    only_problem(result, path, f"'node_modules/': package '' version '1.0.0' {NO_PURL}")


def test_package_lock_v1_alias_to_a_bare_scope() -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {"x": {"version": "npm:@scope/@1.0.0"}, "ms": {"version": "2.1.3"}},
    }
    result = run(PackageLockCataloger(), "/s/package-lock.json", json.dumps(lock).encode())
    assert purls(result) == {"pkg:npm/ms@2.1.3"}
    only_problem(result, "/s/package-lock.json", NO_PURL)


def test_pnpm_key_with_a_bare_scope() -> None:
    lock = (
        "lockfileVersion: '9.0'\n"
        "packages:\n"
        "  '@scope/@1.0.0':\n"
        "    resolution: {integrity: sha512-AAAA}\n"
        "  ms@2.1.3:\n"
        "    resolution: {integrity: sha512-BBBB}\n"
        "snapshots:\n"
        "  ms@2.1.3:\n"
        "    dependencies:\n"
        "      '@scope/': 1.0.0\n"
    )
    result = run(PnpmLockCataloger(), "/p/pnpm-lock.yaml", lock.encode())
    assert purls(result) == {"pkg:npm/ms@2.1.3"}
    only_problem(result, "/p/pnpm-lock.yaml", NO_PURL)


def test_yarn_classic_descriptor_with_a_bare_scope() -> None:
    lock = (
        "# yarn lockfile v1\n\n\n"
        '"@scope/@^1.0.0":\n  version "1.0.0"\n\n'
        'ms@^2.1.3:\n  version "2.1.3"\n'
    )
    result = run(YarnLockCataloger(), "/y/yarn.lock", lock.encode())
    assert purls(result) == {"pkg:npm/ms@2.1.3"}
    only_problem(result, "/y/yarn.lock", NO_PURL)


def test_go_mod_requirement_with_a_trailing_slash() -> None:
    go_mod = (
        b"module example.com/app\n\ngo 1.22\n\n"
        b"require (\n\texample.com/ v1.0.0\n\tgolang.org/x/text v0.14.0\n)\n"
    )
    result = run(GoModCataloger(), "/m/go.mod", go_mod)
    assert purls(result) == {"pkg:golang/golang.org/x/text@v0.14.0"}
    only_problem(result, "/m/go.mod", f"package 'example.com/' version 'v1.0.0' {NO_PURL}")


def test_cargo_lock_whitespace_name() -> None:
    lock = (
        b'version = 3\n\n[[package]]\nname = "\\t"\nversion = "1.0.0"\n\n'
        b'[[package]]\nname = "itoa"\nversion = "1.0.11"\n'
    )
    result = run(CargoLockCataloger(), "/r/Cargo.lock", lock)
    assert purls(result) == {"pkg:cargo/itoa@1.0.11"}
    only_problem(result, "/r/Cargo.lock", f"package '\\t' version '1.0.0' {NO_PURL}")


@pytest.mark.parametrize("cataloger", [ComposerLockCataloger(), InstalledJsonCataloger()])
def test_composer_name_with_an_empty_project(cataloger: object) -> None:
    packages = [
        {"name": "vendor/", "version": "1.0.0"},
        {"name": "monolog/monolog", "version": "3.5.0"},
    ]
    path = "/php/vendor/composer/installed.json"
    if isinstance(cataloger, ComposerLockCataloger):
        path = "/php/composer.lock"
    result = run(cataloger, path, json.dumps({"packages": packages}).encode())
    assert purls(result) == {"pkg:composer/monolog/monolog@3.5.0"}
    only_problem(result, path, f"package #1: package 'vendor/' version '1.0.0' {NO_PURL}")


def test_deps_json_library_with_an_empty_name() -> None:
    deps = {
        "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0"},
        "targets": {".NETCoreApp,Version=v8.0": {}},
        "libraries": {
            "/1.0.0": {"type": "package"},
            "Newtonsoft.Json/13.0.3": {"type": "package"},
        },
    }
    result = run(DepsJsonCataloger(), "/d/app.deps.json", json.dumps(deps).encode())
    assert purls(result) == {"pkg:nuget/Newtonsoft.Json@13.0.3"}
    only_problem(
        result, "/d/app.deps.json", f"library '/1.0.0': package '' version '1.0.0' {NO_PURL}"
    )


def test_packages_lock_empty_name() -> None:
    lock = {
        "version": 1,
        "dependencies": {
            "net8.0": {
                "": {"type": "Direct", "resolved": "1.0.0"},
                "Serilog": {"type": "Direct", "resolved": "3.1.1"},
            }
        },
    }
    result = run(PackagesLockCataloger(), "/d/packages.lock.json", json.dumps(lock).encode())
    assert purls(result) == {"pkg:nuget/Serilog@3.1.1"}
    only_problem(result, "/d/packages.lock.json", NO_PURL)


def test_gemfile_lock_spec_named_slash() -> None:
    lock = (
        b"GEM\n  remote: https://rubygems.org/\n  specs:\n"
        b"    / (1.0.0)\n    rake (13.1.0)\n\n"
        b"PLATFORMS\n  ruby\n\nDEPENDENCIES\n  rake\n"
    )
    result = run(GemfileLockCataloger(), "/g/Gemfile.lock", lock)
    assert purls(result) == {"pkg:gem/rake@13.1.0"}
    only_problem(result, "/g/Gemfile.lock", f"package '/' version '1.0.0' {NO_PURL}")


def test_conda_record_with_a_malformed_channel_url_keeps_the_package() -> None:
    path = "/opt/conda/conda-meta/zlib-1.3-h0.json"
    for channel in ("https://[conda.example/linux-64", "https://mirror.example:notaport/main"):
        record = {"name": "zlib", "version": "1.3", "build": "h0", "channel": channel}
        result = run(CondaMetaCataloger(), path, json.dumps(record).encode())
        assert purls(result) == {"pkg:conda/zlib@1.3?build=h0"}
        only_problem(result, path, "channel is not a valid URL")
        assert "example" not in result.problems[0]  # the URL may hold a token


# --- documents a parser cannot hold --------------------------------------------------


def test_unpaired_surrogate_escape_refuses_the_json_document() -> None:
    path = "/app/node_modules/x/package.json"
    manifest = b'{"name": "x\\ud800", "version": "1.0.0", "license": "MIT"}'
    result = run(NodeModulesCataloger(), path, manifest)
    assert result.packages == ()
    only_problem(result, path, "unpaired surrogate")
    # a correctly paired escape (an emoji) is text and stays accepted
    paired = b'{"name": "x", "version": "1.0.0", "description": "\\ud83d\\ude00"}'
    assert purls(run(NodeModulesCataloger(), path, paired)) == {"pkg:npm/x@1.0.0"}


@pytest.mark.parametrize(
    "cataloger",
    [ComposerLockCataloger(), DepsJsonCataloger(), PackagesLockCataloger()],
)
def test_json_number_longer_than_python_converts(cataloger: object) -> None:
    path = {
        ComposerLockCataloger: "/x/composer.lock",
        DepsJsonCataloger: "/x/app.deps.json",
        PackagesLockCataloger: "/x/packages.lock.json",
    }[type(cataloger)]
    content = b'{"packages": [], "version": ' + b"9" * 5000 + b"}"
    only_problem(run(cataloger, path, content), path, "not JSON (invalid JSON: Exceeds the limit")


@pytest.mark.parametrize(
    ("hostile", "why"),
    [
        (b"x = " + b"[" * 5000 + b"]" * 5000, "invalid TOML: nested too deeply"),
        (b"x = " + b"9" * 5000, "invalid TOML: Exceeds the limit"),
    ],
)
def test_cargo_lock_that_tomllib_cannot_hold(hostile: bytes, why: str) -> None:
    lock = (
        b'version = 3\n\n[[package]]\nname = "itoa"\nversion = "1.0.11"\n\n[metadata]\n' + hostile
    )
    result = run(CargoLockCataloger(), "/r/Cargo.lock", lock)
    only_problem(result, "/r/Cargo.lock", f"not a TOML Cargo.lock ({why}")


@pytest.mark.parametrize("encoding", ["utfU8", "base64", "shift_jis", "idna"])
def test_packages_config_with_an_encoding_python_cannot_decode(encoding: str) -> None:
    config = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<packages>\n  <package id="jQuery" version="3.7.1" targetFramework="net472" />\n'
        "</packages>\n"
    ).encode()
    result = run(PackagesConfigCataloger(), "/n/packages.config", config)
    assert result.packages == ()
    only_problem(result, "/n/packages.config", "unsupported XML encoding")


def jar(entries: dict[str, bytes], encrypted: str) -> bytes:
    """A jar whose entry `encrypted` has the encryption flag (general purpose bit 0) set
    in its local and central directory headers (APPNOTE.TXT 4.3.7, 4.3.12), as a
    password-protected archive has; zipfile itself writes no encrypted entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    if encrypted:
        name = encrypted.encode()
        local = data.index(b"PK\x03\x04")
        while data[local + 30 : local + 30 + len(name)] != name:
            local = data.index(b"PK\x03\x04", local + 4)
        data[local + 6] |= 0x1
        central = data.index(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(name)] != name:
            central = data.index(b"PK\x01\x02", central + 4)
        data[central + 8] |= 0x1
    return bytes(data)


def test_jar_with_an_encrypted_metadata_entry() -> None:
    pom = "META-INF/maven/org.example/lib/pom.properties"
    content = jar(
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n\r\n",
            pom: b"groupId=org.example\nartifactId=lib\nversion=1.0\n",
        },
        encrypted=pom,
    )
    result = run(JavaArchiveCataloger(), "/j/lib-1.0.jar", content)
    assert result.packages == ()
    only_problem(result, "/j/lib-1.0.jar", f"{pom}: encrypted entry")


def test_jar_coordinates_that_spell_no_purl_keep_the_others() -> None:
    content = jar(
        {
            "META-INF/maven/g/a/pom.properties": b"groupId=g\nartifactId=/\nversion=1\n",
            "META-INF/maven/g/b/pom.properties": b"groupId=g\nartifactId=b\nversion=2\n",
        },
        encrypted="",
    )
    result = run(JavaArchiveCataloger(), "/j/fat.jar", content)
    assert purls(result) == {"pkg:maven/g/b@2"}
    only_problem(result, "/j/fat.jar", f"package 'g//' version '1' {NO_PURL}")


# --- bounded time ---------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["\n", " \n"])
def test_gemspec_of_blank_lines_is_linear(blank: str) -> None:
    # `^\s*` in MULTILINE mode rescanned the rest of the run from every line
    # start: 20,000 blank lines took ~20 s, a 4 MiB file hours.
    path = "/usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec"
    content = (blank * 20_000 + '  s.name = "x"\n  s.version = "1.0"\n').encode()
    started = time.monotonic()
    result = run(GemspecCataloger(), path, content)
    assert time.monotonic() - started < 2.0
    assert purls(result) == {"pkg:gem/x@1.0"}


# --- problems quote hostile text briefly ---------------------------------------------


def test_toml_error_quoting_a_huge_key_stays_short() -> None:
    key = "k" * 70_000
    lock = f'[[package]]\nname = "idna"\nversion = "3.6"\n\n[{key}]\n[{key}]\n'.encode()
    result = run(PoetryLockCataloger(), "/p/poetry.lock", lock)
    (problem,) = result.problems
    assert problem.startswith("/p/poetry.lock: invalid TOML: Cannot declare")
    assert problem.endswith("(at line 6, column 70002)")
    assert len(problem) < 300


def test_requirements_include_of_a_huge_path_stays_short() -> None:
    text = f"-r {'x' * 100_000}.txt\nidna==3.6\n".encode()
    result = run(RequirementsCataloger(), "/app/requirements.txt", text)
    assert purls(result) == {"pkg:pypi/idna@3.6"}
    (problem,) = result.problems
    assert "included file /app/xxxx" in problem and "is not available" in problem
    assert len(problem) < 300


def test_go_mod_unterminated_block_with_a_huge_name_stays_short() -> None:
    go_mod = (
        b"module example.com/app\n\nrequ" + b"A" * 300_000 + b" (\n\tgolang.org/x/text v0.14.0\n"
    )
    (problem,) = run(GoModCataloger(), "/m/go.mod", go_mod).problems
    assert problem.startswith("/m/go.mod: unterminated requAAAA")
    assert len(problem) < 300


def test_cargo_dependency_naming_nothing_stays_short() -> None:
    spec = "rand" + "A" * 300_000
    lock = (
        f'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["{spec}"]\n'
    )
    (problem,) = run(CargoLockCataloger(), "/w/Cargo.lock", lock.encode()).problems
    assert problem.startswith("/w/Cargo.lock: app 0.1.0: dependency 'randAAAA")
    assert problem.endswith("names no single locked package") and len(problem) < 300


def test_packages_config_with_a_huge_root_element_stays_short() -> None:
    config = b"<configuration" + b"A" * 300_000 + b"/>"
    (problem,) = run(PackagesConfigCataloger(), "/d/packages.config", config).problems
    assert problem.startswith("/d/packages.config: root element is <configurationAAAA")
    assert len(problem) < 300
