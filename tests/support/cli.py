"""Runs `seawall ARGS` in this process, as the console script would, and captures what it said.

    result = run_cli("sbom", target, "-f", "json", env={"COLUMNS": "200"})
    result.exit_code, result.stdout, result.stderr, result.output

Standard output and error are text buffers (not terminals, as in CI: no progress
bars, no colour), `output` is both interleaved in the order they were written.
`env` sets variables for the run (None removes one) and restores them after.
"""

import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from seawall.cli.app import main


@dataclass(frozen=True, slots=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    output: str
    """Standard output and standard error interleaved as written."""


class _Tee(io.StringIO):
    """A stream that also copies everything into a shared buffer."""

    def __init__(self, shared: io.StringIO) -> None:
        super().__init__()
        self._shared = shared

    def write(self, text: str) -> int:
        self._shared.write(text)
        return super().write(text)


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cli(*args: str, env: Mapping[str, str | None] | None = None) -> CliResult:
    """`seawall ARGS` through `seawall.cli.app.main`, with its exit code and output."""
    shared = io.StringIO()
    stdout, stderr = _Tee(shared), _Tee(shared)
    saved = sys.stdout, sys.stderr
    with _environment(env or {}):
        sys.stdout, sys.stderr = stdout, stderr
        try:
            code = main(list(args))
        finally:
            sys.stdout, sys.stderr = saved
    return CliResult(code, stdout.getvalue(), stderr.getvalue(), shared.getvalue())
