"""Layers read in worker processes: the same results as inline, and the real errors."""

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar, cast

import pytest

from seawall.limits import Limits
from seawall.model.image import Layer, LayerOpener
from seawall.pipeline.layerpool import map_layers, usable_cores
from seawall.pipeline.reduce import ReducedLayer, reduce_layer
from seawall.pipeline.sbom import catalog_wants
from seawall.source.base import SourceOptions
from seawall.source.errors import CorruptLayerError
from seawall.source.registry import open_source
from seawall.source.target import parse_target
from tests.pipeline.test_sbom import layered_image
from tests.support.imagebuild import simple_image, write_oci_layout


@contextmanager
def layer_jobs(layout: Path) -> Iterator[list[tuple[Layer, LayerOpener]]]:
    options = SourceOptions()
    with open_source(parse_target(f"oci-dir:{layout}:v1", limits=options.limits), options) as src:
        yield list(src.layer_openers())


T = TypeVar("T")
PARENT = os.getpid()
"""The process the tests call `map_layers` in (each test process imports this module)."""
SLOW_PARENT = 0.3
"""Long enough for a worker to take every other job while the caller reads one."""


def reduce_with_pid(layer: Layer, opener: LayerOpener) -> tuple[int, ReducedLayer]:
    return os.getpid(), reduce_layer(layer, opener, catalog_wants(), Limits())


def reduce_slowly_in_the_caller(layer: Layer, opener: LayerOpener) -> tuple[int, ReducedLayer]:
    if os.getpid() == PARENT:
        time.sleep(SLOW_PARENT)
    return reduce_with_pid(layer, opener)


def slow_first_in_the_caller(
    work: Callable[[Layer, LayerOpener], T],
) -> Callable[[Layer, LayerOpener], T]:
    """`work`, made slow for the caller's first layer only: a worker surely takes the others."""
    calls: list[Layer] = []

    def first_slowly(layer: Layer, opener: LayerOpener) -> T:
        if os.getpid() == PARENT and not calls:
            calls.append(layer)
            time.sleep(SLOW_PARENT)
        return work(layer, opener)

    return first_slowly


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    return write_oci_layout(tmp_path / "layout", [(layered_image(), "v1")])


def test_workers_give_what_the_parent_would(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        assert len(jobs) == 3
        inline = {layer.index: reduce_with_pid(layer, opener)[1] for layer, opener in jobs}
        pooled = {
            layer.index: result
            for layer, result in map_layers(reduce_slowly_in_the_caller, jobs, fork_safe=True)
        }
    assert {index: reduced for index, (_, reduced) in pooled.items()} == inline
    assert b"var/lib/dpkg/status" in inline[0].tar  # real content, not empty results
    assert inline[1].findings  # the jar, cataloged while its layer streamed
    pids = [pid for pid, _ in pooled.values()]
    if usable_cores() >= 2:
        # The caller read one layer (slowly) while a worker read the other two.
        assert pids.count(os.getpid()) == 1 and len(set(pids)) == 2
    else:
        assert set(pids) == {os.getpid()}


def test_a_tampered_layer_fails_with_its_real_error(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        digest = jobs[1][0].digest
        assert digest is not None
        blob = layout / "blobs" / "sha256" / digest.removeprefix("sha256:")
        data = bytearray(blob.read_bytes())
        data[len(data) // 2] ^= 0xFF
        blob.write_bytes(bytes(data))
        # Raised in the parent with its own type, not a pickling-mangled stand-in.
        with pytest.raises(CorruptLayerError, match="layer 1"):
            for _ in map_layers(reduce_with_pid, jobs, fork_safe=True):
                pass


def test_one_job_runs_in_the_parent(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        [(layer, (pid, _))] = list(map_layers(reduce_with_pid, jobs[:1], fork_safe=True))
    assert layer.index == jobs[0][0].index
    assert pid == os.getpid()


def stderr_identity(layer: Layer, opener: LayerOpener) -> tuple[int, int]:
    if os.getpid() == PARENT:
        time.sleep(SLOW_PARENT)
    return os.getpid(), id(sys.stderr)


def test_workers_write_through_stdio_of_their_own(layout: Path) -> None:
    # A parent thread (a terminal progress display) may hold the parent's
    # stderr lock at fork time; a worker using that same object could hang.
    with layer_jobs(layout) as jobs:
        seen = [result for _, result in map_layers(stderr_identity, jobs, fork_safe=True)]
    workers = [ident for pid, ident in seen if pid != os.getpid()]
    if usable_cores() >= 2:
        assert workers and all(ident != id(sys.stderr) for ident in workers)
    else:
        assert seen == [(os.getpid(), id(sys.stderr))] * len(jobs)


def test_unsafe_openers_run_in_the_parent(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        pids = {pid for _, (pid, _) in map_layers(reduce_with_pid, jobs, fork_safe=False)}
    assert pids == {os.getpid()}


def test_concurrent_callers_each_get_their_own_layers(layout: Path, tmp_path: Path) -> None:
    other = write_oci_layout(tmp_path / "other", [(simple_image(marker="other"), "v1")])
    expected: dict[Path, dict[int, ReducedLayer]] = {}
    for where in (layout, other):
        with layer_jobs(where) as jobs:
            expected[where] = {
                layer.index: reduce_with_pid(layer, opener)[1] for layer, opener in jobs
            }
    got: dict[Path, dict[int, ReducedLayer]] = {}

    def run(where: Path) -> None:
        with layer_jobs(where) as jobs:
            got[where] = {
                layer.index: reduced
                for layer, (_, reduced) in map_layers(reduce_with_pid, jobs, fork_safe=True)
            }

    threads = [threading.Thread(target=run, args=(where,)) for where in (layout, other) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == expected


def dies_in_a_worker(layer: Layer, opener: LayerOpener) -> tuple[int, ReducedLayer]:
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)  # a worker dying mid-job, whatever the cause
    return reduce_with_pid(layer, opener)


@pytest.mark.skipif(usable_cores() < 2, reason="needs a worker")
def test_a_layer_whose_worker_died_is_read_by_the_caller(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        inline = {layer.index: reduce_with_pid(layer, opener)[1] for layer, opener in jobs}
        pooled = list(map_layers(slow_first_in_the_caller(dies_in_a_worker), jobs, fork_safe=True))
    assert {layer.index: reduced for layer, (_, reduced) in pooled} == inline
    assert {pid for _, (pid, _) in pooled} == {os.getpid()}


def unpicklable_in_a_worker(layer: Layer, opener: LayerOpener) -> tuple[int, object]:
    if os.getpid() == PARENT:
        return os.getpid(), layer.index
    return os.getpid(), lambda: layer.index  # a result that cannot travel back


@pytest.mark.skipif(usable_cores() < 2, reason="needs a worker")
def test_a_result_that_does_not_pickle_is_made_again_by_the_caller(layout: Path) -> None:
    with layer_jobs(layout) as jobs:
        work = slow_first_in_the_caller(unpicklable_in_a_worker)
        pooled = list(map_layers(work, jobs, fork_safe=True))
    assert sorted(cast(int, result) for _, (_, result) in pooled) == sorted(
        layer.index for layer, _ in jobs
    )
    assert {pid for _, (pid, _) in pooled} == {os.getpid()}


def children() -> set[int]:
    """This process's live children (zombies included), from /proc."""
    found: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid():
            found.add(int(status.parent.name))
    return found


def fails_in_the_caller(layer: Layer, opener: LayerOpener) -> int:
    if os.getpid() == PARENT:
        raise ValueError(f"layer {layer.index} cannot be read here")
    # Slow in a worker, so that the caller takes a job of its own however the
    # machine schedules them (a fast worker could otherwise take all three).
    time.sleep(0.5)
    return layer.index


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_no_worker_outlives_an_error_or_an_abandoned_iteration(layout: Path) -> None:
    before = children()
    with layer_jobs(layout) as jobs:
        with pytest.raises(ValueError, match="cannot be read here"):
            list(map_layers(fails_in_the_caller, jobs, fork_safe=True))
        assert children() == before
        results = map_layers(reduce_with_pid, jobs, fork_safe=True)
        assert isinstance(results, Generator)
        next(results)
        results.close()  # the caller stops after one layer
        assert children() == before
