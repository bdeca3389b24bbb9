"""Opening one layer as a verified, decompressed tar stream.

Every source ends here: it supplies the stored bytes and what it knows about
them (media type, blob digest and size, diff_id), and gets back the tar
stream inside a context manager. The stored blob's digest is checked when it
is known; otherwise the uncompressed stream is checked against the diff_id
(legacy docker-archive, where only the config names the layer). Leaving the
`with` block normally reads whatever the caller left unread, so a tampered
layer cannot pass just because its reader stopped at the tar end marker.

A blob that is a range of a local file (`LocalBlob`) of at least
`MIN_SIDE_BYTES` is hashed by a child process while the caller reads it
(`sideverify`); an uncompressed one is then read with `pread`, and member data
nobody asks for is skipped rather than read. A caller that started the hashing
of such blobs before reading them (`watch_ahead`, `AheadVerification`) passes
it as `ahead`: the reader then only checks that the file is the one being
hashed, and the caller's `check()` gives the verdict.
"""

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO, NamedTuple, cast

from seawall.errors import LimitExceededError
from seawall.limits import Limits
from seawall.source.compression import (
    decompressed_stream,
    detect_compression,
    open_layer_stream,
)
from seawall.source.digest import Digest, VerifyingReader, parse_digest
from seawall.source.localblob import FileState, LocalBlob, PlainRange, open_blob
from seawall.source.mediatypes import Compression, layer_type
from seawall.source.sideverify import (
    MIN_SIDE_BYTES,
    AheadVerification,
    SideVerification,
    changed_while_read,
    side_verification_available,
)

_DRAIN_CHUNK = 1 << 20


class StoredLayer(NamedTuple):
    """A layer's stored blob as a range of a local file, and what it must hash to."""

    blob: LocalBlob
    media_type: str | None
    digest: str | None
    size: int | None
    diff_id: str | None
    what: str


def watch_ahead(ahead: AheadVerification, layer: StoredLayer) -> None:
    """Have `ahead` hash `layer`'s blob when a reader would hash it in a child process.

    Other blobs (small ones, and compressed ones known only by the digest of
    their inflated bytes) are left to their readers, which hash them inline.
    """
    fd, state = open_blob(layer.blob, what=layer.what)
    try:
        side = _side_check(
            fd, layer.blob, layer.media_type, layer.digest, layer.diff_id, layer.what
        )
    except BaseException:
        os.close(fd)
        raise
    if side is None:
        os.close(fd)
        return
    _compression, expected, checked = side
    expected_size = layer.size if layer.digest is not None else None
    ahead.watch(fd, state, layer.blob, expected, expected_size=expected_size, what=checked)


def open_stored_layer(
    layer: StoredLayer, limits: Limits, ahead: AheadVerification | None
) -> AbstractContextManager[BinaryIO]:
    """`verified_layer_stream` of a stored layer: what a local source's `open_layer` gives."""
    return verified_layer_stream(
        layer.blob,
        media_type=layer.media_type,
        digest=layer.digest,
        size=layer.size,
        diff_id=layer.diff_id,
        what=layer.what,
        limits=limits,
        ahead=ahead,
    )


@contextmanager
def verified_layer_stream(
    raw: BinaryIO | LocalBlob,
    *,
    media_type: str | None,
    digest: str | None,
    size: int | None,
    diff_id: str | None,
    what: str,
    limits: Limits,
    ahead: AheadVerification | None = None,
) -> Iterator[BinaryIO]:
    """The uncompressed tar stream of the blob in `raw` (closed on exit).

    `media_type` None detects the compression from the bytes. At least one of
    `digest` (stored blob) and `diff_id` (uncompressed tar) should be given;
    with neither, nothing can be verified and the caller must say so. When
    `ahead` is hashing this blob, nothing read is trusted until the caller's
    `ahead.check()` has passed.
    """
    if not isinstance(raw, LocalBlob):
        with _inline(raw, media_type, digest, size, diff_id, what, limits) as stream:
            yield stream
        return
    fd, state = open_blob(raw, what=what)
    try:
        side = _side_check(fd, raw, media_type, digest, diff_id, what)
        if side is None:
            plain = cast(BinaryIO, PlainRange(fd, raw))
            with _inline(plain, media_type, digest, size, diff_id, what, limits) as stream:
                yield stream
        else:
            compression, expected, checked = side
            if compression is Compression.NONE and raw.size > limits.max_layer_bytes:
                raise LimitExceededError(
                    f"{what}: uncompressed size", "max_layer_bytes", limits.max_layer_bytes
                )
            expected_size = size if digest is not None else None
            watched = None if ahead is None else ahead.state_of(raw, expected, expected_size)
            if watched is not None:
                with _watched_ahead(
                    fd, (state, watched), raw, compression, (what, checked), limits
                ) as stream:
                    yield stream
                return
            verification = SideVerification(
                fd, state, raw, expected, expected_size=expected_size, what=checked
            )
            with verification:
                with _plain_or_inflated(fd, raw, compression, what, limits) as stream:
                    yield stream
                verification.result()
    finally:
        os.close(fd)


def _side_check(
    fd: int,
    blob: LocalBlob,
    media_type: str | None,
    digest: str | None,
    diff_id: str | None,
    what: str,
) -> tuple[Compression, Digest, str] | None:
    """The compression, digest and name to verify `blob` by in a child; None: hash inline.

    Small blobs are hashed inline (a fork costs more), and so is a compressed
    blob known only by its diff_id, whose digest is of the inflated bytes.
    """
    if blob.size < MIN_SIDE_BYTES or not side_verification_available():
        return None
    if media_type is None:
        compression = detect_compression(os.pread(fd, 8, blob.offset), what=what)
    else:
        compression = layer_type(media_type, what=what).compression
    if digest is not None:
        return compression, parse_digest(digest, what=what), what
    if diff_id is not None and compression is Compression.NONE:
        return compression, parse_digest(diff_id, what=what), f"{what} (diff_id)"
    return None


@contextmanager
def _watched_ahead(
    fd: int,
    states: tuple[FileState, FileState],
    blob: LocalBlob,
    compression: Compression,
    names: tuple[str, str],
    limits: Limits,
) -> Iterator[BinaryIO]:
    """The tar stream of a blob an `AheadVerification` hashes.

    `states` are the file's as this reader opened it and as it was watched:
    the reader must read the file being hashed, unchanged (the verification
    checks it once more at the end). `names` are the layer's and its blob's
    as the verification names it (the diff_id's, for a legacy archive).
    """
    state, watched = states
    what, checked = names
    if state != watched:
        raise changed_while_read(checked)
    with _plain_or_inflated(fd, blob, compression, what, limits) as stream:
        yield stream
    if FileState.of(fd) != watched:
        raise changed_while_read(checked)


@contextmanager
def _plain_or_inflated(
    fd: int, blob: LocalBlob, compression: Compression, what: str, limits: Limits
) -> Iterator[BinaryIO]:
    """The tar stream of a blob a child verifies: its bytes as stored, or inflated."""
    stream = cast(BinaryIO, PlainRange(fd, blob))
    if compression is Compression.NONE:
        yield stream
        return
    # The tail of a compressed stream is inflated too: a corrupt end must show.
    with _drained(decompressed_stream(stream, compression, what=what, limits=limits)) as inflated:
        yield inflated


@contextmanager
def _inline(
    raw: BinaryIO,
    media_type: str | None,
    digest: str | None,
    size: int | None,
    diff_id: str | None,
    what: str,
    limits: Limits,
) -> Iterator[BinaryIO]:
    """Hashing as the bytes pass: the stored blob, or else the uncompressed tar."""
    stream: BinaryIO = raw
    if digest is not None:
        stream = cast(
            BinaryIO,
            VerifyingReader(stream, parse_digest(digest, what=what), what=what, expected_size=size),
        )
    stream = open_layer_stream(stream, media_type, what=what, limits=limits)
    if digest is None and diff_id is not None:
        stream = cast(
            BinaryIO,
            VerifyingReader(stream, parse_digest(diff_id, what=what), what=f"{what} (diff_id)"),
        )
    with _drained(stream) as drained:
        yield drained


@contextmanager
def _drained(stream: BinaryIO) -> Iterator[BinaryIO]:
    """`stream`, read to its end when the block is left normally (every byte checked), closed."""
    try:
        yield stream
        while stream.read(_DRAIN_CHUNK):
            pass
    finally:
        stream.close()
