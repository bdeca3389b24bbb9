"""The console script run here (no resident process): it exits without tearing the
interpreter down, yet output, exit status, threads and exit handlers are as usual."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Output buffered as a real run buffers it into a pipe (this shell may say otherwise).
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def seawall(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seawall", *args],
        cwd=cwd,
        env=BUFFERED,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_large_output_through_a_pipe_arrives_whole(tmp_path: Path) -> None:
    tree = tmp_path / "app"
    tree.mkdir()
    # Far more than a pipe holds (64 KiB): what is still buffered at exit must arrive.
    lines = [f"package-{number}==1.{number}" for number in range(3000)]
    (tree / "requirements.txt").write_text("\n".join(lines) + "\n")
    done = seawall("sbom", "dir:app", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 256 * 1024
    names = {package["name"] for package in json.loads(done.stdout)["packages"]}
    assert names == {f"package-{number}" for number in range(3000)}


def test_exit_statuses_and_messages_are_kept(tmp_path: Path) -> None:
    usage = seawall("sbom", cwd=tmp_path)
    assert usage.returncode == 2
    assert "required: TARGET" in usage.stderr
    missing = seawall("sbom", "dir:nowhere", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr
    assert seawall("--version", cwd=tmp_path).returncode == 0


def test_threads_exit_handlers_and_temporary_directories_are_seen_to(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import atexit, sys, tempfile, threading, time
        from pathlib import Path
        from seawall.cli.launch import main

        out = Path(sys.argv[1])
        left_open = tempfile.TemporaryDirectory()
        (out / "tempdir").write_text(left_open.name)

        def late() -> None:
            time.sleep(0.3)
            (out / "thread").write_text("joined")

        threading.Thread(target=late).start()
        atexit.register(lambda: (out / "atexit").write_text("ran"))
        sys.argv = ["seawall", "--version"]
        sys.exit(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        env=BUFFERED,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # the version, flushed
    assert (tmp_path / "thread").read_text() == "joined"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not Path((tmp_path / "tempdir").read_text()).exists()
