"""Regenerate tests/versions/data/dpkg.json with `dpkg --compare-versions` (run on Debian)."""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import subprocess

from common import debian_versions, pairs_of, run, write_table

EDGE = [
    "1.0~rc1",
    "1.0~~",
    "1.0~",
    "1.0",
    "1.0+",
    "1.0a",
    "1.0.",
    "1.0-0",
    "1.0-1~bpo1",
    "1:0.9",
    "0:1.0",
    "1.0-1",
    "1.0-1.1",
    "1.0-1+b1",
    "1.0-1+deb12u1",
    "1.0-1~deb11u1",
    "2:1",
    "10:1",
    "1.0.0",
    "1.00",
    "01.0",
    "1.0-a",
    "1.0+dfsg-1",
    "1.0+dfsg1-1",
    "1.0~dfsg-1",
    "1.02",
    "1.2",
    "1.0-1-1",
    "1:1.0:1-1",
    "abc",
    "1.0é",
    "1.0_1",
    "1.0!1",
    "+1:2",
    " 1.0",
    "1.0 ",
    "1.0\t",
    "\n1:2",
]
INVALID = [
    "1.0:1-1",
    "1:",
    ":1",
    "1 0",
    "1.0-",
    "x:1",
    "99999999999:1",
    "2147483648:1",
    "1.0- ",
    "a:b:c",
]


def verdict(a: str, b: str) -> int | None:
    def test(op: str) -> int:
        return subprocess.run(
            ["dpkg", "--compare-versions", a, op, b], capture_output=True
        ).returncode

    less = test("lt")
    if less == 2:
        return None
    return -1 if less == 0 else (0 if test("eq") == 0 else 1)


def main() -> None:
    pool = debian_versions() + EDGE
    pairs = [(a, b) for a, b in pairs_of(pool, 3000, seed=1)]
    pairs += [(a, b) for a in EDGE for b in EDGE[:20]]
    table = []
    for a, b in pairs:
        result = verdict(a, b)
        assert result is not None, (a, b)
        table.append((a, b, result))
    for bad in INVALID:
        assert verdict(bad, "1.0") is None, bad
    dpkg_version = run(["dpkg-query", "-W", "-f=${Version}", "dpkg"])
    write_table(
        "dpkg",
        ecosystem="Debian",
        reference=f"dpkg --compare-versions (dpkg {dpkg_version}, Debian 12)",
        script="dpkg_ref.py",
        sources="Version fields of /var/lib/dpkg/status and `apt-cache dumpavail` on Debian 12, plus edge cases",
        pairs=table,
        invalid=INVALID,
    )


if __name__ == "__main__":
    main()
