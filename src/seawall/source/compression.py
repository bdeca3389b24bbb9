"""Decompressing layer blobs safely: gzip (ISA-L), zstd, or plain tar.

`open_layer_stream` turns a stored layer blob into its uncompressed tar
stream. The compression comes from the media type, or from the blob's magic
bytes when the container does not say (legacy docker-archive `layer.tar`).
Every stream is guarded: it stops with `LimitExceededError` when it inflates
past `Limits.max_compression_ratio` times its input (once past
`Limits.bomb_floor_bytes`, so small highly compressible layers pass) or past
`Limits.max_layer_bytes`, and a truncated or corrupt blob raises
`CorruptLayerError` naming the layer.
"""

import io
from functools import cache
from typing import BinaryIO, cast

from seawall.errors import LimitExceededError
from seawall.limits import Limits
from seawall.source.digest import read_into
from seawall.source.errors import CorruptLayerError, UnsupportedMediaTypeError
from seawall.source.mediatypes import Compression, layer_type

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_OTHER_MAGIC = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_BUFFER = 1 << 20


@cache
def _decompression_errors() -> tuple[type[BaseException], ...]:
    """What the decompressors raise on truncated or corrupt input (BadGzipFile is an OSError).

    Looked up on first need: a run served from the caches never loads a decompressor.
    """
    import zstandard
    from isal import igzip, isal_zlib

    return (
        EOFError,
        igzip.BadGzipFile,
        cast(type[BaseException], isal_zlib.error),
        zstandard.ZstdError,
    )


def detect_compression(head: bytes, *, what: str) -> Compression:
    """The compression of a blob from its first bytes; anything unrecognised is a plain tar."""
    if head.startswith(GZIP_MAGIC):
        return Compression.GZIP
    if head.startswith(ZSTD_MAGIC):
        return Compression.ZSTD
    for magic, name in _OTHER_MAGIC.items():
        if head.startswith(magic):
            raise UnsupportedMediaTypeError(
                f"{what}: {name}-compressed layer; seawall reads plain, gzip and zstd layers"
            )
    return Compression.NONE


class _Counting(io.RawIOBase):
    """Counts the compressed bytes the decompressor consumes, and tracks zstd frames."""

    def __init__(self, raw: BinaryIO, frames: "_ZstdFrames | None") -> None:
        super().__init__()
        self._raw = raw
        self._frames = frames
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        n = read_into(self._raw, view)
        self.count += n
        if self._frames is not None:
            self._frames.feed(view[:n])
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _ZstdFrames:
    """Follows zstd frame structure (RFC 8878 §3.1) to tell a complete stream from a cut one.

    The zstandard stream reader returns a clean end of stream when its input
    stops mid-frame; walking frame and block headers as the bytes pass costs
    little (a few header bytes per 128 KiB block) and says whether the last
    frame was finished.
    """

    def __init__(self, what: str) -> None:
        self._what = what
        self._skip = 0
        self._need = 4  # bytes of the next header to collect
        self._header = bytearray()
        self._state = "magic"
        self._checksum = False
        self.frames = 0
        # States: "magic" (between frames), "skippable" (its size), "fhd" (frame
        # header descriptor), "block" (a block header).

    @property
    def complete(self) -> bool:
        return self._state == "magic" and not self._header and self._skip == 0 and self.frames > 0

    def feed(self, data: memoryview) -> None:
        pos = 0
        end = len(data)
        while pos < end:
            if self._skip:
                step = min(self._skip, end - pos)
                self._skip -= step
                pos += step
                continue
            take = min(self._need - len(self._header), end - pos)
            self._header += data[pos : pos + take]
            pos += take
            if len(self._header) == self._need:
                header = bytes(self._header)
                self._header.clear()
                self._advance(header)

    def _advance(self, header: bytes) -> None:
        if self._state == "magic":
            magic = int.from_bytes(header, "little")
            if header == ZSTD_MAGIC:
                self._state, self._need = "fhd", 1
            elif magic & 0xFFFFFFF0 == 0x184D2A50:
                self._state, self._need = "skippable", 4
            else:
                raise CorruptLayerError(f"{self._what}: corrupt zstd stream (bad frame magic)")
        elif self._state == "skippable":
            self._skip = int.from_bytes(header, "little")
            self._state, self._need = "magic", 4
            self.frames += 1
        elif self._state == "fhd":
            fhd = header[0]
            fcs_flag, single_segment = fhd >> 6, (fhd >> 5) & 1
            self._checksum = bool((fhd >> 2) & 1)
            dict_size = (0, 1, 2, 4)[fhd & 3]
            fcs_size = (1 if single_segment else 0, 2, 4, 8)[fcs_flag]
            rest = (0 if single_segment else 1) + dict_size + fcs_size
            self._state, self._need = "block", 3
            self._skip = rest
            self.frames += 1
        elif self._state == "block":
            value = int.from_bytes(header, "little")
            last, block_type, size = value & 1, (value >> 1) & 3, value >> 3
            if block_type == 3:
                raise CorruptLayerError(f"{self._what}: corrupt zstd stream (reserved block type)")
            self._skip = 1 if block_type == 1 else size
            if last:
                if self._checksum:
                    # The 4 checksum bytes follow the block's content.
                    self._skip += 4
                self._state, self._need = "magic", 4


class _Guarded(io.RawIOBase):
    """The decompressed stream, bounded by the bomb and size limits, errors mapped."""

    def __init__(
        self,
        inner: BinaryIO,
        counting: _Counting,
        frames: _ZstdFrames | None,
        *,
        compressed: bool,
        what: str,
        limits: Limits,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._counting = counting
        self._frames = frames
        self._compressed = compressed
        self._what = what
        self._limits = limits
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        try:
            n = read_into(self._inner, view)
        except _decompression_errors() as exc:
            raise CorruptLayerError(
                f"{self._what}: the compressed layer is truncated or corrupt ({exc}); "
                "export or pull the image again"
            ) from None
        if n == 0:
            if self._frames is not None and not self._frames.complete:
                raise CorruptLayerError(
                    f"{self._what}: the zstd layer is truncated (its last frame is incomplete); "
                    "export or pull the image again"
                )
            return 0
        self.produced += n
        limits = self._limits
        if self.produced > limits.max_layer_bytes:
            raise LimitExceededError(
                f"{self._what}: uncompressed size", "max_layer_bytes", limits.max_layer_bytes
            )
        if (
            self._compressed
            and self.produced > limits.bomb_floor_bytes
            and self.produced > limits.max_compression_ratio * max(self._counting.count, 1)
        ):
            raise LimitExceededError(
                f"{self._what}: compression ratio (a decompression bomb?)",
                "max_compression_ratio",
                limits.max_compression_ratio,
            )
        return n

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def open_layer_stream(
    raw: BinaryIO, media_type: str | None, *, what: str, limits: Limits
) -> BinaryIO:
    """The uncompressed tar stream of a stored layer blob.

    `media_type` None means "look at the bytes" (magic-number detection).
    `what` names the layer in every error. Closing the result closes `raw`;
    a layer refused here (an unknown media type or compression) closes it too.
    """
    try:
        if media_type is None:
            # Only peeking needs a buffer here; a declared type reads `raw` directly.
            peekable = io.BufferedReader(cast(io.RawIOBase, raw), buffer_size=64 * 1024)
            compression = detect_compression(peekable.peek(8)[:8], what=what)
            return decompressed_stream(
                cast(BinaryIO, peekable), compression, what=what, limits=limits
            )
        compression = layer_type(media_type, what=what).compression
        return decompressed_stream(raw, compression, what=what, limits=limits)
    except BaseException:
        raw.close()
        raise


def decompressed_stream(
    raw: BinaryIO, compression: Compression, *, what: str, limits: Limits
) -> BinaryIO:
    """The uncompressed, guarded stream of `raw` stored with `compression`; closes `raw`."""
    frames = _ZstdFrames(what) if compression is Compression.ZSTD else None
    counting = _Counting(raw, frames)
    inner: BinaryIO
    if compression is Compression.GZIP:
        from isal import igzip

        inner = cast(BinaryIO, igzip.IGzipFile(fileobj=counting, mode="rb"))  # type: ignore[no-untyped-call]
    elif compression is Compression.ZSTD:
        import zstandard

        inner = zstandard.ZstdDecompressor().stream_reader(
            cast(BinaryIO, counting), read_size=_BUFFER, read_across_frames=True, closefd=True
        )
    else:
        inner = cast(BinaryIO, counting)
    guarded = _Guarded(
        inner,
        counting,
        frames,
        compressed=compression is not Compression.NONE,
        what=what,
        limits=limits,
    )
    return cast(BinaryIO, io.BufferedReader(guarded, buffer_size=_BUFFER))
