"""go/mod: go.mod parsed as `go mod edit -json` reads it; replacements, exclusions, go.sum."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.go import GoModCataloger
from seawall.catalog.lang.go.gomod import parse_go_mod

GO = shutil.which("go")

GO_MOD = """\
// A module exercising the grammar.
module example.com/app

go 1.21

require github.com/direct/one v1.2.3
require (
	github.com/indirect/two v0.4.0 // indirect
	"github.com/quoted/three" v2.0.0+incompatible
	golang.org/x/text v0.14.0 // indirect; kept for tests
	github.com/excluded/four v1.0.0
	github.com/local/five v0.1.0
)

exclude github.com/excluded/four v1.0.0

replace (
	github.com/direct/one v1.2.3 => github.com/fork/one v1.2.4
	github.com/direct/one => github.com/wide/one v9.9.9
	github.com/local/five => ../five
)
retract v0.9.0
"""


def test_parse_agrees_with_go_mod_edit_json(tmp_path: Path) -> None:
    if GO is None:
        pytest.skip("Go toolchain not installed")
    (tmp_path / "go.mod").write_text(GO_MOD)
    reference = json.loads(
        subprocess.run(
            [GO, "mod", "edit", "-json"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GOFLAGS": "-mod=mod"},
        ).stdout
    )
    mod, errors = parse_go_mod(GO_MOD)
    assert errors == []
    assert mod.module == reference["Module"]["Path"]
    assert mod.go == reference["Go"]
    assert [(r.path, r.version, r.indirect) for r in mod.requires] == [
        (r["Path"], r["Version"], r.get("Indirect", False)) for r in reference["Require"]
    ]
    assert {(p, v) for p, v in mod.excludes} == {
        (e["Path"], e["Version"]) for e in reference["Exclude"]
    }
    assert [(r.old_path, r.old_version, r.new_path, r.new_version) for r in mod.replaces] == [
        (r["Old"]["Path"], r["Old"].get("Version"), r["New"]["Path"], r["New"].get("Version"))
        for r in reference["Replace"]
    ]


def run(*files: CatalogFile) -> tuple[set[tuple[str, str]], tuple[str, ...]]:
    result = GoModCataloger().catalog(list(files), CatalogContext())
    return {(p.name, p.version) for p in result.packages}, result.problems


def test_replacements_and_exclusions_applied() -> None:
    found, problems = run(CatalogFile("/src/go.mod", GO_MOD.encode(), 2))
    assert problems == ()
    assert found == {
        ("github.com/fork/one", "v1.2.4"),  # the versioned replace wins over the path-wide one
        ("github.com/indirect/two", "v0.4.0"),
        ("github.com/quoted/three", "v2.0.0+incompatible"),
        ("golang.org/x/text", "v0.14.0"),
        ("github.com/local/five", "(devel)"),
    }


def test_go_sum_completes_modules_before_go_1_17_only() -> None:
    old = b"module example.com/old\n\ngo 1.16\n\nrequire github.com/a/b v1.0.0\n"
    go_sum = (
        b"github.com/a/b v1.0.0 h1:aaa=\n"
        b"github.com/a/b v1.0.0/go.mod h1:bbb=\n"
        b"github.com/c/d v1.1.0 h1:ccc=\n"
        b"github.com/c/d v1.10.0 h1:ddd=\n"
        b"github.com/c/d v1.9.0-rc.1 h1:eee=\n"
        b"github.com/only/gomod v3.0.0/go.mod h1:fff=\n"
    )
    found, _ = run(CatalogFile("/x/go.mod", old), CatalogFile("/x/go.sum", go_sum))
    assert found == {("github.com/a/b", "v1.0.0"), ("github.com/c/d", "v1.10.0")}
    new = old.replace(b"go 1.16", b"go 1.17")
    found, _ = run(CatalogFile("/x/go.mod", new), CatalogFile("/x/go.sum", go_sum))
    assert found == {("github.com/a/b", "v1.0.0")}
    # A go.sum in another directory does not apply.
    found, _ = run(CatalogFile("/x/go.mod", old), CatalogFile("/y/go.sum", go_sum))
    assert found == {("github.com/a/b", "v1.0.0")}


def test_malformed_lines_are_problems_and_the_rest_is_kept() -> None:
    text = b"module m\nrequire only-a-path\nrequire good/mod v1.0.0\nreplace x v1 y\nrequire (\n"
    found, problems = run(CatalogFile("/m/go.mod", text))
    assert found == {("good/mod", "v1.0.0")}
    assert problems == (
        "/m/go.mod: line 2: require needs a module path and a version",
        "/m/go.mod: line 4: replace without =>",
        "/m/go.mod: unterminated require block",
    )
    _, problems = run(CatalogFile("/m/go.mod", b"\xff\xfe"))
    assert len(problems) == 1 and problems[0].startswith("/m/go.mod: not UTF-8")


def test_purls_and_wants() -> None:
    result = GoModCataloger().catalog(
        [CatalogFile("/s/go.mod", GO_MOD.encode(), 4)], CatalogContext()
    )
    purls = {p.purl for p in result.packages}
    assert "pkg:golang/github.com/quoted/three@v2.0.0%2Bincompatible" in purls
    assert "pkg:golang/golang.org/x/text@v0.14.0" in purls
    cataloger = GoModCataloger()
    assert cataloger.wants("/src/app/go.mod") and cataloger.wants("/src/app/go.sum")
    assert not cataloger.wants("/src/app/go.mod.bak")


def test_local_replacement_has_no_version_in_its_purl() -> None:
    result = GoModCataloger().catalog(
        [CatalogFile("/src/go.mod", GO_MOD.encode(), 2)], CatalogContext()
    )
    local = [p for p in result.packages if p.name == "github.com/local/five"]
    assert [(p.version, p.purl) for p in local] == [("(devel)", "pkg:golang/github.com/local/five")]
    released = [p for p in result.packages if p.name == "golang.org/x/text"]
    assert [p.purl for p in released] == ["pkg:golang/golang.org/x/text@v0.14.0"]
