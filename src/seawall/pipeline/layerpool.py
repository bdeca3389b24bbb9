"""Reading several layers at once: the calling process and one forked worker per other core.

Reading a layer is Python work (tar headers, path checks, catalogers), so
threads would queue on the interpreter lock; forked processes do not. The
caller is one of the readers: it forks a worker for each other usable core,
and all of them take layers, largest first, from one queue until it is
empty. Workers inherit the work and the layers at fork time, read each layer
through their own file handles (every source opens a fresh handle per
layer), and hand back a pickled result; the caller's own results need no
pickling, and a run imports neither `multiprocessing` nor
`concurrent.futures` (~30 ms).

The queue is a pipe holding each job's position as 4 bytes, written whole
and closed before any worker forks: a read of 4 bytes takes one job, and the
end of the pipe says there are none left. A worker writes each pickled
result to a memory file of its own (an unlinked temporary file where there
is no `memfd_create`), then a fixed-size record saying where it is to a
status pipe all workers share. Records are shorter than `PIPE_BUF`, so they
never interleave, and a worker never waits for the caller to read, even
while the caller reads a layer of its own.

A job that fails in a worker is run again in the caller, so the caller sees
the real exception with its type and message intact (exceptions do not all
survive pickling), and a worker dying for any reason costs time, not output:
a job taken and never reported is run in the caller too. Without `fork` (not
Linux), with one core or one job, with more jobs than the queue holds, or
when the caller says its openers are not safe to use from another process (a
registry source downloads through a connection pool the workers would
share), everything runs in the caller.

A fork copies only the calling thread: a lock another thread (a terminal
progress display) held at that moment stays held in the worker. Workers
therefore write nothing through the parent's stdio objects; they get their
own before doing anything else, and they leave with `os._exit`, never
running what the parent registered to run at exit or unwinding its frames.
"""

import os
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TypeVar, cast

from seawall.model.image import Layer, LayerOpener

_Result = TypeVar("_Result")

LayerWork = Callable[[Layer, LayerOpener], _Result]

_JOB = struct.Struct(">I")
"""A job: its position in the sorted job list."""
_STATUS = struct.Struct(">IBBQQ")
"""A worker's report: job position, outcome, worker number, result offset and length."""
_DONE = 1
_FAILED = 2
_FORKING = threading.Lock()
_MAX_QUEUED = 1024
"""Jobs the queue pipe holds with nobody reading yet (4 KiB, the least a Linux pipe
holds). Real images have at most ~128 layers; with more, everything runs inline."""


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_layers(
    work: LayerWork[_Result], jobs: Sequence[tuple[Layer, LayerOpener]], *, fork_safe: bool
) -> Iterator[tuple[Layer, _Result]]:
    """`work(layer, opener)` for every job, in parallel where it pays; yields as each finishes.

    Workers inherit `work` at fork time, so it may be any callable; its
    result must pickle. Jobs start largest layer first, so the longest one
    does not start last. The caller reads layers too: its own results come
    as soon as each is done, the workers' between its own jobs and once the
    queue is empty.
    """
    helpers = min(len(jobs), usable_cores()) - 1
    if not fork_safe or helpers < 1 or len(jobs) > _MAX_QUEUED or not hasattr(os, "fork"):
        for layer, opener in jobs:
            yield layer, work(layer, opener)
        return
    ordered = sorted(jobs, key=lambda job: -(job[0].size or 0))
    pool = _Pool(work, ordered, helpers)
    try:
        while (position := pool.take()) is not None:
            layer, opener = ordered[position]
            yield layer, work(layer, opener)
            for done, result in pool.reported(wait=False):
                yield ordered[done][0], cast(_Result, result)
        for done, result in pool.reported(wait=True):
            yield ordered[done][0], cast(_Result, result)
        for position in pool.lost():
            layer, opener = ordered[position]
            yield layer, work(layer, opener)
    finally:
        # On an error or an abandoned iteration, layers not yet started are not
        # started; the workers finish the one they are reading and leave.
        pool.close()


class _Pool:
    """The workers of one `map_layers` call, and the queue they share with the caller."""

    def __init__(
        self, work: LayerWork[Any], jobs: Sequence[tuple[Layer, LayerOpener]], helpers: int
    ) -> None:
        import pickle  # before forking: the workers need it too

        self._pickle = pickle
        self._work = work
        self._jobs = jobs
        self._taken: set[int] = set()
        """Jobs the caller took, and jobs the workers reported."""
        self._unread = b""
        self._pids: list[int] = []
        self._files: list[int] = []
        self._queue = self._status = -1
        with _FORKING:
            # Held while pipes are open for writing: a worker another thread forks
            # meanwhile would hold their write ends, and keep the pipes from ending.
            queue, queue_writer = os.pipe()
            self._queue = queue
            try:
                jobs_bytes = b"".join(_JOB.pack(position) for position in range(len(jobs)))
                os.write(queue_writer, jobs_bytes)
            finally:
                os.close(queue_writer)
            status, status_writer = os.pipe()
            self._status = status
            try:
                for number in range(helpers):
                    self._files.append(_result_file())
                    pid = os.fork()
                    if pid == 0:
                        _serve(work, jobs, (queue, status, status_writer), number, self._files)
                    self._pids.append(pid)
            except BaseException:
                self.close()
                raise
            finally:
                os.close(status_writer)

    def take(self) -> int | None:
        """The next job's position, for the caller; None once the queue is empty."""
        if self._queue < 0:
            return None
        data = os.read(self._queue, _JOB.size)
        if len(data) < _JOB.size:
            os.close(self._queue)
            self._queue = -1
            return None
        position: int = _JOB.unpack(data)[0]
        self._taken.add(position)
        return position

    def reported(self, *, wait: bool) -> Iterator[tuple[int, object]]:
        """Results the workers have reported; with `wait`, every one until all have left.

        A job a worker failed is run again here, so its error is raised here.
        """
        if self._status < 0:
            return
        os.set_blocking(self._status, wait)
        while True:
            try:
                data = os.read(self._status, 64 * _STATUS.size)
            except BlockingIOError:
                return
            if not data:
                os.close(self._status)
                self._status = -1
                return
            self._unread += data
            whole = len(self._unread) - len(self._unread) % _STATUS.size
            records, self._unread = self._unread[:whole], self._unread[whole:]
            for position, outcome, number, offset, length in _STATUS.iter_unpack(records):
                self._taken.add(position)
                if outcome == _DONE and 0 <= number < len(self._files):
                    payload = os.pread(self._files[number], length, offset)
                    if len(payload) == length:
                        yield position, self._pickle.loads(payload)
                        continue
                layer, opener = self._jobs[position]
                yield position, self._work(layer, opener)

    def lost(self) -> list[int]:
        """Jobs taken by a worker that left without reporting them (it died)."""
        self._reap()
        return [position for position in range(len(self._jobs)) if position not in self._taken]

    def close(self) -> None:
        if self._queue >= 0:
            # Empty the queue so that no worker starts another layer.
            os.set_blocking(self._queue, False)
            try:
                while os.read(self._queue, 4096):
                    pass
            except BlockingIOError:
                pass
            os.close(self._queue)
            self._queue = -1
        if self._status >= 0:
            os.close(self._status)
            self._status = -1
        self._reap()
        for results in self._files:
            os.close(results)
        self._files = []

    def _reap(self) -> None:
        while self._pids:
            os.waitpid(self._pids.pop(), 0)


def _result_file() -> int:
    """A file for one worker's pickled results, in memory where the system allows."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("seawall-layer-results", os.MFD_CLOEXEC)
    import tempfile
    from pathlib import Path

    descriptor, path = tempfile.mkstemp(prefix="seawall-layer-results-")
    Path(path).unlink()
    return descriptor


def _serve(
    work: LayerWork[Any],
    jobs: Sequence[tuple[Layer, LayerOpener]],
    pipes: tuple[int, int, int],
    number: int,
    files: Sequence[int],
) -> NoReturn:
    """In a worker: take jobs until the queue is empty, reporting each; never returns.

    `pipes` are the queue, the status pipe's reading end (closed here) and its
    writing end; `files[number]` is this worker's result file.
    """
    code = 1
    try:
        import pickle

        queue, status_reader, status = pipes
        os.close(status_reader)
        results = files[number]
        _own_stdio()
        end = 0
        while len(taken := os.read(queue, _JOB.size)) == _JOB.size:
            position: int = _JOB.unpack(taken)[0]
            try:
                layer, opener = jobs[position]
                payload = pickle.dumps(work(layer, opener), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # run again in the caller, which raises it as it is
                os.write(status, _STATUS.pack(position, _FAILED, number, 0, 0))
                continue
            written = 0
            while written < len(payload):
                written += os.pwrite(results, payload[written:], end + written)
            os.write(status, _STATUS.pack(position, _DONE, number, end, len(payload)))
            end += len(payload)
        code = 0
    finally:
        os._exit(code)


def _own_stdio() -> None:
    """In a new worker: stdout and stderr objects of its own, also for logging's handlers."""
    logging = sys.modules.get("logging")
    for name in ("stdout", "stderr"):
        inherited = getattr(sys, name)
        try:
            descriptor = os.dup(inherited.fileno())
        except (AttributeError, OSError, ValueError):  # no real file behind it
            continue
        fresh = open(  # noqa: SIM115 - lives as long as the worker
            descriptor, "w", buffering=1, encoding=inherited.encoding, errors=inherited.errors
        )
        setattr(sys, name, fresh)
        if logging is None:
            continue  # nothing logged in this process: no handler holds the old stream
        handlers = [logging.root, *logging.Logger.manager.loggerDict.values()]
        for logger in handlers:
            for handler in getattr(logger, "handlers", ()):
                if isinstance(handler, logging.StreamHandler) and handler.stream is inherited:
                    handler.setStream(fresh)
