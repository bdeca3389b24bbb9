"""Per-member checks of a layer: unsafe names, hard links, limits, odd entry types."""

from fsbuild import END, Dir, File, Hardlink, Symlink, header, image_layers, member, tar_bytes

from seawall.fs import ImageWalk, LayerView
from seawall.limits import Limits
from seawall.model.files import FileInfo, FileKind


def view_of(
    data: bytes, limits: Limits | None = None
) -> tuple[LayerView, dict[str, bytes | FileInfo]]:
    """The layer's view, and its entries: contents for regular files, metadata otherwise."""
    [(layer, opener)] = image_layers(data)
    view = LayerView(layer, opener, limits)
    entries: dict[str, bytes | FileInfo] = {
        e.path: (e.open().read() if e.readable else e.info) for e in view
    }
    return view, entries


def info(entry: bytes | FileInfo) -> FileInfo:
    assert isinstance(entry, FileInfo)
    return entry


def test_dot_dot_and_absolute_names_are_clamped_and_recorded() -> None:
    data = (
        member(b"../../etc/cron.d/evil", b"* * * * * root sh")
        + member(b"/etc/passwd", b"root::0:0")
        + member(b"./usr/bin/ok", b"ok")
        + END
    )
    view, entries = view_of(data)
    assert entries == {
        "/etc/cron.d/evil": b"* * * * * root sh",
        "/etc/passwd": b"root::0:0",
        "/usr/bin/ok": b"ok",
    }
    assert len(view.problems) == 2
    first, second = view.problems
    assert first.where == "layer 0 (sha256:000000000000) member '../../etc/cron.d/evil'"
    assert "unsafe name" in first.message and "'/etc/cron.d/evil'" in first.message
    assert "'/etc/passwd'" in second.where


def test_hard_link_to_an_earlier_member() -> None:
    data = tar_bytes([File("bin/busybox", b"BB"), Hardlink("bin/sh", "bin/busybox")])
    view, entries = view_of(data)
    link = entries["/bin/sh"]
    assert info(link).kind is FileKind.HARDLINK
    assert info(link).link_target == "/bin/busybox"
    assert view.problems == []


def test_hard_link_chain_points_at_the_regular_file() -> None:
    data = tar_bytes([File("a", b"A"), Hardlink("b", "a"), Hardlink("c", "./b")])
    _, entries = view_of(data)
    assert info(entries["/c"]).link_target == "/a"


def test_hard_link_to_a_missing_or_later_member_is_a_problem() -> None:
    data = tar_bytes([Hardlink("early", "late"), File("late", b"L"), Hardlink("ghost", "nowhere")])
    view, entries = view_of(data)
    assert set(entries) == {"/late"}
    assert [p.where.split("member ")[1] for p in view.problems] == ["'early'", "'ghost'"]
    assert all("not an earlier member of this layer" in p.message for p in view.problems)


def test_hard_link_escaping_the_root_is_clamped_and_recorded() -> None:
    data = member(b"etc/shadow", b"s") + header(b"x", typeflag=b"1", linkname=b"../../etc/shadow")
    view, entries = view_of(data + END)
    assert info(entries["/x"]).link_target == "/etc/shadow"
    assert "unsafe hard link target" in view.problems[0].message


def test_hard_link_to_a_directory_is_refused() -> None:
    view, entries = view_of(tar_bytes([Dir("d"), Hardlink("l", "d")]))
    assert "/l" not in entries
    assert "directory" in view.problems[0].message


def test_hard_link_cannot_reach_another_layer() -> None:
    lower = tar_bytes([File("etc/shadow", b"secret")])
    upper = tar_bytes([Hardlink("copy", "etc/shadow")])
    walk = ImageWalk(image_layers(lower, upper))
    assert "/copy" not in {e.path for e in walk}
    assert "not an earlier member" in walk.problems[0].message


def test_path_length_and_depth_limits_skip_the_entry() -> None:
    deep = "/".join(["d"] * 20) + "/f"
    data = tar_bytes([File("x" * 300, b"1"), File(deep, b"2"), File("ok", b"3")])
    view, entries = view_of(data, Limits(max_path_bytes=256, max_path_depth=10))
    assert set(entries) == {"/ok"}
    messages = [p.message for p in view.problems]
    assert any("max_path_bytes=256" in m for m in messages)
    assert any("max_path_depth=10" in m for m in messages)


def test_unknown_types_are_recorded_and_their_data_skipped() -> None:
    data = member(b"weird", b"payload", typeflag=b"Z") + member(b"after", b"ok") + END
    view, entries = view_of(data)
    assert entries == {"/after": b"ok"}
    assert "unsupported tar entry type" in view.problems[0].message


def test_devices_fifos_and_symlinks_keep_their_kinds() -> None:
    data = (
        header(b"dev/null", typeflag=b"3")
        + header(b"dev/sda", typeflag=b"4")
        + header(b"run/fifo", typeflag=b"6")
    )
    _, entries = view_of(data + tar_bytes([Symlink("l", "/etc")]))
    kinds = {p: info(e).kind for p, e in entries.items()}
    assert kinds == {
        "/dev/null": FileKind.CHAR_DEVICE,
        "/dev/sda": FileKind.BLOCK_DEVICE,
        "/run/fifo": FileKind.FIFO,
        "/l": FileKind.SYMLINK,
    }


def test_duplicate_member_in_one_layer_is_recorded_and_later_wins() -> None:
    data = tar_bytes([File("a", b"first"), File("a", b"second"), Dir("d"), Dir("d")])
    walk = ImageWalk(image_layers(data))
    list(walk)
    assert len(walk.problems) == 1 and "more than once" in walk.problems[0].message
    assert walk.tree.get("/a").size == len(b"second")  # type: ignore[union-attr]


def test_aufs_metadata_and_root_entry_are_not_entries() -> None:
    data = tar_bytes(
        [Dir("."), Dir(".wh..wh.plnk"), File(".wh..wh.plnk/1.2", b"x"), File(".wh..wh.aufs")]
    )
    view, entries = view_of(data)
    assert entries == {}
    assert view.problems == []
