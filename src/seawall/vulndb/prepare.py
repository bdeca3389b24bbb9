"""Turning raw records into rows, in worker processes when an import is large.

Validation and canonical encoding are most of an import's CPU time and need
nothing from the store, so they run in a process pool while the importing
process reads the input, compresses and writes. The input is handed over in
chunks with a bounded number in flight, so memory stays flat however large
the export (never the whole zip in memory). Small imports stay in-process:
starting workers costs more than it saves below a few thousand records.
"""

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context

from seawall.model.advisory import Advisory
from seawall.vulndb import codec
from seawall.vulndb.names import normalize_name
from seawall.vulndb.osv import MalformedRecordError, parse_record
from seawall.vulndb.reader import RawRecord, Rejected
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
    keys: tuple[tuple[str, str], ...]
    """(ecosystem, normalised name) of every affected package."""
    body: bytes
    """`codec.to_json` of the advisory."""
    modified_key: str
    """`timestamps.sort_key` of `modified`."""
    newest_key: str
    """The later of `modified` and `published`, as a sort key."""
    newest: str
    """That timestamp as written."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """A record that was not imported, and why."""

    where: str
    record_id: str | None
    reason: str


def index_keys(advisory: Advisory) -> tuple[tuple[str, str], ...]:
    """(ecosystem, normalised name) pairs the store indexes `advisory` under."""
    return tuple(
        sorted({(a.ecosystem, normalize_name(a.ecosystem, a.name)) for a in advisory.affected})
    )


def prepare_chunk(chunk: list[RawRecord | Rejected]) -> list[Prepared | Malformed]:
    """Validate and encode a chunk (runs in a worker process)."""
    out: list[Prepared | Malformed] = []
    for item in chunk:
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
        out.append(
            Prepared(
                id=advisory.id,
                modified=advisory.modified,
                published=advisory.published,
                withdrawn=advisory.withdrawn,
                aliases=tuple(sorted(set(advisory.aliases))),
                keys=index_keys(advisory),
                body=codec.to_json(advisory),
                modified_key=modified_key,
                newest_key=max(modified_key, published_key),
                newest=advisory.modified if modified_key >= published_key else published,
            )
        )
    return out


def default_workers() -> int:
    """`$SEAWALL_DB_WORKERS`, else one fewer than the cores (at least 1, at most 4)."""
    explicit = os.environ.get("SEAWALL_DB_WORKERS", "")
    if explicit.isdigit():
        return int(explicit)
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class Preparer:
    """Prepares records in-process, then in a pool of `workers` processes once an import is big.

    One pool serves every import of a writer; `close()` stops it.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def prepared(self, items: Iterable[RawRecord | Rejected]) -> Iterator[Prepared | Malformed]:
        """Every item prepared, in input order."""
        chunks = _chunks(items)
        for chunk in islice(chunks, INLINE_CHUNKS if self.workers > 0 else None):
            yield from prepare_chunk(chunk)
        if self.workers <= 0:
            return
        if self._pool is None:
            # spawn, not fork: the importing process may hold threads (HTTP clients).
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context("spawn")
            )
        pending: deque[Future[list[Prepared | Malformed]]] = deque()
        try:
            for chunk in chunks:
                pending.append(self._pool.submit(prepare_chunk, chunk))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _chunks(items: Iterable[RawRecord | Rejected]) -> Iterator[list[RawRecord | Rejected]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
