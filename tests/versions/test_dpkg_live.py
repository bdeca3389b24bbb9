"""Differential test against the installed `dpkg --compare-versions` (slow tier)."""

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.versions import InvalidVersionError, compare

pytestmark = pytest.mark.slow

# Epochs, digits, every separator dpkg treats specially, letters, and a byte
# dpkg only warns about; no leading '-' (dpkg's command line reads it as an option).
_PART = st.text(alphabet="0123456789.+~-:aZz_", min_size=1, max_size=12)
_VERSIONS = _PART.filter(lambda v: not v.startswith("-"))


def _dpkg(a: str, op: str, b: str) -> int:
    return subprocess.run(
        ["dpkg", "--compare-versions", a, op, b], capture_output=True, check=False
    ).returncode


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg is not installed")
@settings(max_examples=300, deadline=None)
@given(_VERSIONS, _VERSIONS)
def test_agrees_with_dpkg(a: str, b: str) -> None:
    less = _dpkg(a, "lt", b)
    if less == 2:  # dpkg: bad syntax (an error, not a warning)
        with pytest.raises(InvalidVersionError):
            compare("Debian", a, b)
        return
    expected = -1 if less == 0 else (0 if _dpkg(a, "eq", b) == 0 else 1)
    assert compare("Debian", a, b) == expected
