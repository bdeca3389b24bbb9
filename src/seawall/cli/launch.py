"""The `seawall` console script: a resident process runs the command when one serves this
installation (`seawall daemon start`), else this process does.

Imported before anything else on every run, so it imports only the thin client.
"""

import sys


def main() -> int:
    """Runs `seawall` with `sys.argv[1:]`; the exit status (a command run here exits the
    process itself, see `_leave`)."""
    from seawall.cli.resident.client import forward

    argv = sys.argv[1:]
    status = forward(argv)
    if status is not None:
        return status
    from seawall.cli.app import main as run_here

    status = run_here(argv)
    _leave(status)
    return status  # only when the standard streams could not be flushed


def _leave(status: int) -> None:
    """Exit with `status` without tearing the interpreter down.

    Teardown frees every object one by one: after a cold `seawall sbom` of a
    Debian image that is ~60 ms, a tenth of the run (median of 9, alternating).
    What teardown does that anyone can see is done first: threads that are not
    daemons are joined, exit handlers run (`atexit`: logging's flush, the
    removal of temporary directories still open), and the standard streams are
    flushed. Should flushing fail (a closed pipe), this returns, and the
    interpreter ends as usual and reports it.
    """
    import atexit
    import os
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(status)
