"""Regenerate tests/versions/data/cargo.json with the Rust `semver` crate (Debian librust-semver-dev).

apt-get install -y librust-semver-dev; builds a tiny program offline with a
path dependency on /usr/share/cargo/registry/semver-*. Verdict: `Version::parse`
of both, build metadata cleared (SemVer precedence, what `cmp_precedence` of
newer crate releases computes), then `Ord::cmp`.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import os
import tempfile
from pathlib import Path

from common import pairs_of, run, semver_versions, write_table

MAIN = r"""
use semver::{BuildMetadata, Version};
use std::io::{self, BufRead};

fn main() {
    for line in io::stdin().lock().lines() {
        let line = line.unwrap();
        match line.split_once('\t') {
            None => println!("{}", Version::parse(&line).is_ok()),
            Some((a, b)) => {
                let mut x = Version::parse(a).unwrap();
                let mut y = Version::parse(b).unwrap();
                x.build = BuildMetadata::EMPTY;
                y.build = BuildMetadata::EMPTY;
                println!("{}", x.cmp(&y) as i32);
            }
        }
    }
}
"""
EDGE = [
    "1.0.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0+build",
    "1.0.0-alpha+001",
    "1.0.0+20130313144700",
    "1.0.0-beta+exp.sha.5114f85",
    "1.0.0-0.3.7",
    "1.0.0-x.7.z.92",
    "1.0.0-x-y-z.--",
    "2.0.0",
    "2.1.0",
    "2.1.1",
    "1.0.0-01",
    "01.0.0",
    "1.0",
    "v1.0.0",
    "1.0.0-",
    "1.0.0+",
    "18446744073709551615.0.0",
    "18446744073709551616.0.0",
    "1.0.0-18446744073709551616",
    "1.0.0-A",
    "1.0.0-a",
    " 1.0.0",
    "1.0.0+01",
]


def main() -> None:
    pool = semver_versions(10, EDGE)
    crate = str(sorted(Path("/usr/share/cargo/registry").glob("semver-1*"))[-1])
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "src").mkdir()
        Path(tmp, "src", "main.rs").write_text(MAIN)
        Path(tmp, "Cargo.toml").write_text(
            f'[package]\nname = "semverref"\nversion = "0.1.0"\nedition = "2021"\n\n'
            f'[dependencies]\nsemver = {{ path = "{crate}", default-features = false, features = ["std"] }}\n'
        )
        env = {**os.environ, "CARGO_TARGET_DIR": f"{tmp}/target"}
        run(
            ["cargo", "build", "--offline", "--quiet", "--manifest-path", f"{tmp}/Cargo.toml"],
            env=env,
        )
        exe = f"{tmp}/target/debug/semverref"
        valid = run([exe], "".join(v + "\n" for v in pool)).split()
        good = [v for v, ok in zip(pool, valid, strict=True) if ok == "true"]
        bad = [v for v, ok in zip(pool, valid, strict=True) if ok == "false"]
        pairs = pairs_of(good, 3000, seed=10) + [
            (a, b) for a in EDGE for b in EDGE if a in good and b in good
        ]
        out = run([exe], "".join(f"{a}\t{b}\n" for a, b in pairs)).split()
    write_table(
        "cargo",
        ecosystem="crates.io",
        reference=f"Rust semver crate {Path(crate).name.split('-', 1)[1]} (Debian librust-semver-dev): "
        "Version::parse, precedence = Ord with build metadata cleared",
        script="cargo_ref.py",
        sources="crates.io and Go advisory versions, npm versions, semver.org examples and edge cases",
        pairs=[(a, b, int(r)) for (a, b), r in zip(pairs, out, strict=True)],
        invalid=bad,
    )


if __name__ == "__main__":
    main()
