"""Regenerate tests/versions/data/nuget.json from NuGet.Versioning's own test expectations (no .NET here).

No .NET SDK is installable on this machine, so NuGet.Versioning cannot run.
The pairs are transcribed from NuGet/NuGet.Client
test/NuGet.Core.Tests/NuGet.Versioning.Test/VersionComparerTests.cs (commit
70cb6afb6e901b01f678036ec77492a835b97ae0: VersionComparisonDefaultEqual,
...DefaultLess, ...DefaultNotEqual) and the SemVer 2.0.0 §11 precedence chain,
which NuGet follows (case-insensitively).
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import itertools

from common import write_table

# VersionComparisonDefaultEqual
EQUAL = [
    ("1.0.0", "1.0.0"),
    ("1.0.0-BETA", "1.0.0-beta"),
    ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
    ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
]
# VersionComparisonDefaultLess
LESS = [
    ("0.0.0", "1.0.0"),
    ("1.0.0", "1.1.0"),
    ("1.0.0", "1.0.1"),
    ("1.999.9999", "2.1.1"),
    ("1.0.0-BETA", "1.0.0-beta2"),
    ("1.0.0-beta+AA", "1.0.0+aa"),
    ("1.0.0-BETA", "1.0.0-beta.1+AA"),
    ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
    ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
]
# semver.org 2.0.0 §11: each is lower than the next.
SEMVER_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]


def main() -> None:
    pairs = [(a, b, 0) for a, b in EQUAL] + [(b, a, 0) for a, b in EQUAL]
    pairs += [(a, b, -1) for a, b in LESS] + [(b, a, 1) for a, b in LESS]
    pairs += [
        (a, b, (i > j) - (i < j))
        for (i, a), (j, b) in itertools.product(enumerate(SEMVER_CHAIN), repeat=2)
    ]
    write_table(
        "nuget",
        ecosystem="NuGet",
        reference="expectations of NuGet.Versioning's VersionComparerTests.cs (NuGet/NuGet.Client "
        "70cb6afb6e901b01f678036ec77492a835b97ae0) and semver.org §11; not run: no .NET SDK here",
        script="nuget_ref.py",
        sources="transcribed test cases and the SemVer 2.0.0 precedence example",
        pairs=pairs,
    )


if __name__ == "__main__":
    main()
