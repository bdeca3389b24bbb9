"""Start, stop and ask about this installation's resident process (`seawall daemon …`)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from seawall.cli.resident.server import READY
from seawall.cli.resident.wire import STATUS, STOP, Request, identity, is_private
from seawall.errors import InputError

ANSWER_TIMEOUT_SECONDS = 10.0
"""How long `start` waits for a server that said it listens to answer."""
MAX_SOCKET_PATH_BYTES = 100
"""sockaddr_un holds 108 bytes on Linux, 104 on macOS, the final NUL included."""


def status(path: str) -> str | None:
    """The server's status line (`status pid=… served=… started=… idle=…`), or None
    when none answers at `path` for this installation."""
    answer = _ask(path, STATUS)
    return answer if answer is not None and answer.startswith("status ") else None


def stop(path: str) -> bool:
    """Ask the server at `path` to exit; False when none was running."""
    return _ask(path, STOP) == "stopping"


def start(path: str, idle_seconds: float) -> str:
    """Start a server at `path` unless one answers there; its status line."""
    if len(os.fsencode(path)) > MAX_SOCKET_PATH_BYTES:
        raise InputError(f"the daemon's socket path is too long for a unix socket: {path}")
    _private_directory(Path(path).parent)
    if (running := status(path)) is not None:
        return running
    command = [
        sys.executable,
        "-m",
        "seawall.cli.resident.server",
        "--socket",
        path,
        "--idle",
        f"{idle_seconds:g}",
    ]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "SEAWALL_DAEMON": "0"},
    ) as starter:  # it forks the server and exits once that listens
        assert starter.stdout is not None and starter.stderr is not None
        if starter.stdout.readline().decode(errors="replace").strip() != READY:
            problem = starter.stderr.read().decode(errors="replace").strip()
            raise InputError(f"the daemon did not start: {problem or 'no reason given'}")
    deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
    while (running := status(path)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if running is None:
        raise InputError(f"the daemon started but does not answer at {path}")
    return running


def _private_directory(path: Path) -> None:
    """Make `path` (mode 0700), or refuse one that other users may enter."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not is_private(str(path)):
        raise InputError(
            f"{path} must be a directory of this user that no one else may enter "
            "(mode 0700); the daemon will not listen there"
        )


def _ask(path: str, kind: str) -> str | None:
    """Send a request without streams; the first line answered, or None."""
    request = Request(
        kind=kind,
        identity=identity(),
        cwd="/",
        umask=0o022,
        encodings=("utf-8", "strict") * 3,
        argv=[],
        environ={},
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(10.0)
        try:
            connection.connect(path)
            connection.sendall(request.encode())
            answer = connection.makefile("rb").readline()
        except OSError:
            return None
    return answer.decode("ascii", "replace").strip() or None
