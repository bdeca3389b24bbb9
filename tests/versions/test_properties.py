"""Property tests: every comparator is a total order and fails only with InvalidVersionError.

Versions are drawn from the reference tables (real versions of each
ecosystem) and from text built of the characters each scheme cares about, so
that both realistic and odd-but-valid versions are exercised.
"""

import itertools
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.versions import InvalidVersionError, compare, key

DATA = Path(__file__).parent / "data"
SCHEMES = {
    "Debian": ("dpkg", "0123456789.:-+~abzAZ"),
    "Red Hat": ("rpm", "0123456789.:-+~^_abzAZ"),
    "Alpine": ("apk", "0123456789._-~rabcefgilnoprstv"),
    "PyPI": ("pep440", "0123456789.!+-_abcdeilnoprstv"),
    "npm": ("npm", "0123456789.-+=vabzAZ"),
    "Go": ("go", "0123456789.-+vabz"),
    "Maven": ("maven", "0123456789.-abcfgilmnprstxz"),
    "RubyGems": ("rubygems", "0123456789.-abprezAZ"),
    "crates.io": ("cargo", "0123456789.-+abzAZ"),
    "NuGet": ("nuget", "0123456789.-+abzAZ"),
    "Packagist": ("composer", "0123456789.-+_@vabdeilprstvRCx"),
    "Hex": ("hex", "0123456789.-+abzAZ"),
    "Pub": ("pub", "0123456789.-+abzAZ"),
}


@cache
def table_versions(name: str) -> list[str]:
    pairs = json.loads((DATA / f"{name}.json").read_text())["pairs"]
    return sorted({v for a, b, _ in pairs for v in (a, b)})


def versions(ecosystem: str) -> st.SearchStrategy[str]:
    name, alphabet = SCHEMES[ecosystem]
    crafted = st.text(alphabet=alphabet, min_size=1, max_size=20)
    real = st.sampled_from(table_versions(name))
    # Crafted strings that happen to be valid, mixed with real ones.
    return st.one_of(real, crafted.filter(lambda v: valid(ecosystem, v)))


def valid(ecosystem: str, version: str) -> bool:
    try:
        key(ecosystem, version)
    except InvalidVersionError:
        return False
    return True


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@pytest.mark.parametrize("ecosystem", sorted(SCHEMES))
def test_total_order(ecosystem: str) -> None:
    @PROPERTY
    @given(versions(ecosystem), versions(ecosystem), versions(ecosystem))
    def check(a: str, b: str, c: str) -> None:
        assert compare(ecosystem, a, a) == 0
        ab, ba = compare(ecosystem, a, b), compare(ecosystem, b, a)
        assert ab == -ba  # antisymmetry
        # Transitivity, for every arrangement of the three.
        triple = sorted([a, b, c], key=lambda v: key(ecosystem, v))
        low, mid, high = triple
        assert compare(ecosystem, low, mid) <= 0 and compare(ecosystem, mid, high) <= 0
        assert compare(ecosystem, low, high) <= 0
        if compare(ecosystem, low, mid) == 0 and compare(ecosystem, mid, high) == 0:
            assert compare(ecosystem, low, high) == 0
        if compare(ecosystem, low, mid) < 0 or compare(ecosystem, mid, high) < 0:
            assert compare(ecosystem, low, high) < 0

    check()


@pytest.mark.parametrize("ecosystem", sorted(SCHEMES))
def test_sorting_agrees_with_compare(ecosystem: str) -> None:
    @PROPERTY
    @given(st.lists(versions(ecosystem), min_size=2, max_size=12))
    def check(items: list[str]) -> None:
        ordered = sorted(items, key=lambda v: key(ecosystem, v))
        for left, right in itertools.pairwise(ordered):
            assert compare(ecosystem, left, right) <= 0

    check()


@pytest.mark.parametrize("ecosystem", sorted(SCHEMES))
def test_arbitrary_text_fails_only_as_invalid_version(ecosystem: str) -> None:
    @settings(max_examples=150, deadline=None)
    @given(st.one_of(st.text(max_size=40), st.text(alphabet=SCHEMES[ecosystem][1], max_size=40)))
    def check(text: str) -> None:
        try:
            result = compare(ecosystem, text, "1.0.0")
        except InvalidVersionError as error:
            assert error.ecosystem == ecosystem and error.version == text
        else:
            assert result in (-1, 0, 1)

    check()
