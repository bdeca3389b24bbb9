"""Regenerate tests/versions/data/hex.json with Elixir's Version module (apt-get install -y elixir).

Hex orders package versions with Elixir's `Version`: `Version.parse/1` decides
validity and `Version.compare/2` the order (build metadata ignored).
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

from common import pairs_of, run, semver_versions, write_table

SCRIPT = r"""
IO.stream(:stdio, :line)
|> Enum.each(fn line ->
  line = String.trim_trailing(line, "\n")
  case String.split(line, "\t") do
    [v] -> IO.puts(match?({:ok, _}, Version.parse(v)))
    [a, b] -> IO.puts(Version.compare(a, b))
  end
end)
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
    "1.0.0-0.3.7",
    "1.0.0-x.7.z.92",
    "1.0.0-x-y-z.--",
    "1.0.0-01",
    "01.0.0",
    "1.0",
    "v1.0.0",
    "1.0.0-",
    "1.0.0+",
    "18446744073709551616.0.0",
    "1.0.0-A",
    "1.0.0-a",
    " 1.0.0",
    "1.0.0+01",
    "1.0.0-rc.0",
]


def main() -> None:
    pool = semver_versions(11, EDGE)
    valid = run(["elixir", "-e", SCRIPT], "".join(v + "\n" for v in pool)).split()
    good = [v for v, ok in zip(pool, valid, strict=True) if ok == "true"]
    bad = [v for v, ok in zip(pool, valid, strict=True) if ok == "false"]
    pairs = pairs_of(good, 3000, seed=11) + [
        (a, b) for a in EDGE for b in EDGE if a in good and b in good
    ]
    out = run(["elixir", "-e", SCRIPT], "".join(f"{a}\t{b}\n" for a, b in pairs)).split()
    version = run(["elixir", "-e", "IO.puts(System.version())"]).strip()
    write_table(
        "hex",
        ecosystem="Hex",
        reference=f"Elixir {version} Version.parse/1 and Version.compare/2 (Debian 12 elixir)",
        script="hex_ref.py",
        sources="crates.io and Go advisory versions, npm versions, semver.org examples and edge cases",
        pairs=[
            (a, b, {"lt": -1, "eq": 0, "gt": 1}[r]) for (a, b), r in zip(pairs, out, strict=True)
        ],
        invalid=bad,
    )


if __name__ == "__main__":
    main()
