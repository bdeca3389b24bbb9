"""Regenerate tests/versions/data/npm.json with the real `semver` npm package (node-semver 7).

Needs node and npm: installs semver@7 into a temporary directory and runs
`semver.compare(a, b, {loose: true})`; `semver.valid(v, {loose: true})`
decides validity.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import json
import tempfile
from pathlib import Path

from common import mixed_versions, pairs_of, run, write_table

EDGE = [
    "1.2.3",
    "v1.2.3",
    "=1.2.3",
    " 1.2.3 ",
    "v=1.2.3",
    "1.2.3beta",
    "1.2.3-beta",
    "1.2.3-beta.1",
    "1.2.3-beta.01",
    "01.2.3",
    "1.2.3+build",
    "1.2.3-1+b",
    "1.2.3-0",
    "1.2.3-alpha",
    "1.2.3-alpha.1",
    "1.2.3-alpha.beta",
    "1.2.3--",
    "1.2.3-",
    "1.2.3-x-y-z.--",
    "1.2.3-9007199254740993",
    "1.2.3-9007199254740992",
    "1.2.3-99999999999999999999",
    "9007199254740991.0.0",
    "1.2.3-A",
    "1.2.3-a",
]
SCRIPT = """
const semver = require('semver');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const valid = input.versions.map(v => semver.valid(v, {loose: true}) !== null);
const cmp = input.pairs.map(([a, b]) => semver.compare(a, b, {loose: true}));
console.log(JSON.stringify({valid, cmp, version: require('semver/package.json').version}));
"""


def main() -> None:
    pool = sorted(set(mixed_versions(seed=4) + EDGE))
    with tempfile.TemporaryDirectory() as tmp:
        run(["npm", "install", "--silent", "--prefix", tmp, "semver@7"])
        script = Path(tmp, "ref.js")
        script.write_text(SCRIPT)
        first = json.loads(
            run(["node", str(script)], json.dumps({"versions": pool, "pairs": []}), cwd=tmp)
        )
        good = [v for v, ok in zip(pool, first["valid"], strict=True) if ok]
        bad = [v for v, ok in zip(pool, first["valid"], strict=True) if not ok]
        pairs = pairs_of(good, 3000, seed=4) + [
            (a, b) for a in EDGE for b in EDGE if a in good and b in good
        ]
        out = json.loads(
            run(["node", str(script)], json.dumps({"versions": [], "pairs": pairs}), cwd=tmp)
        )
    write_table(
        "npm",
        ecosystem="npm",
        reference=f"semver.compare(a, b, {{loose: true}}) of the npm package semver {out['version']} (node)",
        script="npm_ref.py",
        sources="published versions of "
        + ", ".join(
            [
                "react",
                "typescript",
                "next",
                "webpack",
                "lodash",
                "@angular/core",
                "semver",
                "electron",
            ]
        )
        + "; PyPI, Go, crates.io advisory versions; Debian upstreams; edge cases",
        pairs=[(a, b, r) for (a, b), r in zip(pairs, out["cmp"], strict=True)],
        invalid=bad,
    )


if __name__ == "__main__":
    main()
