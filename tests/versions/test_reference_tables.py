"""Every comparator agrees with its ecosystem's reference implementation on the checked-in tables.

The tables (tests/versions/data/*.json) were produced by the references
themselves (dpkg, librpm, apk-tools, packaging, node-semver, Maven, RubyGems,
composer/semver + PHP, x/mod/semver, the semver crate, Elixir) or, where none
runs here (NuGet, Pub), from the references' own test expectations; each
header names which, and tests/versions/refgen/ regenerates them.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from seawall.versions import InvalidVersionError, compare
from seawall.versions.composer import normalize

DATA = Path(__file__).parent / "data"
TABLES = {
    "apk": "Alpine:v3.20",
    "cargo": "crates.io",
    "composer": "Packagist",
    "dpkg": "Debian:12",
    "go": "Go",
    "hex": "Hex",
    "maven": "Maven",
    "npm": "npm",
    "nuget": "NuGet",
    "pep440": "PyPI",
    "pub": "Pub",
    "rpm": "Red Hat",
    "rubygems": "RubyGems",
}


@cache
def table(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return loaded


def test_every_table_is_covered_and_says_where_it_came_from() -> None:
    assert {p.stem for p in DATA.glob("*.json")} == set(TABLES)
    for name in TABLES:
        header = table(name)
        assert header["reference"] and header["sources"]
        assert (Path(__file__).parents[2] / header["generated_by"]).is_file()


@pytest.mark.parametrize("name", sorted(TABLES))
def test_agrees_with_reference(name: str) -> None:
    ecosystem = TABLES[name]
    pairs = table(name)["pairs"]
    assert len(pairs) >= 100
    wrong = [
        (a, b, expected, got)
        for a, b, expected in pairs
        if (got := compare(ecosystem, a, b)) != expected
    ]
    assert not wrong, f"{len(wrong)} of {len(pairs)} disagree, e.g. {wrong[:5]}"
    # The tables are not lopsided: all three outcomes occur.
    assert {expected for _, _, expected in pairs} == {-1, 0, 1}


@pytest.mark.parametrize("name", sorted(n for n in TABLES if table(n)["invalid"]))
def test_rejects_what_reference_rejects(name: str) -> None:
    for version in table(name)["invalid"]:
        with pytest.raises(InvalidVersionError):
            compare(TABLES[name], version, version)


def test_composer_normal_forms_match_version_parser() -> None:
    normalized = table("composer")["normalized"]
    assert len(normalized) > 30
    assert {version: normalize(version) for version in normalized} == normalized
