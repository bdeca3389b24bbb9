"""The on-disk blob cache: registry blobs stored by digest, verified, written atomically.

Layout: `ROOT/blobs/ALGORITHM/HEX` (ROOT is seawall's cache directory), like
an OCI image layout's blobs directory. A download goes to a temporary file in
the same directory while it is hashed, and is renamed into place only once
its size and digest match, so a reader never sees a partial or wrong blob and
two concurrent pulls cannot corrupt each other. Nothing in the cache is
trusted: an entry is re-checked (size, then digest) before it is served, and a
corrupt one is removed and downloaded again.
"""

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from seawall.model.progress import NULL_PROGRESS, ProgressSink
from seawall.source.digest import Digest, parse_digest
from seawall.source.errors import DigestMismatchError, MalformedDocumentError

log = logging.getLogger(__name__)

_CHUNK = 1024 * 1024

BlobFetcher = Callable[[], AbstractContextManager[Iterator[bytes]]]
"""Opens a download of one blob as a stream of chunks."""


class BlobCache:
    """Blobs by digest under a cache root; a private temporary root when none is given."""

    def __init__(self, cache_dir: Path | None) -> None:
        self._temporary = cache_dir is None
        root = Path(tempfile.mkdtemp(prefix="seawall-blobs-")) if cache_dir is None else cache_dir
        self._blobs = root / "blobs"
        self._root = root

    def __repr__(self) -> str:
        return f"BlobCache({str(self._blobs)!r}, temporary={self._temporary})"

    def path(self, digest: str) -> Path:
        """Where blob `digest` lives (the digest is validated, so it cannot escape the root)."""
        parsed = parse_digest(digest, what="blob digest")
        return self._blobs / parsed.algorithm / parsed.hex

    def open(
        self,
        digest: str,
        size: int,
        fetch: BlobFetcher,
        *,
        what: str,
        progress: ProgressSink = NULL_PROGRESS,
    ) -> BinaryIO:
        """A readable handle on blob `digest` of `size` bytes, verified before it is returned.

        Served from the cache when a valid entry is there; otherwise `fetch` is
        called and the blob is stored. The handle is positioned at the start.
        """
        expected = parse_digest(digest, what=what)
        target = self._blobs / expected.algorithm / expected.hex
        cached = self._open_cached(target, expected, size, what)
        if cached is not None:
            return cached
        return self._download(target, expected, size, fetch, what, progress)

    def close(self) -> None:
        """Remove a temporary cache; a real cache stays for the next pull."""
        if self._temporary:
            shutil.rmtree(self._root, ignore_errors=True)

    def _open_cached(self, target: Path, expected: Digest, size: int, what: str) -> BinaryIO | None:
        try:
            handle = open(target, "rb")  # noqa: SIM115 - returned to the caller, who closes it
        except FileNotFoundError:
            return None
        try:
            if os.fstat(handle.fileno()).st_size == size and _hash_file(handle, expected):
                handle.seek(0)
                log.debug("%s served from the cache", what)
                return handle
        except BaseException:
            handle.close()
            raise
        handle.close()
        log.warning("cached %s was corrupt; removing it and downloading it again", what)
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return None

    def _download(
        self,
        target: Path,
        expected: Digest,
        size: int,
        fetch: BlobFetcher,
        what: str,
        progress: ProgressSink,
    ) -> BinaryIO:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{expected.hex[:16]}.")
        temp = Path(temp_name)
        handle = os.fdopen(fd, "w+b")
        task = progress.task(what, size)
        try:
            hasher = expected.hasher()
            received = 0
            with fetch() as chunks:
                for chunk in chunks:
                    received += len(chunk)
                    if received > size:
                        raise MalformedDocumentError(
                            f"{what}: more than the {size} bytes its descriptor declares"
                        )
                    hasher.update(chunk)
                    handle.write(chunk)
                    task.advance(len(chunk))
            if received != size:
                raise MalformedDocumentError(
                    f"{what}: {received} bytes where its descriptor declares {size}"
                )
            actual = f"{expected.algorithm}:{hasher.hexdigest()}"
            if actual != str(expected):
                raise DigestMismatchError(what, str(expected), actual)
            handle.flush()
            # Atomic within one directory: readers see the old state or the whole blob.
            temp.replace(target)
        except BaseException:
            handle.close()
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        finally:
            task.close()
        # The handle still reads the verified bytes, whatever happens to the path now.
        handle.seek(0)
        return handle


def _hash_file(handle: BinaryIO, expected: Digest) -> bool:
    hasher = expected.hasher()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while True:
        n = handle.readinto(view)  # type: ignore[attr-defined]
        if not n:
            break
        hasher.update(view[:n])
    return hasher.hexdigest() == expected.hex
