"""The resident process: commands it runs behave exactly as commands run in their own process.

Every test starts a real `seawall daemon` in a private directory of its own and runs
the real console script against it, then checks the daemon served the command (its
status counts requests) and that nothing of it is left running afterwards.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import seawall
from seawall.cli.resident.wire import PROTOCOL, RUN, Request, socket_path
from tests.pipeline.test_sbom import layered_image
from tests.pipeline.test_secrets import secret_image
from tests.support.imagebuild import write_docker_archive

SEAWALL = [
    sys.executable,
    "-c",
    "import sys; from seawall.cli.launch import main; sys.exit(main())",
]
"""The console script's code, run by this interpreter (the installed script is the same)."""


@dataclass
class Daemon:
    directory: Path
    env: dict[str, str]

    def run(
        self, *args: str, cwd: Path | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*SEAWALL, *args],
            env={**self.env, **extra},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def local(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return self.run(*args, cwd=cwd, SEAWALL_DAEMON="0")

    def status(self) -> dict[str, str]:
        done = self.run("daemon", "status")
        assert done.returncode == 0, done.stdout + done.stderr
        return dict(word.split("=", 1) for word in done.stdout.split()[1:])

    def served(self) -> int:
        return int(self.status()["served"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def wait_until_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def start_daemon(env: dict[str, str], *options: str) -> int:
    done = subprocess.run(
        [*SEAWALL, "daemon", "start", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("status pid="), done.stdout
    return int(done.stdout.split()[1].removeprefix("pid="))


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    # A short directory: a unix socket's path holds at most 108 bytes.
    directory = Path(tempfile.mkdtemp(prefix="swd-", dir="/tmp"))
    env = {**os.environ, "SEAWALL_DAEMON_DIR": str(directory / "run")}
    env.pop("SEAWALL_DAEMON", None)
    try:
        pid = start_daemon(env)
        try:
            yield Daemon(directory, env)
        finally:
            subprocess.run([*SEAWALL, "daemon", "stop"], env=env, capture_output=True, timeout=60)
            assert wait_until_gone(pid), "the daemon outlived `seawall daemon stop`"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def without_volatile(document: str) -> object:
    """A native JSON document without the fields that differ between two runs."""
    data = json.loads(document)
    data.pop("created", None)
    data.get("metadata", {}).pop("timestamp", None)
    return data


def test_a_forwarded_sbom_is_the_local_one(daemon: Daemon, tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "image.tar", [(layered_image(), ["app:1"])])
    cache = ["--cache-dir", str(tmp_path / "cache")]
    here = daemon.local("sbom", f"docker-archive:{archive}", "-f", "json", *cache)
    assert daemon.served() == 0
    there = daemon.run("sbom", f"docker-archive:{archive}", "-f", "json", *cache)
    assert daemon.served() == 1
    assert (there.returncode, there.stderr) == (here.returncode, here.stderr) == (0, "")
    assert without_volatile(there.stdout) == without_volatile(here.stdout)
    assert len(json.loads(there.stdout)["packages"]) >= 3


def test_exit_status_and_both_streams_come_back(daemon: Daemon, tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "image.tar", [(secret_image(), ["app:1"])])
    for args in (
        ("--help",),  # every command listed
        ("compliance", "--help"),  # a group whose subcommand may be left out
        ("sbom",),  # a usage error: 2, usage on standard error
        ("sbom", f"docker-archive:{tmp_path / 'missing.tar'}"),  # an input error: 2
        ("secrets", f"docker-archive:{archive}", "-f", "json", "--exit-code", "1", "--no-cache"),
    ):
        here = daemon.local(*args)
        there = daemon.run(*args)
        assert (there.returncode, there.stdout, there.stderr) == (
            here.returncode,
            here.stdout,
            here.stderr,
        ), args
    assert daemon.served() == 5


def test_the_command_runs_in_the_clients_directory_environment_and_umask(
    daemon: Daemon, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "requirements.txt").write_text("requests==2.31.0\n")
    done = subprocess.run(
        [*SEAWALL, "sbom", "dir:.", "-f", "json", "-o", "out.json"],
        env={**daemon.env, "SEAWALL_CACHE_DIR": str(tmp_path / "from-env")},
        cwd=tree,
        capture_output=True,
        text=True,
        umask=0o077,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert daemon.served() == 1
    written = tree / "out.json"
    assert written.stat().st_mode & 0o777 == 0o600
    names = [p["name"] for p in json.loads(written.read_text())["packages"]]
    assert names == ["requests"]
    # The environment travels: help is wrapped to the client's $COLUMNS.
    narrow = daemon.run("sbom", "--help", COLUMNS="50")
    wide = daemon.run("sbom", "--help", COLUMNS="200")
    assert max(map(len, narrow.stdout.splitlines())) <= 50 < max(map(len, wide.stdout.splitlines()))
    assert (
        narrow.stdout
        == subprocess.run(
            [*SEAWALL, "sbom", "--help"],
            env={**daemon.env, "SEAWALL_DAEMON": "0", "COLUMNS": "50"},
            capture_output=True,
            text=True,
        ).stdout
    )


def test_ctrl_c_stops_the_forwarded_command(daemon: Daemon) -> None:
    # A registry that accepts the connection and never answers keeps `inspect` waiting.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = subprocess.Popen(
            [*SEAWALL, "inspect", f"registry:127.0.0.1:{port}/app:1", "--insecure"],
            env=daemon.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while daemon.served() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(int(daemon.status()["pid"]))
        assert len(workers) == 1
        time.sleep(0.3)
        client.send_signal(signal.SIGINT)
        _, stderr = client.communicate(timeout=30)
    assert client.returncode == 130, stderr
    assert wait_until_gone(workers[0])


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return [child for child in found if alive(child)]


def test_a_daemon_of_other_code_is_not_used_and_one_whose_code_changed_exits(
    tmp_path: Path,
) -> None:
    # A copy of seawall's source is another installation; editing it makes its daemon stale.
    copy = Path(tempfile.mkdtemp(prefix="swc-", dir="/tmp"))
    try:
        shutil.copytree(Path(seawall.__file__).parent, copy / "seawall")
        directory = copy / "run"
        env = {**os.environ, "SEAWALL_DAEMON_DIR": str(directory), "PYTHONPATH": str(copy)}
        env.pop("SEAWALL_DAEMON", None)
        pid = start_daemon(env)
        ours = {**env, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        socket_of_copy = next(directory.glob("daemon-*.sock"))
        assert socket_path(ours) != str(socket_of_copy)
        version = subprocess.run(
            [*SEAWALL, "--version"], env=env, capture_output=True, text=True, timeout=60
        )
        assert version.stdout.strip() == f"seawall {seawall.__version__}"
        assert _served(env) == 1
        # A client of another installation that finds this socket is told `stale`
        # and runs the command itself; the daemon goes on serving its own.
        assert _send_raw(socket_of_copy, identity="another installation") == b"stale\n"
        assert alive(pid)
        # The daemon's code changes on disk: it answers `stale`, the client runs the
        # command itself, and the daemon exits.
        module = copy / "seawall" / "cli" / "app.py"
        module.write_text(module.read_text() + "\n")
        later = subprocess.run(
            [*SEAWALL, "--version"], env=env, capture_output=True, text=True, timeout=60
        )
        assert (later.returncode, later.stdout.strip()) == (0, f"seawall {seawall.__version__}")
        assert wait_until_gone(pid)
        assert not socket_of_copy.exists()
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _served(env: dict[str, str]) -> int:
    done = subprocess.run(
        [*SEAWALL, "daemon", "status"], env=env, capture_output=True, text=True, timeout=60
    )
    return int(done.stdout.split("served=")[1].split()[0])


def _send_raw(path: Path, *, identity: str, kind: str = "status") -> bytes:
    request = Request(kind, identity, "/", 0o022, ("utf-8", "strict") * 3, [], {})
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(10)
        connection.connect(str(path))
        connection.sendall(request.encode())
        return connection.recv(4096)


def test_garbage_and_strangers_get_nothing_and_the_daemon_goes_on(
    daemon: Daemon, tmp_path: Path
) -> None:
    path = Path(socket_path(daemon.env))
    for garbage in (b"", b"\x00\x00\x00\x05hello", b"\xff\xff\xff\xff", b"\x00\x00\x00\x02a\x00"):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(20)
            connection.connect(str(path))
            connection.sendall(garbage)
            connection.shutdown(socket.SHUT_WR)
            assert connection.recv(4096) == b""
    if os.getuid() != 0:
        pytest.skip("checking another user's request needs root to become that user")
    # Another user who reaches the socket (here: permissions opened on purpose) is refused.
    marker = tmp_path / "ran"
    for directory in (daemon.directory, path.parent):
        directory.chmod(0o711)
    path.chmod(0o666)
    probe = (
        "import os, socket, array, sys\n"
        "from seawall.cli.resident.wire import Request, RUN\n"
        "os.setgid(65534); os.setuid(65534)\n"
        f"r = Request(RUN, sys.argv[1], '/', 0o022, ('utf-8', 'strict') * 3, "
        f"['sbom', 'dir:/', '-o', {str(marker)!r}], {{}})\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        f"s.connect({str(path)!r})\n"
        "try:\n"
        "    s.sendmsg([r.encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, "
        "array.array('i', (0, 1, 2)))])\n"
        "    print(repr(s.recv(100)))\n"
        "except (BrokenPipeError, ConnectionResetError):  # closed on us: refused as well\n"
        "    print(repr(b''))\n"
    )
    from seawall.cli.resident.wire import identity

    stranger = subprocess.run(
        [sys.executable, "-c", probe, identity()], capture_output=True, text=True, timeout=60
    )
    assert stranger.stdout.strip() == "b''", stranger.stderr
    assert not marker.exists()
    assert daemon.served() == 0


def test_the_daemon_exits_when_idle_and_refuses_an_open_directory(tmp_path: Path) -> None:
    directory = Path(tempfile.mkdtemp(prefix="swi-", dir="/tmp"))
    try:
        env = {**os.environ, "SEAWALL_DAEMON_DIR": str(directory / "run")}
        pid = start_daemon(env, "--idle-timeout", "1")
        assert wait_until_gone(pid, 20)
        assert not list((directory / "run").glob("*.sock"))
        # A directory others may enter is not used, by the server or the client.
        (directory / "open").mkdir(mode=0o755)
        (directory / "open").chmod(0o755)
        opened = {**env, "SEAWALL_DAEMON_DIR": str(directory / "open")}
        refused = subprocess.run(
            [*SEAWALL, "daemon", "start"], env=opened, capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 2
        assert "no one else may enter" in refused.stderr
        assert not list((directory / "open").iterdir())
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["sbom", "dir:my tree", "-o", "ünïcode.json", ""],
        ["--", "-x", "a=b", "\udcff-bytes-that-are-not-utf-8"],
    ],
)
def test_a_request_reads_back_as_written(argv: list[str]) -> None:
    request = Request(
        RUN,
        "id",
        "/some where",
        0o027,
        ("utf-8", "strict", "utf-8", "surrogateescape", "ascii", "backslashreplace"),
        argv,
        {"A": "1", "EMPTY": "", "EQUALS": "x=y"},
    )
    frame = request.encode()
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    back = Request.decode(frame[4:])
    assert [getattr(back, name) for name in Request.__slots__] == [
        getattr(request, name) for name in Request.__slots__
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not a seawall-resident/1 request"),
        (b"other/1\0" + b"x\0" * 11, "not a seawall-resident/1 request"),
        (PROTOCOL.encode() + b"\0id\0run\0/\0" + b"18\0" + b"u\0s\0" * 3 + b"5\0a", "count"),
        (PROTOCOL.encode() + b"\0id\0run\0/\0" + b"18\0" + b"u\0s\0" * 3 + b"0\0NOEQUALS", "name"),
    ],
)
def test_a_malformed_request_is_refused(body: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Request.decode(body)


def test_the_client_imports_almost_nothing(daemon: Daemon) -> None:
    # What each forwarded command pays for itself (docs/architecture.md, "The resident process").
    script = "import sys; from seawall.cli.launch import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script, "--version"],
        env=daemon.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"seawall {seawall.__version__}")
    assert daemon.served() == 1
    imported = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.endswith("| package")
    }
    ours = {name for name in imported if name.split(".")[0] == "seawall"}
    assert ours == {
        "seawall",
        "seawall.cli",
        "seawall.cli.launch",
        "seawall.cli.resident",
        "seawall.cli.resident.client",
        "seawall.cli.resident.wire",
    }
    assert not imported & {"typing", "dataclasses", "pathlib", "socket", "enum", "argparse", "re"}
