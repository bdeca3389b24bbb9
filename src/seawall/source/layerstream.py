"""Opening one layer as a verified, decompressed tar stream.

Every source ends here: it supplies the stored bytes and what it knows about
them (media type, blob digest and size, diff_id), and gets back the tar
stream inside a context manager. The stored blob's digest is checked when it
is known; otherwise the uncompressed stream is checked against the diff_id
(legacy docker-archive, where only the config names the layer). Leaving the
`with` block normally reads whatever the caller left unread, so a tampered
layer cannot pass just because its reader stopped at the tar end marker.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from seawall.limits import Limits
from seawall.source.compression import open_layer_stream
from seawall.source.digest import VerifyingReader, parse_digest

_DRAIN_CHUNK = 1 << 20


@contextmanager
def verified_layer_stream(
    raw: BinaryIO,
    *,
    media_type: str | None,
    digest: str | None,
    size: int | None,
    diff_id: str | None,
    what: str,
    limits: Limits,
) -> Iterator[BinaryIO]:
    """The uncompressed tar stream of the blob in `raw` (closed on exit).

    `media_type` None detects the compression from the bytes. At least one of
    `digest` (stored blob) and `diff_id` (uncompressed tar) should be given;
    with neither, nothing can be verified and the caller must say so.
    """
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
    try:
        yield stream
        while stream.read(_DRAIN_CHUNK):
            pass
    finally:
        stream.close()
