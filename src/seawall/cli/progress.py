"""A `ProgressSink` drawing rich progress bars on standard error."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from seawall.model.progress import NULL_PROGRESS, ProgressSink, ProgressTask

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class _RichTask:
    def __init__(self, progress: "Progress", task_id: "TaskID") -> None:
        self._progress = progress
        self._task_id = task_id

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task_id, amount)

    def close(self) -> None:
        self._progress.remove_task(self._task_id)


class RichProgressSink:
    """Draws one bar per task (a blob download, a layer read) while it runs."""

    def __init__(self, progress: "Progress") -> None:
        self._progress = progress

    def task(self, description: str, total: int | None) -> ProgressTask:
        return _RichTask(self._progress, self._progress.add_task(description, total=total))


@contextmanager
def progress_sink(console: "Console", *, quiet: bool) -> Iterator[ProgressSink]:
    """A sink for the duration of a command; silent with --quiet or off a terminal."""
    if quiet or not console.is_terminal:
        yield NULL_PROGRESS
        return
    # Imported here: rich.progress is start-up time a quiet run never needs.
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield RichProgressSink(progress)


@contextmanager
def stderr_progress(*, quiet: bool) -> Iterator[ProgressSink]:
    """`progress_sink` on standard error.

    With --quiet, or when standard error is certainly no terminal (a file, a
    pipe: `common.may_be_terminal`), there are no bars and rich is not even
    imported.
    """
    from seawall.cli.common import may_be_terminal, stderr_console

    if quiet or not may_be_terminal(sys.stderr):
        yield NULL_PROGRESS
        return
    with progress_sink(stderr_console(), quiet=False) as sink:
        yield sink
