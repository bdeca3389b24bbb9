"""Reading several layers at once, one process per core.

Reading a layer is Python work (tar headers, path checks, catalogers), so
threads would queue on the interpreter lock; forked processes do not. Each
worker inherits the job list from the parent at fork time, reads its layers
through its own file handles (every source opens a fresh handle per layer),
and returns a picklable result. The parent gets results as they finish.

A job that fails in a worker is run again in the parent, so the caller sees
the real exception with its type and message intact (exceptions do not all
survive pickling) and a worker dying for any reason costs time, not output.
Without `fork` (not Linux), with one core or one job, or when the caller says
its openers are not safe to use from another process (a registry source
downloads through a connection pool the workers would share), everything
runs inline.

A fork copies only the calling thread: a lock another thread (a terminal
progress display) held at that moment stays held in the worker. Workers
therefore write nothing through the parent's stdio objects; they get their
own before doing anything else.
"""

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from concurrent.futures import Future

# multiprocessing, concurrent.futures and logging (~20 ms) are imported only
# when workers are forked: an image with one layer to read never needs them.

from seawall.model.image import Layer, LayerOpener

_Result = TypeVar("_Result")

LayerWork = Callable[[Layer, LayerOpener], _Result]


class _Jobs(Generic[_Result]):
    """What the forked workers inherit: the work and the layers to do it on."""

    def __init__(self, work: LayerWork[_Result], jobs: Sequence[tuple[Layer, LayerOpener]]) -> None:
        self.work = work
        self.jobs = jobs


_inherited: _Jobs[Any] | None = None
_FORKING = threading.Lock()
"""Held while workers fork, so concurrent callers each hand over their own job list."""


def _run_inherited(position: int) -> object:
    """In a worker: the job at `position` of the list inherited at fork time."""
    assert _inherited is not None, "layer worker started without fork"
    layer, opener = _inherited.jobs[position]
    return _inherited.work(layer, opener)


def _own_stdio() -> None:
    """In a new worker: stdout and stderr objects of its own, also for logging's handlers."""
    import logging

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
        handlers = [logging.root, *logging.Logger.manager.loggerDict.values()]
        for logger in handlers:
            for handler in getattr(logger, "handlers", ()):
                if isinstance(handler, logging.StreamHandler) and handler.stream is inherited:
                    handler.setStream(fresh)


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
    does not start last.
    """
    workers = min(len(jobs), usable_cores())
    if not fork_safe or workers < 2 or not hasattr(os, "fork"):
        for layer, opener in jobs:
            yield layer, work(layer, opener)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _inherited
    ordered = sorted(jobs, key=lambda job: -(job[0].size or 0))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_own_stdio
    )
    try:
        futures: dict[Future[object], int] = {}
        with _FORKING:
            # With `fork`, the first submit forks every worker: they copy this job list.
            _inherited = _Jobs(work, ordered)
            try:
                futures[pool.submit(_run_inherited, 0)] = 0
            finally:
                _inherited = None
        for position in range(1, len(ordered)):
            futures[pool.submit(_run_inherited, position)] = position
        for future in as_completed(futures):
            layer, opener = ordered[futures[future]]
            try:
                result = cast(_Result, future.result())
            except Exception:  # seen again, with its real type, in the parent
                result = work(layer, opener)
            yield layer, result
    finally:
        # On an error or an abandoned iteration, layers not yet started are not started.
        pool.shutdown(wait=True, cancel_futures=True)
