"""Spelling a package URL from untrusted fields, with one error when none can be spelled.

Every cataloger's purl comes from a file it read, so its name, namespace and
version may be empty, only whitespace or slashes (which the purl spec's
normalisation strips to nothing), or hold lone surrogates (a JSON `\\ud800`
escape) that cannot be percent-encoded as UTF-8. packageurl-python answers
those with ValueError, TypeError or UnicodeEncodeError from deep inside;
`spell_purl` turns each into `PurlError`, whose message a cataloger records
as a problem on the file instead of letting the scan fail.
"""

from collections.abc import Mapping

from packageurl import PackageURL

_SHOWN_CHARS = 80
"""A hostile name may be megabytes long: problems show only its start."""


class PurlError(ValueError):
    """No package URL can be spelled from a package's fields; the message names them."""


def clipped(value: str) -> str:
    """`value` cut to its first `_SHOWN_CHARS` characters (an ellipsis says it was cut)."""
    return value if len(value) <= _SHOWN_CHARS else f"{value[:_SHOWN_CHARS]}…"


def shown(value: str) -> str:
    """`value` as a problem message shows it: quoted, escaped, at most `_SHOWN_CHARS` long."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}…"


def spell_purl(
    kind: str,
    name: str,
    version: str | None,
    namespace: str | None = None,
    qualifiers: Mapping[str, str] | None = None,
) -> str:
    """`pkg:KIND/NAMESPACE/NAME@VERSION?QUALIFIERS`, or PurlError naming what does not fit."""
    try:
        return PackageURL(
            type=kind,
            namespace=namespace,
            name=name,
            version=version,
            qualifiers=dict(qualifiers) if qualifiers else None,
        ).to_string()
    except (ValueError, TypeError):
        # ValueError: an empty name, or a character UTF-8 cannot encode (a lone
        # surrogate); TypeError: a name or namespace that normalises to nothing.
        full = f"{namespace}/{name}" if namespace else name
        at = f" version {shown(version)}" if version else ""
        raise PurlError(f"package {shown(full)}{at} has no valid package URL") from None
