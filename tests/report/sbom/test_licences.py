"""Licence strings sorted into SPDX ids, SPDX expressions and names, checked against the list
and against license-expression, the validator spdx-tools uses on SPDX documents."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from license_expression import get_spdx_licensing

from seawall.report.sbom.licences import LicenceKind, is_spdx_expression, licence_kind, spdx_ids

ID, EXPRESSION, NAME = LicenceKind.ID, LicenceKind.EXPRESSION, LicenceKind.NAME


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("MIT", ID),
        ("Apache-2.0", ID),
        ("LGPL-2.1+", ID),  # deprecated, still on the list, and what Debian writes
        ("GPL-2.0", ID),
        ("mit", NAME),  # CycloneDX's enumeration is case-sensitive
        ("GPL-2+", NAME),  # Debian's spelling, no SPDX id
        ("Classpath-exception-2.0", NAME),  # an exception is no licence on its own
        ("LicenseRef-acme", NAME),
        ("", NAME),
        ("MIT OR Apache-2.0", EXPRESSION),
        ("MIT AND (BSD-3-Clause OR GPL-2.0-only WITH Classpath-exception-2.0)", EXPRESSION),
        ("Apache-2.0 WITH LLVM-exception OR MIT", EXPRESSION),
        ("(MIT) AND (X11)", EXPRESSION),
        ("LGPL-2.1+ OR MIT", EXPRESSION),
        ("(MIT)", NAME),  # no operator: a licence name that happens to be bracketed
        ("MIT or Apache-2.0", NAME),  # operators are case-sensitive (SPDX 2.3 annex D)
        ("mit OR apache-2.0", NAME),
        ("MIT OR Foo", NAME),
        ("MIT OR LicenseRef-acme", NAME),
        ("MIT+ OR X11", NAME),
        ("GPL-2.0-only WITH MIT", NAME),
        ("Classpath-exception-2.0 OR MIT", NAME),
        ("MIT OR OR Apache-2.0", NAME),
        ("MIT AND", NAME),
        ("MIT WITH", NAME),
        ("(MIT OR Apache-2.0", NAME),
        ("MIT OR Apache-2.0)", NAME),
        ("GPL-2.0-only WITH Classpath-exception-2.0 WITH Classpath-exception-2.0 OR MIT", NAME),
    ],
)
def test_licence_kind(value: str, kind: LicenceKind) -> None:
    assert licence_kind(value) is kind


def test_the_list_is_the_spdx_list() -> None:
    ids = spdx_ids()
    assert len(ids.licences) > 600 and len(ids.exceptions) > 40
    assert {"MIT", "Apache-2.0", "GPL-2.0-or-later", "GPL-2.0+"} <= ids.licences
    assert "LLVM-exception" in ids.exceptions and not ids.licences & ids.exceptions


def test_hostile_nesting_is_refused_not_crashed() -> None:
    deep = "(" * 50_000 + "MIT OR X11" + ")" * 50_000
    assert licence_kind(deep) is NAME
    assert licence_kind("(" * 10 + "MIT OR X11" + ")" * 10) is EXPRESSION


# Ids both this list and license-expression's (older) index know, for the comparisons below.
_LICENSING = get_spdx_licensing()
_SHARED = sorted(
    {"MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-only", "GPL-3.0-or-later", "LGPL-2.1+", "X11"}
)
_EXCEPTIONS = ["Classpath-exception-2.0", "LLVM-exception"]


def _well_formed() -> st.SearchStrategy[str]:
    simple = st.one_of(
        st.sampled_from(_SHARED),
        st.tuples(st.sampled_from(_SHARED), st.sampled_from(_EXCEPTIONS)).map(
            lambda pair: f"{pair[0]} WITH {pair[1]}"
        ),
    )
    return st.recursive(
        simple,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
            inner.map(lambda text: f"({text})"),
        ),
        max_leaves=6,
    )


@settings(max_examples=150, deadline=None)
@given(_well_formed())
def test_well_formed_expressions_are_accepted_by_both(expression: str) -> None:
    assert is_spdx_expression(expression)
    assert _LICENSING.validate(expression).errors == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_SHARED, *_EXCEPTIONS, "AND", "OR", "WITH", "(", ")", "mit", "Foo"]),
        min_size=1,
        max_size=7,
    ).map(" ".join)
)
def test_what_seawall_accepts_license_expression_accepts(text: str) -> None:
    # The SPDX writer puts expressions into licenseDeclared unchanged: any
    # expression seawall accepts must pass the validator spdx-tools runs.
    if is_spdx_expression(text):
        assert _LICENSING.validate(text).errors == [], text
