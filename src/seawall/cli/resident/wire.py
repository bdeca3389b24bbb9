"""Where the resident process listens and what one request holds, for the client and the server.

One request per connection. The client sends one frame: a 4-byte big-endian
length, then NUL-separated fields (POSIX arguments, paths and environment
entries cannot hold a NUL, so the split is exact), with its standard input,
output and error attached as SCM_RIGHTS descriptors (unix(7)). The server
answers with lines: `pid N` (the process running the command, which the
client forwards its signals to) and then `exit N`; or `stale` when its code
is not the client's.

The client imports this module before anything else, so it imports only
`os`, `sys` and `zlib` (and no `dataclasses` or `typing`).
"""

import os
import stat
import sys
import zlib

import seawall

PROTOCOL = "seawall-resident/1"
MAX_REQUEST_BYTES = 4 << 20
"""A request larger than this is refused (arguments and environment together)."""
LENGTH_BYTES = 4
_FIXED_FIELDS = 12
"""Protocol, identity, kind, cwd, umask, encoding and errors of 3 streams, argument count."""

RUN, STATUS, STOP = "run", "status", "stop"


def identity() -> str:
    """What makes one installation's resident process usable by a client: the
    interpreter, seawall's own directory and its version."""
    package = os.path.dirname(os.path.abspath(seawall.__file__))
    return f"{sys.executable}\n{package}\n{seawall.__version__}"


def directory(environ: "os._Environ[str] | dict[str, str]") -> str:
    """The directory of the sockets: `$SEAWALL_DAEMON_DIR`, else `$XDG_RUNTIME_DIR/seawall`,
    else `/tmp/seawall-UID`."""
    if explicit := environ.get("SEAWALL_DAEMON_DIR"):
        return explicit
    if runtime := environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(runtime, "seawall")
    return f"/tmp/seawall-{os.getuid()}"  # noqa: S108 (made 0700 and checked before use)


def socket_path(environ: "os._Environ[str] | dict[str, str]") -> str:
    """The socket of this installation's resident process (named by a checksum of
    `identity()`; the server compares the whole identity on every request)."""
    tag = zlib.crc32(identity().encode()) & 0xFFFFFFFF
    return os.path.join(directory(environ), f"daemon-{tag:08x}.sock")


def is_private(path: str) -> bool:
    """True when `path` is a real directory of this user that nobody else may enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


class Request:
    """What the client sends: a command and the context it runs in."""

    __slots__ = ("argv", "cwd", "encodings", "environ", "identity", "kind", "umask")

    def __init__(
        self,
        kind: str,
        identity: str,
        cwd: str,
        umask: int,
        encodings: tuple[str, ...],
        argv: list[str],
        environ: dict[str, str],
    ) -> None:
        self.kind = kind
        self.identity = identity
        self.cwd = cwd
        self.umask = umask
        self.encodings = encodings
        """Encoding and error handler of standard input, output and error, in that order."""
        self.argv = argv
        self.environ = environ

    def encode(self) -> bytes:
        """The frame: its length, then the fields."""
        fields = [
            PROTOCOL,
            self.identity,
            self.kind,
            self.cwd,
            str(self.umask),
            *self.encodings,
            str(len(self.argv)),
            *self.argv,
            *(f"{name}={value}" for name, value in self.environ.items()),
        ]
        body = b"\0".join(os.fsencode(field) for field in fields)
        return len(body).to_bytes(LENGTH_BYTES, "big") + body

    @classmethod
    def decode(cls, body: bytes) -> "Request":
        """The request in a frame's body; ValueError names what is wrong with it."""
        fields = [os.fsdecode(field) for field in body.split(b"\0")]
        if len(fields) < _FIXED_FIELDS or fields[0] != PROTOCOL:
            raise ValueError(f"not a {PROTOCOL} request")
        count = int(fields[11])
        start = _FIXED_FIELDS
        if not 0 <= count <= len(fields) - start:
            raise ValueError("the argument count does not match the request")
        environ: dict[str, str] = {}
        for entry in fields[start + count :]:
            name, equals, value = entry.partition("=")
            if not equals or not name:
                raise ValueError("an environment entry has no name")
            environ[name] = value
        return cls(
            kind=fields[2],
            identity=fields[1],
            cwd=fields[3],
            umask=int(fields[4], 10) & 0o777,
            encodings=tuple(fields[5:11]),
            argv=fields[start : start + count],
            environ=environ,
        )
