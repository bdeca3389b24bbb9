"""Regenerate tests/versions/data/rubygems.json with Ruby's `Gem::Version#<=>` (apt-get install -y ruby)."""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import json

from common import mixed_versions, pairs_of, run, write_table

EDGE = [
    "1",
    "1.0",
    "1.0.0",
    "1.0.a",
    "1.0.a1",
    "1.0.b",
    "1.0.rc1",
    "1.0-rc1",
    "1.0.pre",
    "1.0-1",
    "1.0.1",
    "1.a.0.b",
    "1.a",
    "1.a.0",
    "1.a.0.0.b",
    "1.0.0.a",
    "1.0a",
    "1.0A",
    "1.0.Z",
    "0.0.0",
    "0",
    "00.1",
    "1.0.0-beta.2",
    " 1.0 ",
    "1.0\n",
    "2.0.0.pre.1",
    "1.0.0.0.0.1",
    "1.0.x-y",
    "1.2.3.4.5.6.7.8.9.10",
]
BAD = [
    "",
    "  ",
    "a",
    "1.",
    ".1",
    "1..0",
    "1.0-",
    "1.0.-",
    "1 0",
    "1.0+build",
    "v1.0",
    "1.0_1",
    "-1",
]
SCRIPT = r"""
require 'json'
input = JSON.parse($stdin.read)
valid = input['versions'].map { |v| Gem::Version.correct?(v) && !v.strip.empty? }
cmp = input['pairs'].map { |a, b| Gem::Version.new(a) <=> Gem::Version.new(b) }
puts JSON.generate({'valid' => valid, 'cmp' => cmp, 'version' => "Ruby #{RUBY_VERSION}, RubyGems #{Gem::VERSION}"})
"""


def main() -> None:
    pool = sorted(set(mixed_versions(seed=6)) | set(EDGE) | set(BAD))
    first = json.loads(run(["ruby", "-e", SCRIPT], json.dumps({"versions": pool, "pairs": []})))
    good = [v for v, ok in zip(pool, first["valid"], strict=True) if ok]
    bad = [v for v, ok in zip(pool, first["valid"], strict=True) if not ok]
    pairs = pairs_of(good, 3000, seed=6) + [(a, b) for a in EDGE for b in EDGE]
    out = json.loads(run(["ruby", "-e", SCRIPT], json.dumps({"versions": [], "pairs": pairs})))
    write_table(
        "rubygems",
        ecosystem="RubyGems",
        reference=f"Gem::Version#<=> ({out['version']}, Debian 12 ruby)",
        script="rubygems_ref.py",
        sources="npm, PyPI, Go, crates.io real versions; Debian upstream versions; edge cases. "
        "Invalid = Gem::Version.correct? false, or blank (which Gem reads as 0; seawall rejects it)",
        pairs=[(a, b, r) for (a, b), r in zip(pairs, out["cmp"], strict=True)],
        invalid=bad,
    )


if __name__ == "__main__":
    main()
