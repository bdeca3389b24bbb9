"""Peak memory of a whole process tree, for tools that work in several processes.

`/usr/bin/time -f %M` reports the largest single process of a tree, which
understates a tool that reads layers in several processes at once. `run`
samples the summed resident memory (VmRSS) of a command and all its
descendants every 20 ms: often enough for peaks that last as long as a
layer's reading, rarely enough not to slow the tool measured. The benchmarks
report the larger of that sampled peak and /usr/bin/time's exact
single-process peak. Linux only (/proc).
"""

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")
_INTERVAL = 0.02


@dataclass(frozen=True, slots=True)
class TreeRun:
    """What `run` measured."""

    seconds: float
    tree_peak_kib: int
    returncode: int
    stderr: str


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in (_PROC / str(pid) / "task").iterdir():
            found.extend(int(child) for child in (task / "children").read_text().split())
    except OSError:  # the process ended while being read
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> int:
    """The summed VmRSS of `root` and every descendant right now."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += _rss_kib(pid)
        pending.extend(_children(pid))
    return total


def run(argv: list[str], env: dict[str, str]) -> TreeRun:
    """Run `argv` to its end: wall time and the sampled peak of the tree's summed RSS."""
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss_kib(process.pid))
            time.sleep(_INTERVAL)
        seconds = time.perf_counter() - start
        errors.seek(0)
        return TreeRun(seconds, peak, process.returncode, errors.read())
