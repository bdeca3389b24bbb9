"""The `seawall` console script: a resident process runs the command when one serves this
installation (`seawall daemon start`), else this process does.

Imported before anything else on every run, so it imports only the thin client.
"""

import sys


def main() -> int:
    """Runs `seawall` with `sys.argv[1:]`; the exit status."""
    from seawall.cli.resident.client import forward

    argv = sys.argv[1:]
    status = forward(argv)
    if status is not None:
        return status
    from seawall.cli.app import main as run_here

    return run_here(argv)
