"""The thin client: run one command in the resident process, if one serves this installation.

It is the first thing the console script runs, so its imports are few and
cheap: the C modules `_socket` and `_signal` rather than `socket` and
`signal`, which import `selectors` and `enum` (about 30 ms here, measured
with `python -c "import socket"` against `python -c pass`; `signal` alone costs 4 ms).
"""

import _signal  # type: ignore[import-not-found]  # (typeshed has no stub for it)
import _socket
import os
import sys
from array import array

from seawall.cli.resident.wire import RUN, Request, identity, is_private, socket_path

_FORWARDED_SIGNALS = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
EXIT_LOST = 3
"""The status when the resident process ends the connection without one (internal error)."""


def forward(argv: list[str]) -> int | None:
    """The exit status of `seawall ARGV` run by the resident process, or None when the
    command must run in this process: `SEAWALL_DAEMON=0`, a `seawall daemon` command,
    no resident process for this installation, or one started from other code."""
    if os.environ.get("SEAWALL_DAEMON") == "0" or _command(argv) == "daemon":
        return None
    path = socket_path(os.environ)
    if not is_private(os.path.dirname(path)):
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
        frame = _request(argv).encode()
        streams = array("i", (0, 1, 2))
        sent = connection.sendmsg([frame], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, streams)])
        connection.sendall(frame[sent:])
        return _outcome(connection)
    except OSError:  # nothing listens, or a standard stream is closed: run here
        return None
    finally:
        connection.close()


def _command(argv: list[str]) -> str | None:
    """The command's name: the first argument that is not an option."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _request(argv: list[str]) -> Request:
    mask = os.umask(0o022)
    os.umask(mask)
    streams = (sys.stdin, sys.stdout, sys.stderr)
    encodings: list[str] = []
    for stream in streams:
        encodings += [stream.encoding, stream.errors or "strict"] if stream else ["utf-8", "strict"]
    return Request(
        kind=RUN,
        identity=identity(),
        cwd=os.getcwd(),
        umask=mask,
        encodings=tuple(encodings),
        argv=argv,
        environ=dict(os.environ),
    )


def _outcome(connection: _socket.socket) -> int | None:
    """Read the server's lines: None for `stale`, else the command's exit status.

    From `pid N` on, SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to that
    process, so Ctrl-C stops the command as it would stop a local one.
    """
    pending = bytearray()
    first = _line(connection, pending)
    if first is None or not first.startswith("pid "):  # refused, or `stale`
        return None
    worker = int(first.removeprefix("pid "))

    def pass_on(number: int, _frame: object) -> None:
        try:
            os.kill(worker, number)
        except ProcessLookupError:  # it has just finished
            return

    for number in _FORWARDED_SIGNALS:
        _signal.signal(number, pass_on)
    last = _line(connection, pending)
    if last is not None and last.startswith("exit "):
        return int(last.removeprefix("exit "))
    sys.stderr.write("seawall: internal error: the resident process ended without a status\n")
    return EXIT_LOST


def _line(connection: _socket.socket, pending: bytearray) -> str | None:
    """The next line the server sends, or None when it closes the connection first."""
    while b"\n" not in pending:
        chunk = connection.recv(4096)  # retried after a forwarded signal (PEP 475)
        if not chunk:
            return None
        pending += chunk
    line, _, rest = bytes(pending).partition(b"\n")
    pending[:] = rest
    return line.decode("ascii", "replace")
