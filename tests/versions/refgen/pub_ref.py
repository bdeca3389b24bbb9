"""Regenerate tests/versions/data/pub.json from pub_semver's own test expectations (no Dart here).

No Dart SDK is installable on this machine, so pub_semver cannot run. The
table is read from its test suite, test/version_test.dart of a checkout of
dart-lang/pub_semver (`PUB_SEMVER_SRC`, `PUB_SEMVER_COMMIT` for the header):
every pair of the sorted "comparison" list (compareTo must follow the list
order), the "equality" pairs, and the strings `Version.parse` must reject.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import itertools
import os
import re
from pathlib import Path

from common import write_table


def main() -> None:
    src = Path(os.environ["PUB_SEMVER_SRC"])
    test = (src / "test" / "version_test.dart").read_text()
    group = test[test.index("group('comparison'") :]
    ordered = re.findall(r"'([^']+)'", group[group.index("[") : group.index("];")])
    pairs = [
        (a, b, (i > j) - (i < j))
        for (i, a), (j, b) in itertools.product(enumerate(ordered), repeat=2)
    ]
    equality = group[group.index("test('equality'") :]
    equality = equality[: equality.index("});")]
    for a, b in re.findall(
        r"Version\.parse\('([^']+)'\),\s*equals\(Version\.parse\('([^']+)'\)", equality
    ):
        pairs += [(a, b, 0), (b, a, 0)]
    invalid = re.findall(r"Version\.parse\('([^']+)'\), throwsFormatException", test)
    write_table(
        "pub",
        ecosystem="Pub",
        reference="expectations of pub_semver's test/version_test.dart (dart-lang/pub_semver "
        f"{os.environ.get('PUB_SEMVER_COMMIT', 'checkout')}); not run: no Dart SDK here",
        script="pub_ref.py",
        sources="the 'comparison' list (all ordered pairs), 'equality' pairs and the parse failures",
        pairs=pairs,
        invalid=invalid,
    )


if __name__ == "__main__":
    main()
