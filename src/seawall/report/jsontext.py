"""Indented JSON text for the document writers, written by orjson.

`dumps_indented(document)` is exactly `json.dumps(document, indent=2,
ensure_ascii=False)`: the standard library indents only in its pure-Python
encoder, which took most of the time of writing a large SBOM. orjson writes
the same text (two-space indent, `": "` and `","` separators, `[]`/`{}` for
empty containers, non-ASCII as is, the same escapes) for what SBOM documents
hold: str, int, bool, None, lists and dicts with str keys. It writes some
floats differently (`1e-05` vs `0.00001`), so documents with floats must not
use it. Anything orjson refuses (an int over 64 bits, a lone surrogate, a str
subclass, a date) goes to the standard library, which then behaves as before;
only a non-str Enum, which the standard library refuses, orjson writes as its
value.
"""

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_INDENT_2
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def dumps_indented(document: Any) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)`, fast; `document` holds no float."""
    try:
        return orjson.dumps(document, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(document, indent=2, ensure_ascii=False)
