"""How long-running core work reports progress without importing a UI library.

The caller passes a `ProgressSink`; the CLI's sink draws rich progress bars,
`NULL_PROGRESS` draws nothing.
"""

from typing import Protocol


class ProgressTask(Protocol):
    """One unit of work with an optional known total (bytes, files)."""

    def advance(self, amount: int) -> None: ...

    def close(self) -> None: ...


class ProgressSink(Protocol):
    """Creates progress tasks."""

    def task(self, description: str, total: int | None) -> ProgressTask: ...


class _NullTask:
    def advance(self, amount: int) -> None:
        pass

    def close(self) -> None:
        pass


class _NullSink:
    def task(self, description: str, total: int | None) -> ProgressTask:
        return _NullTask()


NULL_PROGRESS: ProgressSink = _NullSink()
