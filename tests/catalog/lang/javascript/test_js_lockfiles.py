"""npm, yarn and pnpm lockfiles written by the real tools for one project, and hostile input."""

import json
import time

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.documents import MAX_YAML_DEPTH
from seawall.catalog.lang.javascript import (
    PackageLockCataloger,
    PnpmLockCataloger,
    YarnLockCataloger,
)
from seawall.catalog.lang.javascript.package_lock import MAX_V1_DEPTH
from seawall.model.package import Relationship

# Every lockfile below was written for data/javascript/installed/package.json
# (see data/javascript/README.md); each tool resolved the releases npm installed.
LOCKS = [
    (PackageLockCataloger(), "package-lock-v1", "package-lock.json"),
    (PackageLockCataloger(), "package-lock-v2", "package-lock.json"),
    (PackageLockCataloger(), "package-lock-v3", "package-lock.json"),
    (YarnLockCataloger(), "yarn-v1", "yarn.lock"),
    (YarnLockCataloger(), "yarn-berry", "yarn.lock"),
    (PnpmLockCataloger(), "pnpm-v5.4", "pnpm-lock.yaml"),
    (PnpmLockCataloger(), "pnpm-v6.0", "pnpm-lock.yaml"),
    (PnpmLockCataloger(), "pnpm-v9.0", "pnpm-lock.yaml"),
]


def _edge(parent: str, child: str) -> Relationship:
    return Relationship(f"pkg:npm/{parent}", f"pkg:npm/{child}")


EDGES = {
    _edge("chalk@4.1.2", "ansi-styles@4.3.0"),
    _edge("chalk@4.1.2", "supports-color@7.2.0"),
    _edge("ansi-styles@4.3.0", "color-convert@2.0.1"),
    _edge("color-convert@2.0.1", "color-name@1.1.4"),
    _edge("supports-color@7.2.0", "has-flag@4.0.0"),
    _edge("debug@2.6.9", "ms@2.0.0"),
    _edge("react@18.2.0", "loose-envify@1.4.0"),
    _edge("loose-envify@1.4.0", "js-tokens@4.0.0"),
}
# use-sync-external-store's only dependency is a peer (react): npm 7+ and
# pnpm record it, npm 6 and yarn do not.
PEER_EDGE = _edge("use-sync-external-store@1.2.0", "react@18.2.0")
RECORDS_PEERS = {"package-lock-v2", "package-lock-v3", "pnpm-v5.4", "pnpm-v6.0", "pnpm-v9.0"}


@pytest.mark.parametrize(("cataloger", "sub", "name"), LOCKS, ids=[sub for _, sub, _ in LOCKS])
def test_lockfile_matches_npm_ls(
    cataloger, sub, name, data_files, npm_triples, npm_ls_expected
) -> None:
    files = data_files(sub, cataloger.wants)
    assert [f.path for f in files] == [f"/srv/app/{name}"]
    result = cataloger.catalog(files, CatalogContext())
    assert result.problems == ()
    assert npm_triples(result) == npm_ls_expected
    expected_edges = EDGES | ({PEER_EDGE} if sub in RECORDS_PEERS else set())
    assert set(result.relationships) == expected_edges
    assert all(p.cataloger == cataloger.NAME for p in result.packages)


def test_berry_workspace_and_patch_protocols(data_files, npm_triples, npm_purl, js_data) -> None:
    files = data_files("yarn-berry-workspace", YarnLockCataloger().wants)
    result = YarnLockCataloger().catalog(files, CatalogContext())
    assert result.problems == ()
    # `yarn info -AR --name-only`: every locator yarn resolved; workspaces are
    # the project itself and the patch locator is resolve 1.22.8 patched
    locators = [
        json.loads(line)
        for line in (js_data / "yarn-berry-workspace/yarn-info.jsonl").read_text().splitlines()
    ]
    releases = set()
    for locator in locators:
        name, _, reference = locator[1:].partition("@")
        name = locator[0] + name
        if reference.startswith("npm:"):
            version = reference.removeprefix("npm:")
            releases.add((name, version, npm_purl(name, version)))
    assert len(releases) == 7
    assert npm_triples(result) == releases
    assert _edge("resolve@1.22.8", "is-core-module@2.18.0") in result.relationships


def test_wants_skips_lockfiles_inside_installed_packages() -> None:
    assert PackageLockCataloger().wants("/app/package-lock.json")
    assert PackageLockCataloger().wants("/app/npm-shrinkwrap.json")
    assert not PackageLockCataloger().wants("/app/node_modules/x/package-lock.json")
    assert not PackageLockCataloger().wants("/app/node_modules/.package-lock.json")
    assert YarnLockCataloger().wants("/app/yarn.lock")
    assert not YarnLockCataloger().wants("/app/node_modules/x/yarn.lock")
    assert PnpmLockCataloger().wants("/app/pnpm-lock.yaml")
    assert not PnpmLockCataloger().wants("/app/pnpm-workspace.yaml")


def _one(cataloger, path: str, content: bytes):
    return cataloger.catalog([CatalogFile(path, content)], CatalogContext())


def test_package_lock_v2_links_workspaces_and_nested_resolution() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "root", "workspaces": ["packages/*"]},
            "packages/lib": {"name": "@acme/lib", "version": "1.0.0", "dependencies": {"a": "^1"}},
            "node_modules/@acme/lib": {"resolved": "packages/lib", "link": True},
            "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^2"}},
            "node_modules/a/node_modules/b": {"version": "2.0.0", "dependencies": {"c": "*"}},
            "node_modules/b": {"version": "1.0.0"},
            "node_modules/c": {"version": "3.0.0", "dev": True},
            "node_modules/alias": {"name": "real", "version": "4.0.0"},
            "node_modules/no-version": {"resolved": "git+ssh://x"},
        },
    }
    result = _one(PackageLockCataloger(), "/w/package-lock.json", json.dumps(lock).encode())
    assert {(p.name, p.version) for p in result.packages} == {
        ("a", "1.0.0"),
        ("b", "2.0.0"),
        ("b", "1.0.0"),
        ("c", "3.0.0"),
        ("real", "4.0.0"),
    }
    # a's `b` is its nested copy, found before the hoisted one; b finds c at the root
    assert set(result.relationships) == {_edge("a@1.0.0", "b@2.0.0"), _edge("b@2.0.0", "c@3.0.0")}


def test_package_lock_v1_scopes_and_skipped_versions() -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {
            "a": {
                "version": "1.0.0",
                "requires": {"b": "^2", "c": "^1"},
                "dependencies": {"b": {"version": "2.0.0", "requires": {"c": "^1"}}},
            },
            "b": {"version": "1.0.0"},
            "c": {"version": "1.5.0"},
            "alias": {"version": "npm:@scope/real@3.0.0"},
            "local": {"version": "file:../local"},
            "gitdep": {"version": "git+https://github.com/x/y.git#abc"},
        },
    }
    result = _one(PackageLockCataloger(), "/w/package-lock.json", json.dumps(lock).encode())
    assert {(p.name, p.version, p.purl) for p in result.packages} == {
        ("a", "1.0.0", "pkg:npm/a@1.0.0"),
        ("b", "2.0.0", "pkg:npm/b@2.0.0"),
        ("b", "1.0.0", "pkg:npm/b@1.0.0"),
        ("c", "1.5.0", "pkg:npm/c@1.5.0"),
        ("@scope/real", "3.0.0", "pkg:npm/%40scope/real@3.0.0"),
    }
    assert set(result.relationships) == {
        _edge("a@1.0.0", "b@2.0.0"),
        _edge("a@1.0.0", "c@1.5.0"),
        _edge("b@2.0.0", "c@1.5.0"),
    }


def test_package_lock_v1_depth_is_bounded() -> None:
    tree: dict = {"version": "1.0.0"}
    root = {"dependencies": {"p": tree}}
    for _ in range(MAX_V1_DEPTH + 5):
        child = {"version": "1.0.0"}
        tree["dependencies"] = {"p": child}
        tree = child
    result = _one(PackageLockCataloger(), "/w/package-lock.json", json.dumps(root).encode())
    assert any("nested deeper" in problem for problem in result.problems)


def test_yarn_v1_syntax() -> None:
    lock = b"""# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjt==
  dependencies:
    "@babel/highlight" "^7.12.13"

"@babel/highlight@^7.12.13":
  version "7.13.10"
  dependencies:
    js-tokens "^4.0.0"
  optionalDependencies:
    missing "^1.0.0"

js-tokens@^4.0.0, js-tokens@~4.0.0:
  version "4.0.0"

"local@file:../local":
  version "0.0.1"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
"""
    result = _one(YarnLockCataloger(), "/y/yarn.lock", lock)
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == {
        ("@babel/code-frame", "7.12.13"),
        ("@babel/highlight", "7.13.10"),
        ("js-tokens", "4.0.0"),
        ("string-width", "4.2.3"),
    }
    assert set(result.relationships) == {
        Relationship("pkg:npm/%40babel/code-frame@7.12.13", "pkg:npm/%40babel/highlight@7.13.10"),
        Relationship("pkg:npm/%40babel/highlight@7.13.10", "pkg:npm/js-tokens@4.0.0"),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'"a@^1:\n  version "1.0.0"\n', "line 1"),
        (b"a@^1:\n\tversion 1.0.0\n", "line 2: tab indentation"),
        (b"  version 1.0.0\n", "line 1"),
        (b"a@^1\n", "line 1: expected an entry header"),
        (b"a@^1:\n  version 1.0.0 extra\n", "line 2: expected 'key value'"),
        (b"a@^1, , b@^1:\n  version 1.0.0\n", "line 1: malformed entry header"),
        (b'a@^1:\n  version "\\q"\n', "line 2: invalid string escape"),
    ],
)
def test_yarn_v1_syntax_errors_are_problems(content: bytes, message: str) -> None:
    result = _one(YarnLockCataloger(), "/y/yarn.lock", content)
    assert result.packages == ()
    assert result.problems[0].startswith("/y/yarn.lock: ")
    assert message in result.problems[0]


def test_yarn_v1_deep_indentation_is_bounded() -> None:
    lines = ["a@^1:"] + [" " * (2 * i) + f"k{i}:" for i in range(1, 200)]
    result = _one(YarnLockCataloger(), "/y/yarn.lock", "\n".join(lines).encode())
    assert "nested deeper" in result.problems[0]


def test_berry_patch_and_local_protocols() -> None:
    lock = b"""__metadata:
  version: 4

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    resolve: "patch:resolve@^1.1.7#~builtin<compat/resolve>"

"resolve@patch:resolve@^1.1.7#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "PATCHED"
  dependencies:
    path-parse: ^1.0.7

"resolve@npm:^1.1.7":
  version: 1.22.1
  resolution: "resolve@npm:1.22.1"

"path-parse@npm:^1.0.7":
  version: 1.0.7
  resolution: "path-parse@npm:1.0.7"

"linked@link:../linked::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "linked@link:../linked::locator=app%40workspace%3A."

"gitdep@https://github.com/acme/gitdep.git#commit=abc":
  version: 2.0.0
  resolution: "gitdep@https://github.com/acme/gitdep.git#commit=abc"
"""
    patched = (
        b"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b"
    )
    result = _one(YarnLockCataloger(), "/y/yarn.lock", lock.replace(b"PATCHED", patched))
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == {
        ("resolve", "1.22.1"),
        ("path-parse", "1.0.7"),
        ("gitdep", "2.0.0"),
    }
    # a version-4 lockfile omits `npm:` in dependency ranges
    assert result.relationships == (_edge("resolve@1.22.1", "path-parse@1.0.7"),)


def test_pnpm_v5_scoped_peer_suffix_and_alias() -> None:
    lock = b"""lockfileVersion: 5.3
packages:
  /@emotion/react/11.10.5_react@18.2.0:
    dependencies:
      '@babel/runtime': 7.20.1
      react: 18.2.0
      alias-pkg: /real-pkg/1.0.0
      local: link:../local
    dev: false
  /@babel/runtime/7.20.1:
    dev: false
  /react/18.2.0:
    dev: true
  /real-pkg/1.0.0:
    dev: false
  github.com/acme/thing/abcdef:
    name: thing
    version: 0.3.0
  registry.example.com/no-name/-/no-name-1.0.0.tgz:
    dev: false
"""
    result = _one(PnpmLockCataloger(), "/p/pnpm-lock.yaml", lock)
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == {
        ("@emotion/react", "11.10.5"),
        ("@babel/runtime", "7.20.1"),
        ("react", "18.2.0"),
        ("real-pkg", "1.0.0"),
        ("thing", "0.3.0"),
    }
    parent = "pkg:npm/%40emotion/react@11.10.5"
    assert set(result.relationships) == {
        Relationship(parent, "pkg:npm/%40babel/runtime@7.20.1"),
        Relationship(parent, "pkg:npm/react@18.2.0"),
        Relationship(parent, "pkg:npm/real-pkg@1.0.0"),
    }


def test_pnpm_v9_two_documents_and_alias_references() -> None:
    lock = b"""---
lockfileVersion: '9.0'
importers:
  .:
    dependencies: {}
---
lockfileVersion: '9.0'
packages:
  '@scope/a@1.0.0':
    resolution: {integrity: sha512-x}
  b@2.0.0:
    resolution: {integrity: sha512-y}
snapshots:
  '@scope/a@1.0.0(b@2.0.0)':
    dependencies:
      b: 2.0.0
      c-alias: b@2.0.0
"""
    result = _one(PnpmLockCataloger(), "/p/pnpm-lock.yaml", lock)
    assert result.problems == ()
    assert {p.purl for p in result.packages} == {"pkg:npm/%40scope/a@1.0.0", "pkg:npm/b@2.0.0"}
    assert result.relationships == (Relationship("pkg:npm/%40scope/a@1.0.0", "pkg:npm/b@2.0.0"),)


BILLION_LAUGHS = b"""lockfileVersion: '6.0'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

HOSTILE = [
    (PnpmLockCataloger(), "/p/pnpm-lock.yaml", BILLION_LAUGHS, "aliases are not accepted"),
    (
        PnpmLockCataloger(),
        "/p/pnpm-lock.yaml",
        b"a: " + b"[" * 100_000,
        f"deeper than {MAX_YAML_DEPTH}",
    ),
    (PnpmLockCataloger(), "/p/pnpm-lock.yaml", b"a: {b: [1, 2}\n", "invalid YAML"),
    (PnpmLockCataloger(), "/p/pnpm-lock.yaml", b"packages: {}\n", "no lockfileVersion"),
    (PnpmLockCataloger(), "/p/pnpm-lock.yaml", b"lockfileVersion: banana\n", "unrecognised"),
    (PnpmLockCataloger(), "/p/pnpm-lock.yaml", b"? [a, b]\n: c\n", "not a scalar"),
    (
        YarnLockCataloger(),
        "/y/yarn.lock",
        b"__metadata:\n  version: 6\nx: *nope\n",
        "aliases are not accepted",
    ),
    (YarnLockCataloger(), "/y/yarn.lock", b"__metadata:\n" + b"  " * 10 + b"\x00", "invalid YAML"),
    (PackageLockCataloger(), "/n/package-lock.json", b"[" * 500_000, "nested too deeply"),
    (
        PackageLockCataloger(),
        "/n/package-lock.json",
        b'{"lockfileVersion": 3, "packages": ',
        "invalid JSON",
    ),
    (PackageLockCataloger(), "/n/package-lock.json", b"{}", "no lockfileVersion"),
    (PackageLockCataloger(), "/n/package-lock.json", b"\xc3\x28", "not UTF-8"),
]


@pytest.mark.parametrize(("cataloger", "path", "content", "message"), HOSTILE)
def test_hostile_input_is_a_bounded_problem(cataloger, path, content, message) -> None:
    start = time.perf_counter()
    result = cataloger.catalog([CatalogFile(path, content)], CatalogContext())
    assert time.perf_counter() - start < 2.0
    assert result.packages == ()
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{path}: ")
    assert message in result.problems[0]


@pytest.mark.parametrize(
    "cataloger", [PackageLockCataloger(), YarnLockCataloger(), PnpmLockCataloger()]
)
def test_files_over_the_limit_are_refused(cataloger) -> None:
    # MAX_FILE_BYTES is what the pipeline checks before handing a file over; a
    # cataloger handed a bigger one anyway (or fetching one) refuses it too.
    assert cataloger.MAX_FILE_BYTES < 128 * 1024 * 1024
    content = b" " * (cataloger.MAX_FILE_BYTES + 1)
    result = cataloger.catalog([CatalogFile("/x/lock", content)], CatalogContext())
    assert result.files_read == 0 and result.packages == ()
    assert "over the" in result.problems[0]


def test_one_bad_file_does_not_spoil_the_others(data_files) -> None:
    good = data_files("package-lock-v3", PackageLockCataloger().wants)
    bad = CatalogFile("/other/package-lock.json", b"{oops")
    result = PackageLockCataloger().catalog([bad, *good], CatalogContext())
    assert len(result.packages) == 16
    assert len(result.problems) == 1 and result.problems[0].startswith("/other/package-lock.json")
