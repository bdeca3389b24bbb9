"""Composer versions (Packagist): composer/semver normalisation, then PHP's `version_compare`.

Composer orders versions by normalising them with
`Composer\\Semver\\VersionParser::normalize` (composer/semver 3.x) and comparing
the results with PHP's `version_compare()` (ext/standard/versioning.c). Both
steps are ported here:

- normalisation trims, drops `@stability` flags, `x as y` aliases and `+build`
  metadata, pads classical versions to four numbers (`v1.2` → `1.2.0.0`),
  expands `a`/`b`/`p`/`pl`/`rc` to `alpha`/`beta`/`patch`/`patch`/`RC`, turns
  dates into dotted numbers, numeric branches into `1.2.9999999.9999999-dev` and
  other branches into `dev-name`; anything else is invalid (as in Composer);
- `version_compare` canonicalises (`-`, `_`, `+` and other non-alphanumerics
  become `.`, a `.` goes between digits and letters), then compares part by
  part: numbers numerically, words by the special forms dev < alpha = a <
  beta = b < RC = rc < (number) < pl = p (matched by prefix, unknown words
  lowest), a word against a number as against `#`, and a longer remainder as
  the remainder against `#N#`.

The composite is what `Composer\\Semver\\Semver::sort` computes, except that
Composer never orders two branch names (`dev-a`, `dev-b`) against each other;
here they fall to `version_compare` like everything else.
"""

import re
from functools import total_ordering

from seawall.versions.errors import InvalidVersionError, check_text

ECOSYSTEM = "Packagist"

_FLAGS = re.ASCII | re.IGNORECASE
_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?"
_STABILITIES = r"stable|RC|beta|alpha|dev"
_ALIAS = re.compile(r"^([^,\s]++) ++as ++([^,\s]++)$", re.ASCII)
_STABILITY_FLAG = re.compile(rf"@(?:{_STABILITIES})$", _FLAGS)
_BUILD = re.compile(r"^([^,\s+]++)\+[^\s]++$", re.ASCII)
_CLASSICAL = re.compile(rf"^v?(\d{{1,5}})(\.\d++)?(\.\d++)?(\.\d++)?{_MODIFIER}$", _FLAGS)
_DATE = re.compile(rf"^v?(\d{{4}}(?:[.:-]?\d{{2}}){{1,6}}(?:[.:-]?\d{{1,3}})?){_MODIFIER}$", _FLAGS)
_DEV_SUFFIX = re.compile(r"(.*?)[.-]?dev$", _FLAGS)
_NUMERIC_BRANCH = re.compile(
    r"^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$", _FLAGS
)
_PHP_TRIM = " \t\n\r\0\x0b"
_EXPANDED = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _ascii_lower(text: str) -> str:
    # PHP 8 strtolower() and the /i flag without /u touch ASCII letters only.
    return text.translate(_LOWER)


def _normalize_branch(name: str) -> str:
    name = name.strip(_PHP_TRIM)
    match = _NUMERIC_BRANCH.search(name)
    if match is None:
        return "dev-" + name
    # PHP leaves unmatched trailing groups unset: those become ".x".
    version = "".join(
        ".x" if group is None else group.replace("*", "x").replace("X", "x")
        for group in match.groups()
    )
    return version.replace("x", "9999999") + "-dev"


def normalize(version: str) -> str:
    """VersionParser::normalize; InvalidVersionError where it throws."""
    text = version.strip(_PHP_TRIM)
    alias = _ALIAS.search(text)
    if alias:
        text = alias.group(1)
    flag = _STABILITY_FLAG.search(text)
    if flag:
        text = text[: len(text) - len(flag.group(0))]
    if text in ("master", "trunk", "default"):
        text = "dev-" + text
    if _ascii_lower(text[:4]) == "dev-":
        return "dev-" + text[4:]
    build = _BUILD.search(text)
    if build:
        text = build.group(1)
    match = _CLASSICAL.search(text)
    if match:
        text = match.group(1) + "".join(match.group(i) or ".0" for i in (2, 3, 4))
        index = 5
    else:
        match = _DATE.search(text)
        if match:
            text = re.sub(r"\D", ".", match.group(1), flags=re.ASCII)
            index = 2
    if match:
        stability, number, dev = match.group(index, index + 1, index + 2)
        if stability:
            if stability == "stable":
                return text
            lowered = _ascii_lower(stability)
            text += "-" + _EXPANDED.get(lowered, lowered) + (number.lstrip(".-") if number else "")
        if dev:
            text += "-dev"
        return text
    branch = _DEV_SUFFIX.search(text)
    if branch:
        normalized = _normalize_branch(branch.group(1))
        if "dev-" not in normalized:
            return normalized
    raise InvalidVersionError(ECOSYSTEM, version, "not a Composer version")


# --- PHP version_compare(), ext/standard/versioning.c -------------------------

_SPECIAL_FORMS = (
    (b"dev", 0), (b"alpha", 1), (b"a", 1), (b"beta", 2), (b"b", 2),
    (b"RC", 3), (b"rc", 3), (b"#", 4), (b"pl", 5), (b"p", 5),
)  # fmt: skip
_LONG_MAX = 2**63 - 1
_NUMBER_FORM = b"#N#"


def _isdigit(byte: int) -> bool:
    return 48 <= byte <= 57


def _isalnum(byte: int) -> bool:
    return _isdigit(byte) or 65 <= byte <= 90 or 97 <= byte <= 122


def canonicalize(version: bytes) -> bytes:
    """php_canonicalize_version: separators to `.`, a `.` between digits and non-digits."""
    if not version:
        return b""
    out = bytearray(version[:1])
    last = version[0]
    for byte in version[1:]:
        tail = out[-1]
        if byte in b"-_+":
            if tail != 0x2E:
                out.append(0x2E)
        elif (last != 0x2E and not _isdigit(last) and _isdigit(byte)) or (
            _isdigit(last) and byte != 0x2E and not _isdigit(byte)
        ):
            if tail != 0x2E:
                out.append(0x2E)
            out.append(byte)
        elif not _isalnum(byte):
            if tail != 0x2E:
                out.append(0x2E)
        else:
            out.append(byte)
        last = byte
    return bytes(out)


def _special_form(form: bytes) -> int:
    # strncmp(form, name, strlen(name)): a prefix match, first entry wins.
    return next((order for name, order in _SPECIAL_FORMS if form.startswith(name)), -1)


def _cmp_forms(a: bytes, b: bytes) -> int:
    x, y = _special_form(a), _special_form(b)
    return (x > y) - (x < y)


def _strtol(part: bytes) -> int:
    digits = re.match(rb"[0-9]*", part)
    assert digits is not None
    return min(int(digits.group() or b"0"), _LONG_MAX)


def version_compare(a: bytes, b: bytes) -> int:
    """PHP's php_version_compare() on two byte strings."""
    if not a or not b:
        return (bool(a) > bool(b)) - (bool(a) < bool(b))
    v1 = a if a[:1] == b"#" else canonicalize(a)
    v2 = b if b[:1] == b"#" else canonicalize(b)
    # Emulates the C walk with strchr(): p is where the current part starts,
    # n where it ends (None once the last part was taken).
    p1 = p2 = 0
    n1: int | None = 0
    n2: int | None = 0
    compare = 0
    while p1 < len(v1) and p2 < len(v2) and n1 is not None and n2 is not None:
        dot1, dot2 = v1.find(b".", p1), v2.find(b".", p2)
        n1 = dot1 if dot1 >= 0 else None
        n2 = dot2 if dot2 >= 0 else None
        part1 = v1[p1:n1] if n1 is not None else v1[p1:]
        part2 = v2[p2:n2] if n2 is not None else v2[p2:]
        digit1 = bool(part1) and _isdigit(part1[0])
        digit2 = bool(part2) and _isdigit(part2[0])
        if digit1 and digit2:
            l1, l2 = _strtol(part1), _strtol(part2)
            compare = (l1 > l2) - (l1 < l2)
        elif not digit1 and not digit2:
            compare = _cmp_forms(part1, part2)
        elif digit1:
            compare = _cmp_forms(_NUMBER_FORM, part2)
        else:
            compare = _cmp_forms(part1, _NUMBER_FORM)
        if compare:
            return compare
        if n1 is not None:
            p1 = n1 + 1
        if n2 is not None:
            p2 = n2 + 1
    if n1 is not None:
        rest = v1[p1:]
        return 1 if rest[:1].isdigit() else version_compare(rest, _NUMBER_FORM)
    if n2 is not None:
        rest = v2[p2:]
        return -1 if rest[:1].isdigit() else version_compare(_NUMBER_FORM, rest)
    return 0


@total_ordering
class ComposerVersion:
    """A normalised Composer version; orders as version_compare on the normal forms."""

    __slots__ = ("_bytes", "normalized")

    def __init__(self, normalized: str) -> None:
        self.normalized = normalized
        # PHP compares the bytes of the UTF-8 string.
        self._bytes = normalized.encode("utf-8", "surrogatepass")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComposerVersion):
            return NotImplemented
        return version_compare(self._bytes, other._bytes) == 0

    def __lt__(self, other: "ComposerVersion") -> bool:
        return version_compare(self._bytes, other._bytes) < 0

    __hash__ = None  # type: ignore[assignment]


def parse(version: str) -> ComposerVersion:
    """Normalise a Composer version into its comparable form."""
    check_text(ECOSYSTEM, version)
    return ComposerVersion(normalize(version))
