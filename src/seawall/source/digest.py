"""Content digests: strict parsing, hashing, and a reader that verifies as it reads.

A digest is `algorithm:encoded` (OCI image spec, descriptor.md "Digests").
Only the registered algorithms sha256 and sha512 are accepted, with lowercase
hex of exactly their length: that strictness is also what makes a digest safe
to use as a file name (`blobs/sha256/<hex>`), since nothing else can pass.
"""

import hashlib
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

from seawall.source.errors import DigestMismatchError, MalformedDocumentError

_HEX_LENGTHS = {"sha256": 64, "sha512": 128}
_DIGEST = re.compile(r"\A(sha256|sha512):([0-9a-f]+)\Z")


@dataclass(frozen=True, slots=True)
class Digest:
    """A validated content digest."""

    algorithm: str
    hex: str

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    def hasher(self) -> "hashlib._Hash":
        """A fresh hash object for this digest's algorithm."""
        return hashlib.new(self.algorithm)


def parse_digest(text: object, *, what: str) -> Digest:
    """`text` as a Digest, or `MalformedDocumentError` naming `what`."""
    if not isinstance(text, str):
        raise MalformedDocumentError(f"{what}: digest must be a string, got {type(text).__name__}")
    match = _DIGEST.match(text)
    if match is None or len(match.group(2)) != _HEX_LENGTHS[match.group(1)]:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise MalformedDocumentError(
            f"{what}: invalid digest {shown!r}; expected sha256:<64 hex> or sha512:<128 hex>"
        )
    return Digest(match.group(1), match.group(2))


def validate_digest(text: object, *, what: str) -> str:
    """`text` unchanged if it is a valid digest (see `parse_digest`)."""
    return str(parse_digest(text, what=what))


def digest_bytes(data: bytes, algorithm: str = "sha256") -> str:
    """The digest of `data`, as `algorithm:hex`."""
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


class VerifyingReader(io.RawIOBase):
    """Reads a stream while hashing it; at its end, checks the digest (and size).

    Raises `DigestMismatchError` from the read that reaches the end if the bytes
    do not hash to `expected`, and `MalformedDocumentError` as soon as more
    than `expected_size` bytes arrive or fewer arrive by the end. Nothing read
    is trusted until that final read returns.
    """

    def __init__(
        self, raw: BinaryIO, expected: Digest, *, what: str, expected_size: int | None = None
    ) -> None:
        super().__init__()
        self._raw = raw
        self._expected = expected
        self._hash = expected.hasher()
        self._what = what
        self._size = expected_size
        self._count = 0
        self.verified = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._size is not None:
            # Read one byte past the promised size so an over-long blob is caught.
            view = view[: max(0, min(len(view), self._size - self._count + 1))]
        if len(view) == 0:
            view = memoryview(buffer).cast("B")[:1]
        n = read_into(self._raw, view)
        if n:
            self._hash.update(view[:n])
            self._count += n
            if self._size is not None and self._count > self._size:
                raise MalformedDocumentError(
                    f"{self._what}: more than the {self._size} bytes its descriptor declares"
                )
            return n
        self._finish()
        return 0

    def _finish(self) -> None:
        if self.verified:
            return
        if self._size is not None and self._count != self._size:
            raise MalformedDocumentError(
                f"{self._what}: {self._count} bytes where its descriptor declares {self._size}; "
                "the blob is truncated"
            )
        actual = f"{self._expected.algorithm}:{self._hash.hexdigest()}"
        if actual != str(self._expected):
            raise DigestMismatchError(self._what, str(self._expected), actual)
        self.verified = True

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def read_into(raw: BinaryIO, view: memoryview) -> int:
    """Fills `view` from `raw` with one read, without an extra copy when `raw` allows it."""
    readinto = getattr(raw, "readinto", None)
    if readinto is not None:
        n = readinto(view)
        return 0 if n is None else int(n)
    data = raw.read(len(view))
    view[: len(data)] = data
    return len(data)


def verify_bytes(data: bytes, expected: Digest, *, what: str) -> None:
    """Raises `DigestMismatchError` unless `data` hashes to `expected`."""
    actual = f"{expected.algorithm}:{hashlib.new(expected.algorithm, data).hexdigest()}"
    if actual != str(expected):
        raise DigestMismatchError(what, str(expected), actual)
