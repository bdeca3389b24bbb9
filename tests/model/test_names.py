"""Package names as ecosystems compare them; PyPI's rule is PEP 503's, as packaging has it."""

from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from seawall.model.names import normalize_name, pep503_name

# Names as registries and hostile lockfiles write them: separators in runs,
# at the ends, mixed case, non-ASCII letters whose lower case is longer.
NAME_CHARS = st.sampled_from([*"-_.aZz09 ", "İ", "ẞ", "Σ", "ǅ"])


@given(st.text(NAME_CHARS, max_size=24) | st.text(max_size=24))
def test_pep503_name_is_packagings_canonical_name(name: str) -> None:
    assert pep503_name(name) == canonicalize_name(name)


def test_pypi_names_fold_separators_and_case() -> None:
    assert normalize_name("PyPI", "Zope.Interface") == "zope-interface"
    assert normalize_name("PyPI", "typing__extensions") == "typing-extensions"
    assert normalize_name("PyPI", "a-_.-b") == "a-b"


def test_other_ecosystems_keep_their_own_rules() -> None:
    assert normalize_name("crates.io", "Serde_JSON") == "serde-json"
    assert normalize_name("NuGet", "Newtonsoft.Json") == "newtonsoft.json"
    assert normalize_name("npm", "JSONStream") == "JSONStream"
    assert normalize_name("Debian:12", "libssl3") == "libssl3"
