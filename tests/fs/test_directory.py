"""The directory view: a root filesystem on disk, never followed out of the root."""

import os
from pathlib import Path

import pytest

from seawall.errors import InputError, LimitExceededError
from seawall.fs import DirectoryView, UnreadableFileError
from seawall.limits import Limits
from seawall.model.files import FileKind


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host secret")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0")
    (root / "etc/shadow-link").symlink_to(outside / "secret")
    (root / "etc/rel-escape").symlink_to("../../outside/secret")
    (root / "hostdir").symlink_to(outside)
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/os-release").write_text("ID=debian")
    (root / "etc/os-release").symlink_to("/usr/lib/os-release")
    os.mkfifo(root / "fifo")
    return root


def test_entries_and_kinds(rootfs: Path) -> None:
    view = DirectoryView(rootfs)
    entries = {e.path: e for e in view}
    assert set(entries) == {
        "/etc",
        "/etc/passwd",
        "/etc/shadow-link",
        "/etc/rel-escape",
        "/etc/os-release",
        "/hostdir",
        "/usr",
        "/usr/lib",
        "/usr/lib/os-release",
        "/fifo",
    }
    assert entries["/hostdir"].info.kind is FileKind.SYMLINK
    assert entries["/fifo"].info.kind is FileKind.FIFO and not entries["/fifo"].readable
    assert entries["/etc/passwd"].info.layer is None
    assert view.problems == []


def test_symlinks_out_of_the_root_are_never_followed(rootfs: Path) -> None:
    view = DirectoryView(rootfs)
    seen: dict[str, bytes] = {}
    for entry in view:
        assert not entry.path.startswith("/hostdir/")  # the linked directory is not entered
        if entry.readable:
            with entry.open() as reader:
                seen[entry.path] = reader.read()
    assert b"host secret" not in seen.values()
    # resolved with chroot semantics: the targets do not exist inside the root
    assert view.tree.resolve("/etc/shadow-link") is None
    assert view.tree.resolve("/etc/rel-escape") is None
    assert view.tree.resolve_path("/etc/os-release") == "/usr/lib/os-release"
    assert view.read_files({None: ["/hostdir/secret"]}, 100) == {}
    assert "cannot open" in view.problems[-1].message


def test_file_swapped_for_a_symlink_is_not_opened(rootfs: Path, tmp_path: Path) -> None:
    view = DirectoryView(rootfs)
    for entry in view:
        if entry.path == "/etc/passwd":
            (rootfs / "etc/passwd").unlink()
            (rootfs / "etc/passwd").symlink_to(tmp_path / "outside/secret")
            with pytest.raises(UnreadableFileError):
                entry.open()
    assert any("/etc/passwd" in p.where for p in view.problems)


def test_entry_and_depth_limits(tmp_path: Path) -> None:
    deep = tmp_path / "/".join(["d"] * 6)
    deep.mkdir(parents=True)
    (deep / "f").write_text("x")
    view = DirectoryView(tmp_path, Limits(max_path_depth=3))
    paths = [e.path for e in view]
    assert "/d/d/d" in paths and "/d/d/d/d" not in paths
    assert "max_path_depth=3" in view.problems[0].message
    with pytest.raises(LimitExceededError, match="max_image_entries=4"):
        list(DirectoryView(tmp_path, Limits(max_image_entries=4)))


def test_unreadable_directory_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/f").write_text("x")
    (tmp_path / "b").write_text("y")
    view = DirectoryView(tmp_path)
    for entry in view:
        if entry.path == "/a":
            (tmp_path / "a").rename(tmp_path / "gone")  # vanishes before it is entered
    assert any("cannot open the directory" in p.message for p in view.problems)


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open the directory"):
        list(DirectoryView(tmp_path / "missing"))
