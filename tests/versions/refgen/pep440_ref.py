"""Regenerate tests/versions/data/pep440.json with `packaging.version.Version` (the PEP 440 reference).

Run with the project's virtualenv: `.venv/bin/python tests/versions/refgen/pep440_ref.py`.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import packaging
from common import mixed_versions, pairs_of, write_table
from packaging.version import InvalidVersion, Version

EDGE = [
    "1.0",
    "1.0.0",
    "1",
    "v1.0",
    "V1.0",
    " 1.0 ",
    "1.0a1",
    "1.0.a1",
    "1.0-a1",
    "1.0_a1",
    "1.0alpha1",
    "1.0A1",
    "1.0b2",
    "1.0beta2",
    "1.0rc1",
    "1.0c1",
    "1.0pre1",
    "1.0preview1",
    "1.0.post1",
    "1.0-1",
    "1.0post1",
    "1.0r1",
    "1.0rev1",
    "1.0.dev1",
    "1.0dev",
    "1.0a1.dev1",
    "1.0.post1.dev1",
    "1!1.0",
    "0!2.0",
    "1.0+local",
    "1.0+local.1",
    "1.0+Local.2",
    "1.0+1",
    "1.0+abc.5",
    "1.0.0.0.0",
    "01.0",
    "1.0a",
    "1.0.post",
    "1.0-",
]


def main() -> None:
    pool = sorted(set(mixed_versions(seed=12)) | set(EDGE))
    parsed: dict[str, Version] = {}
    bad = []
    for v in pool:
        try:
            parsed[v] = Version(v)
        except InvalidVersion:
            bad.append(v)
    pairs = pairs_of(sorted(parsed), 3000, seed=12) + [
        (a, b) for a in EDGE for b in EDGE if a in parsed and b in parsed
    ]
    write_table(
        "pep440",
        ecosystem="PyPI",
        reference=f"packaging.version.Version of packaging {packaging.__version__}",
        script="pep440_ref.py",
        sources="PyPI advisory versions, npm, Go, crates.io versions, Debian upstreams, PEP 440 edge cases",
        pairs=[(a, b, (parsed[a] > parsed[b]) - (parsed[a] < parsed[b])) for a, b in pairs],
        invalid=bad,
    )


if __name__ == "__main__":
    main()
