"""Turning raw records into rows, in worker processes when an import is large.

Validation, canonical encoding and compression are most of an import's CPU
time and need nothing from the store but its zstd dictionary, so they run in
a process pool while the importing process reads the input and writes. The
input is handed over in chunks with a bounded number in flight, so memory
stays flat however large the export (never the whole zip in memory). Small
imports stay in-process: starting workers costs more than it saves below a
few thousand records, so the first chunks a Preparer sees are prepared
in-process (by then the writer has usually trained its dictionary, which the
workers are started with); once the pool runs, every later chunk goes to it.

Values crossing the process boundary pickle as plain tuples (`__reduce__`):
a slotted dataclass's default pickling looks its fields up on every object,
which cost more than the rest of the hand-over.
"""

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing import get_context
from typing import Any

from seawall.vulndb import codec, cvss
from seawall.vulndb.index import IndexCodec
from seawall.vulndb.osv import MalformedRecordError, parse_record
from seawall.vulndb.reader import Item, Rejected, read_members
from seawall.vulndb.timestamps import sort_key

CHUNK = 256
INLINE_CHUNKS = 32
"""Chunks prepared in-process before a pool is started (small imports never start one)."""
IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True, slots=True)
class Prepared:
    """A valid record, reduced to what the store writes."""

    id: str
    modified: str
    published: str | None
    withdrawn: str | None
    aliases: tuple[str, ...]
    index: tuple[tuple[str, str, bytes], ...]
    """The record's package index rows: (ecosystem, normalised name, packed data)."""
    body: bytes
    """`codec.to_body` of the advisory; compressed with dictionary `dict_id` if that is set."""
    modified_key: str
    """`timestamps.sort_key` of `modified`."""
    newest_key: str
    """The later of `modified` and `published`, as a sort key."""
    newest: str
    """That timestamp as written."""
    dict_id: int | None = None
    """The store dictionary `body` is compressed with; None: `body` is plain JSON."""
    vectors: tuple[tuple[str, bool], ...] = ()
    """The record's distinct CVSS vectors, for the store's `cvss` table (seawall.vulndb.cvss)."""

    def __reduce__(self) -> tuple[type["Prepared"], tuple[Any, ...]]:
        return (
            Prepared,
            (
                self.id,
                self.modified,
                self.published,
                self.withdrawn,
                self.aliases,
                self.index,
                self.body,
                self.modified_key,
                self.newest_key,
                self.newest,
                self.dict_id,
                self.vectors,
            ),
        )


@dataclass(frozen=True, slots=True)
class Malformed:
    """A record that was not imported, and why."""

    where: str
    record_id: str | None
    reason: str

    def __reduce__(self) -> tuple[type["Malformed"], tuple[str, str | None, str]]:
        return (Malformed, (self.where, self.record_id, self.reason))


_INDEX = IndexCodec()
"""Packs index rows for `prepare_chunk` (each process has its own)."""
_worker_codec: tuple[int, codec.Codec] | None = None
"""The dictionary a worker process compresses with (set when the pool starts)."""


_PARENT_CHECK_SECONDS = 0.5


def _start_worker(dictionary: tuple[int, bytes] | None) -> None:
    global _worker_codec  # one value per worker process, set when it starts
    _worker_codec = (dictionary[0], codec.Codec(dictionary[1])) if dictionary else None
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker once the importing process is gone (killed, so it never said so).

    A pool worker holds its own call queue's write end, so a parent killed
    outright leaves it waiting for work forever; its parent id changes when
    it is handed to init, which is what this watches for.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


def prepare_chunk(chunk: list[Item]) -> list[Prepared | Malformed]:
    """Read, validate and encode a chunk; in a worker started with a dictionary, compress too."""
    compressing = _worker_codec
    out: list[Prepared | Malformed] = []
    for item in read_members(chunk):
        if isinstance(item, Rejected):
            out.append(Malformed(item.where, None, item.reason))
            continue
        try:
            advisory = parse_record(item.data, where=item.where)
        except MalformedRecordError as error:
            out.append(Malformed(error.where, error.record_id, error.reason))
            continue
        modified_key = sort_key(advisory.modified)
        published = advisory.published or ""
        published_key = sort_key(published) if published else ""
        body = codec.to_body(advisory)
        dict_id = None
        if compressing is not None:
            dict_id, body = compressing[0], compressing[1].compress(body)
        out.append(
            Prepared(
                id=advisory.id,
                modified=advisory.modified,
                published=advisory.published,
                withdrawn=advisory.withdrawn,
                aliases=tuple(sorted(set(advisory.aliases))),
                index=tuple(
                    (ecosystem, name, _INDEX.pack(data))
                    for ecosystem, name, data in codec.index_rows(advisory)
                ),
                body=body,
                modified_key=modified_key,
                newest_key=max(modified_key, published_key),
                newest=advisory.modified if modified_key >= published_key else published,
                dict_id=dict_id,
                vectors=tuple(sorted(set(cvss.vectors(advisory)))),
            )
        )
    return out


def default_workers() -> int:
    """`$SEAWALL_DB_WORKERS`, else one per core (at most 4).

    The importing process only reads, hands over and writes (about a third of
    a core), so on a small machine it shares a core with a worker rather than
    keeping one to itself.
    """
    explicit = os.environ.get("SEAWALL_DB_WORKERS", "")
    if explicit.isdigit():
        return int(explicit)
    return max(1, min(4, os.cpu_count() or 2))


class Preparer:
    """Prepares records in-process, then in a pool of `workers` processes once an import is big.

    One pool serves every import of a writer; `close()` stops it.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._inline_left = INLINE_CHUNKS
        self._dictionary: tuple[int, bytes] | None = None

    def use_dictionary(self, dict_id: int, dictionary: bytes) -> None:
        """Have workers started from now on compress with this store dictionary."""
        self._dictionary = (dict_id, dictionary)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def prepared(self, items: Iterable[Item]) -> Iterator[Prepared | Malformed]:
        """Every item prepared, in input order."""
        chunks: Iterator[list[Item]] = _chunks(items)
        if self.workers <= 0:
            for chunk in chunks:
                yield from prepare_chunk(chunk)
            return
        # The first INLINE_CHUNKS chunks of the Preparer's life run here.
        while self._pool is None and self._inline_left > 0:
            inline = next(chunks, [])
            if not inline:
                return
            self._inline_left -= 1
            yield from prepare_chunk(inline)
        pool = self._pool
        if pool is None:
            # Only once there is more to come: a small import never starts the pool.
            first = next(chunks, [])
            if not first:
                return
            chunks = chain([first], chunks)
            # spawn, not fork: the importing process may hold threads (HTTP clients).
            pool = self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._dictionary,),
            )
        pending: deque[Future[list[Prepared | Malformed]]] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(prepare_chunk, chunk))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
