"""Structural checks that turn a regex match into a credible credential.

- `github-crc32`: GitHub's token formats (github.blog, 2021-04-05, "Behind
  GitHub's new authentication token formats") end in a 6-character base62
  CRC32 of the 30 random characters after the prefix; npm's `npm_` tokens use
  the same scheme (github.blog, 2021-09-23). A typo'd or made-up token fails it.
- `jwt`: the header segment is base64url JSON with an `alg` (RFC 7519 §5, RFC 7515 §4.1.1).
- `mixed-case-digits`: a bare 40-character base64 value is an AWS secret key
  only if it mixes upper case, lower case and digits, as random keys do.
"""

import base64
import binascii
import json
import zlib
from collections.abc import Callable

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int = 6) -> str:
    """`number` in base62 (digits, upper, lower), left-padded with `0` to `width`."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    return digits.rjust(width, "0")


def github_crc32(token: str) -> bool:
    """True when the token's last 6 characters are the base62 CRC32 of its random part."""
    _, sep, body = token.partition("_")
    if not sep or len(body) < 7:
        return False
    random_part, checksum = body[:-6], body[-6:]
    return base62(zlib.crc32(random_part.encode())) == checksum


def jwt(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: nested too deeply
        return False
    return isinstance(decoded, dict) and isinstance(decoded.get("alg"), str)


def mixed_case_digits(value: str) -> bool:
    return (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    )


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github-crc32": github_crc32,
    "jwt": jwt,
    "mixed-case-digits": mixed_case_digits,
}
