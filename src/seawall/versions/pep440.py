"""Python package versions (PyPI), ordered by PEP 440 through `packaging.version`.

`packaging` is the reference implementation of PEP 440 (pip uses it), so this
module only wraps it: normalisation (`1.0 == 1.0.0 == v1.0`, case, `-`/`_`
separators, surrounding whitespace) and ordering are packaging's.

Legacy, non-PEP 440 strings (`2004d`, `1.0-SNAPSHOT`, `dev`) raise
InvalidVersionError. packaging dropped `LegacyVersion` in 22.0 and pip refuses
such versions since 24.1, so no current tool orders them; guessing an order
for them would turn a vulnerability match into a coin toss. A caller matching
advisories records such a package as unmatched with a problem instead.
"""

from packaging.version import InvalidVersion, Version

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "PyPI"


def parse(version: str) -> Version:
    """Parse a PEP 440 version; `Version` objects order as PEP 440 says."""
    check_text(ECOSYSTEM, version)
    try:
        return Version(version)
    except InvalidVersion:
        raise InvalidVersionError(ECOSYSTEM, version, "not a PEP 440 version") from None
