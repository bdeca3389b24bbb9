"""The blob cache: verified, atomic, refetching what is corrupt, leaving no partial files."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from seawall.source.errors import DigestMismatchError, MalformedDocumentError
from seawall.source.remote.blobcache import BlobCache, BlobFetcher

BLOB = b"layer bytes " * 100_000
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


class Fetches:
    """A fetcher serving fixed bytes in chunks, counting how often it was called."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.calls = 0

    def __call__(self) -> BlobFetcher:
        @contextmanager
        def fetch() -> Iterator[Iterator[bytes]]:
            self.calls += 1
            yield (self.data[i : i + 65536] for i in range(0, len(self.data), 65536))

        return fetch


def read(cache: BlobCache, fetches: Fetches, data_size: int = len(BLOB)) -> bytes:
    with cache.open(DIGEST, data_size, fetches(), what="test blob") as handle:
        return handle.read()


def test_downloaded_once_then_served_from_disk(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    fetches = Fetches(BLOB)
    assert read(cache, fetches) == BLOB
    assert read(cache, fetches) == BLOB
    assert fetches.calls == 1
    entry = tmp_path / "blobs" / "sha256" / DIGEST.removeprefix("sha256:")
    assert cache.path(DIGEST) == entry
    assert entry.read_bytes() == BLOB
    assert list(entry.parent.iterdir()) == [entry]


@pytest.mark.parametrize("damage", ["flip", "truncate", "extend"])
def test_corrupt_entry_is_replaced(tmp_path: Path, damage: str) -> None:
    cache = BlobCache(tmp_path)
    fetches = Fetches(BLOB)
    read(cache, fetches)
    entry = cache.path(DIGEST)
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[12345] ^= 0x40
    elif damage == "truncate":
        del data[-10:]
    else:
        data += b"x"
    entry.write_bytes(bytes(data))
    assert read(cache, fetches) == BLOB
    assert fetches.calls == 2
    assert entry.read_bytes() == BLOB


@pytest.mark.parametrize(
    ("served", "error"),
    [
        (BLOB[:-1] + b"!", DigestMismatchError),
        (BLOB + b"more", MalformedDocumentError),
        (BLOB[:-5], MalformedDocumentError),
    ],
)
def test_bad_download_leaves_nothing(tmp_path: Path, served: bytes, error: type[Exception]) -> None:
    cache = BlobCache(tmp_path)
    with pytest.raises(error, match="test blob"):
        read(cache, Fetches(served))
    assert list((tmp_path / "blobs" / "sha256").iterdir()) == []


def test_digest_cannot_name_a_path_outside(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    with pytest.raises(MalformedDocumentError, match="invalid digest"):
        cache.open("sha256:../../etc/passwd", 1, Fetches(b"x")(), what="evil")


def test_progress_counts_bytes(tmp_path: Path) -> None:
    events: list[tuple[str, int | None]] = []
    advanced: list[int] = []

    class Task:
        def advance(self, amount: int) -> None:
            advanced.append(amount)

        def close(self) -> None:
            events.append(("closed", None))

    class Sink:
        def task(self, description: str, total: int | None) -> Task:
            events.append((description, total))
            return Task()

    cache = BlobCache(tmp_path)
    with cache.open(DIGEST, len(BLOB), Fetches(BLOB)(), what="blob X", progress=Sink()):
        pass
    assert events == [("blob X", len(BLOB)), ("closed", None)]
    assert sum(advanced) == len(BLOB)


def test_temporary_cache_is_removed_on_close() -> None:
    cache = BlobCache(None)
    read(cache, Fetches(BLOB))
    root = cache.path(DIGEST).parents[2]
    assert root.is_dir()
    cache.close()
    assert not root.exists()
