"""`dumps_indented` writes exactly what `json.dumps(indent=2, ensure_ascii=False)` writes."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.report.jsontext import dumps_indented

# What SBOM documents hold: no floats (orjson writes some differently).
documents = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def standard(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_same_text_as_the_standard_library(document: Any) -> None:
    assert dumps_indented(document) == standard(document)


def test_edge_values() -> None:
    cases: list[Any] = [
        {"a": [], "b": {}, "c": [{}], "d": [[]]},
        "".join(chr(i) for i in range(0x800)) + "\u2028\u2029\U0001f600",
        {"big": 2**70, "negative": -(2**70)},  # past orjson: the standard library writes it
        {"lone": "\ud800"},  # a lone surrogate: the standard library writes it
        [True, False, None, 0, -1],
    ]
    for document in cases:
        assert dumps_indented(document) == standard(document)
