"""A crash or failure mid-import leaves the previous store usable and unchanged."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.vulndb.importer import import_paths
from seawall.vulndb.store import VulnStore
from seawall.vulndb.writer import StoreWriter

CHILD = """
import sys
from pathlib import Path
from seawall.vulndb.importer import import_paths
import_paths(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
"""


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def _wait_gone(pids: list[int], seconds: float = 10) -> None:
    """Until none of `pids` runs any more (an exited orphan may stay a zombie of init)."""
    deadline = time.monotonic() + seconds
    while True:
        running = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                running.append(pid)
        if not running:
            return
        assert time.monotonic() < deadline, f"processes {running} outlived the killed import"
        time.sleep(0.05)


def test_killing_an_import_midway_leaves_the_old_store(vulndata: Path, tmp_path: Path) -> None:
    store = tmp_path / "db" / "seawall.db"
    import_paths(store, [vulndata / "Debian:11" / "all.zip"])
    before = store.read_bytes()
    big = [vulndata / name / "all.zip" for name in ("Debian:12", "Go", "PyPI", "crates.io")]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store), *map(str, big)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 60
        # Wait until the child is writing its new file, then kill it without warning.
        while time.monotonic() < deadline:
            building = [p for p in store.parent.iterdir() if p.name.endswith(".new")]
            if building and building[0].stat().st_size > 2 * 1024 * 1024:
                break
            assert child.poll() is None, "the import finished before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("the import never started writing")
        workers = _children(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert workers, "the import ran no worker processes"
    _wait_gone(workers)  # orphaned workers notice and exit instead of waiting forever
    assert store.read_bytes() == before
    with VulnStore(store) as opened:
        assert {s.name: s.records for s in opened.info().sources} == {"Debian:11": 410}
        assert opened.advisories("Debian:11", "openssl")
    # The dead writer's lock went with it: the next import works and replaces the store.
    (report,) = import_paths(store, [vulndata / "crates.io" / "all.zip"])
    assert report.records == 1206
    with VulnStore(store) as opened:
        assert {s.name for s in opened.info().sources} == {"Debian:11", "crates.io"}


def test_an_error_midway_discards_the_new_file(vulndata: Path, tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [vulndata / "Debian:11" / "all.zip"])
    before = store.read_bytes()
    with pytest.raises(RuntimeError), StoreWriter(store) as writer:
        writer.import_osv("x", [], full=True)
        raise RuntimeError("boom")
    assert store.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")] == []


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    store = tmp_path / "seawall.db"
    with StoreWriter(store), pytest.raises(InputError, match="another seawall process"):
        StoreWriter(store)
    with StoreWriter(store):
        pass
    assert store.is_file()


def test_a_reader_keeps_its_version_while_an_update_replaces_the_file(
    vulndata: Path, tmp_path: Path
) -> None:
    store = tmp_path / "seawall.db"
    import_paths(store, [vulndata / "Debian:11" / "all.zip"])
    with VulnStore(store) as reader:
        import_paths(store, [vulndata / "Debian:10" / "all.zip"], fresh=True)
        assert {s.name for s in reader.info().sources} == {"Debian:11"}
    with VulnStore(store) as fresh:
        assert {s.name for s in fresh.info().sources} == {"Debian:10"}
