"""Files built to make the secret scanner slow: work stays linear in the file's size.

A hostile image may hold any file; scanning must not stall on one. Two shapes
did: a PEM body pattern that could run across other key headers (16,000
characters tried after every one of them), and a check of each candidate against
every span claimed before it (quadratic in the candidates of one file).
"""

import base64
import time

import pytest

from seawall.analyze.secrets import SecretEngine, builtin_rules

ENGINE = SecretEngine(builtin_rules())
BODY = base64.b64encode(bytes(range(256)) * 2).decode()


def _key(kind: str) -> str:
    lines = "\n".join(BODY[i : i + 64] for i in range(0, 256, 64))
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n"


@pytest.mark.parametrize("kind", ["PRIVATE KEY", "RSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"])
def test_a_key_body_never_runs_across_another_header(kind: str) -> None:
    # A stray header above a real key (lines 1-2): the key is found at its own header
    # (line 3), not as one body running from the stray header across the real one.
    stray = f"-----BEGIN {kind}-----\n{BODY[:70]}\n"
    (hit,) = ENGINE.scan_bytes((stray + _key(kind)).encode(), "/srv/app/key.pem").hits
    assert hit.line is not None and hit.line >= 3


def _seconds(data: bytes) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        ENGINE.scan_bytes(data, "/srv/app/config.env")
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [b"password: ", b"-----BEGIN PRIVATE KEY-----\n", b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n"],
)
def test_scanning_time_grows_linearly_with_repeated_keywords(unit: bytes) -> None:
    # Four times the bytes, about four times the time (a ratio, so any machine's
    # speed cancels out): quadratic work gave 13-16 here.
    small = unit * (64 * 1024 // len(unit))
    ratio = _seconds(small * 4) / _seconds(small)
    assert ratio < 9, ratio
