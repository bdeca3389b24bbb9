"""Regenerate tests/versions/data/go.json with golang.org/x/mod/semver (Debian golang-golang-x-mod-dev).

apt-get install -y golang-go golang-golang-x-mod-dev; builds in GOPATH mode
against /usr/share/gocode, offline. The reference is semver.Compare and
semver.IsValid. OSV writes Go versions without the leading `v`: in the table
about a third of the strings have it dropped, their verdict being the one for
the `v` form (seawall adds the `v` back).
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import json
import os
import random
import tempfile
from pathlib import Path

from common import npm_versions, osv_versions, pairs_of, run, write_table

PROGRAM = """
package main

import (
	"encoding/json"
	"os"

	"golang.org/x/mod/semver"
)

func main() {
	var input struct{ Versions []string; Pairs [][2]string }
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		panic(err)
	}
	valid := make([]bool, len(input.Versions))
	for i, v := range input.Versions {
		valid[i] = semver.IsValid(v)
	}
	cmp := make([]int, len(input.Pairs))
	for i, p := range input.Pairs {
		cmp[i] = semver.Compare(p[0], p[1])
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"valid": valid, "cmp": cmp})
}
"""
EDGE = [
    "v1",
    "v1.2",
    "v1.2.0",
    "v1.2.3",
    "v1.2.3-pre",
    "v1.2.3-pre.1",
    "v1.2.3-pre.01",
    "v1.2.3+incompatible",
    "v2.0.0+incompatible",
    "v1.2.3-0.20210101000000-abcdef123456",
    "v1.2.4-0.20210101000000-abcdef123456",
    "v0.0.0-20210101000000-abcdef123456",
    "v0.0.0-20200101000000-abcdef123456",
    "v1.2.3-rc.1.0.20210101000000-abcdef123456",
    "v1.2.3-alpha",
    "v1.2.3-alpha.beta",
    "v1.2.3-alpha.1",
    "v1.2.3-beta",
    "v1.2.3-1",
    "v1.2.3-a-b",
    "v1.2-pre",
    "v1.2+build",
    "v01.2.3",
    "v1.02.3",
    "1.2.3",
    "v1.2.3-",
    "v1.2.3+",
    "v",
    "v1.2.3.4",
    "v18446744073709551616.0.0",
    "v1.2.3-A",
    "v1.2.3-a",
    "v0.0.0",
]


def main() -> None:
    rng = random.Random(9)
    pool = {"v" + v for v in osv_versions("Go") + osv_versions("crates.io")}
    pool |= {"v" + v for v in rng.sample(npm_versions(["typescript", "react"]), 400)}
    pool |= set(EDGE)
    pool = sorted(pool)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "ref.go").write_text(PROGRAM)
        env = {
            **os.environ,
            "GO111MODULE": "off",
            "GOPATH": "/usr/share/gocode",
            "GOCACHE": f"{tmp}/cache",
            "GOFLAGS": "",
        }
        exe = f"{tmp}/ref"
        run(["go", "build", "-o", exe, f"{tmp}/ref.go"], env=env)
        first = json.loads(run([exe], json.dumps({"Versions": pool, "Pairs": []})))
        good = [v for v, ok in zip(pool, first["valid"], strict=True) if ok]
        bad = [v for v, ok in zip(pool, first["valid"], strict=True) if not ok]
        pairs = pairs_of(good, 3000, seed=9) + [
            (a, b) for a in EDGE for b in EDGE if a in good and b in good
        ]
        out = json.loads(run([exe], json.dumps({"Versions": [], "Pairs": pairs})))
        go_version = run(["go", "version"], env=env).strip()
    x_mod = run(["dpkg-query", "-W", "-f=${Version}", "golang-golang-x-mod-dev"])

    def osv_form(v: str) -> str:
        return v[1:] if rng.random() < 0.33 else v

    write_table(
        "go",
        ecosystem="Go",
        reference=f"golang.org/x/mod/semver Compare/IsValid (golang-golang-x-mod-dev {x_mod}, {go_version})",
        script="golang_ref.py",
        sources="Go and crates.io advisory versions (with v added), npm versions, edge cases "
        "(pseudo-versions, +incompatible, shorthands)",
        pairs=[(osv_form(a), osv_form(b), r) for (a, b), r in zip(pairs, out["cmp"], strict=True)],
        invalid=[v for v in bad if v != "1.2.3"],
    )


if __name__ == "__main__":
    main()
