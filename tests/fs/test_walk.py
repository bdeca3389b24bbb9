"""The image walk, the squashed view and the per-layer view over real layer tars."""

import pytest
from fsbuild import (
    CountingOpener,
    Dir,
    File,
    Opaque,
    Symlink,
    Whiteout,
    image_layers,
    tar_bytes,
)

from seawall.errors import LimitExceededError
from seawall.fs import Entry, ImageWalk, LayerView, SquashedView, StaleEntryError
from seawall.limits import Limits
from seawall.model.files import FileKind


def walk_all(*tars: bytes, limits: Limits | None = None) -> tuple[ImageWalk, list[Entry]]:
    walk = ImageWalk(image_layers(*tars), limits)
    return walk, list(walk)


def squashed(*tars: bytes) -> dict[str, tuple[int | None, bytes | None]]:
    """Visible path -> (layer, contents) of the squashed image."""
    out: dict[str, tuple[int | None, bytes | None]] = {}
    for entry in SquashedView(image_layers(*tars)):
        out[entry.path] = (entry.info.layer, entry.open().read() if entry.readable else None)
    return out


def by_layer(entries: list[Entry]) -> dict[tuple[int | None, str], Entry]:
    return {(e.info.layer, e.path): e for e in entries}


BASE = tar_bytes(
    [
        Dir("etc"),
        File("etc/passwd", b"root:x:0:0"),
        File("etc/secret.key", b"-----BEGIN KEY-----"),
        Dir("opt"),
        Dir("opt/app"),
        File("opt/app/old.py", b"old"),
        File("opt/keep", b"keep"),
        Dir("var"),
        File("var/log", b"log"),
    ]
)


def test_whiteout_hides_a_lower_file_which_stays_in_the_walk() -> None:
    top = tar_bytes([Whiteout("etc/secret.key")])
    walk, entries = walk_all(BASE, top)
    secret = by_layer(entries)[(0, "/etc/secret.key")]
    assert (secret.visible, secret.hidden_by) == (False, 1)
    # hidden entries can still be read while the walk is at them
    assert "/etc/secret.key" not in squashed(BASE, top)
    assert walk.tree.get("/etc/secret.key") is None
    assert walk.tree.get("/etc/passwd") is not None
    # whiteout markers are applied, never yielded
    assert not any(".wh." in e.path for e in entries)


def test_hidden_entries_are_readable_during_the_walk() -> None:
    top = tar_bytes([Whiteout("etc/secret.key")])
    seen = {}
    for entry in ImageWalk(image_layers(BASE, top)):
        if entry.readable:
            with entry.open() as reader:
                seen[entry.path] = (entry.visible, entry.hidden_by, reader.read())
    assert seen["/etc/secret.key"] == (False, 1, b"-----BEGIN KEY-----")


def test_the_per_layer_view_keeps_deleted_files() -> None:
    top = tar_bytes([Whiteout("etc/secret.key"), Opaque("opt")])
    (base_layer, base_open), (top_layer, top_open) = image_layers(BASE, top)
    base_view = LayerView(base_layer, base_open)
    contents = {e.path: e.open().read() for e in base_view if e.readable}
    assert contents["/etc/secret.key"] == b"-----BEGIN KEY-----"
    top_view = LayerView(top_layer, top_open)
    assert list(top_view) == []
    assert top_view.whiteouts == ["/etc/secret.key"]
    assert top_view.opaque_dirs == ["/opt"]
    assert top_view.stats is not None and top_view.stats.whiteouts == 2


def test_whiteout_of_a_directory_hides_its_subtree() -> None:
    top = tar_bytes([Whiteout("opt")])
    _, entries = walk_all(BASE, top)
    hidden = {e.path: e.hidden_by for e in entries if not e.visible}
    assert hidden == {"/opt": 1, "/opt/app": 1, "/opt/app/old.py": 1, "/opt/keep": 1}


def test_opaque_directory_hides_lower_children_but_not_its_own() -> None:
    top = tar_bytes([Dir("opt"), Opaque("opt"), File("opt/new", b"new")])
    view = squashed(BASE, top)
    assert view["/opt/new"] == (1, b"new")
    assert view["/opt"] == (1, None)
    assert not any(p.startswith("/opt/app") or p == "/opt/keep" for p in view)
    assert "/etc/passwd" in view


def test_whiteout_never_applies_to_its_own_layer() -> None:
    # OCI layer.md: whiteouts apply to lower layers only.
    top = tar_bytes([File("etc/passwd", b"new"), Whiteout("etc/passwd"), Opaque("var")])
    top2 = tar_bytes([File("var/fresh", b"f"), Opaque("var")])
    view = squashed(BASE, top, top2)
    assert view["/etc/passwd"] == (1, b"new")
    assert view["/var/fresh"] == (2, b"f")
    assert "/var/log" not in view


def test_overwrite_records_the_lowest_higher_layer() -> None:
    l1 = tar_bytes([File("etc/passwd", b"v1")])
    l2 = tar_bytes([File("etc/passwd", b"v2")])
    l3 = tar_bytes([Whiteout("etc")])
    _, entries = walk_all(BASE, l1, l2, l3)
    found = by_layer(entries)
    assert found[(0, "/etc/passwd")].hidden_by == 1
    assert found[(1, "/etc/passwd")].hidden_by == 2
    assert found[(2, "/etc/passwd")].hidden_by == 3
    assert found[(0, "/etc")].hidden_by == 3


def test_directory_replaced_by_a_file_hides_the_subtree() -> None:
    l1 = tar_bytes([File("opt", b"now a file")])
    l2 = tar_bytes([Dir("opt"), File("opt/later", b"x")])
    view = squashed(BASE, l1, l2)
    # overlayfs stops at the non-directory of layer 1: layer 0's children are gone
    assert {p for p in view if p.startswith("/opt")} == {"/opt", "/opt/later"}
    _, entries = walk_all(BASE, l1, l2)
    assert by_layer(entries)[(0, "/opt/app/old.py")].hidden_by == 1
    assert by_layer(entries)[(1, "/opt")].hidden_by == 2


def test_file_replaced_by_a_directory() -> None:
    l1 = tar_bytes([Dir("var/log"), File("var/log/syslog", b"s")])
    view = squashed(BASE, l1)
    assert view["/var/log"] == (1, None)
    assert view["/var/log/syslog"] == (1, b"s")
    _, entries = walk_all(BASE, l1)
    assert by_layer(entries)[(0, "/var/log")].hidden_by == 1


def test_implied_parent_directory_hides_a_lower_file() -> None:
    # layer 1 lists no entry for /var/log but writes under it: it is a directory there
    l1 = tar_bytes([File("var/log/syslog", b"s")])
    _, entries = walk_all(BASE, l1)
    assert by_layer(entries)[(0, "/var/log")].hidden_by == 1


def test_same_directory_in_two_layers_merges() -> None:
    l1 = tar_bytes([Dir("etc", 0o700), File("etc/hosts", b"h")])
    walk, _entries = walk_all(BASE, l1)
    assert walk.tree.get("/etc") is not None
    assert walk.tree.get("/etc").mode == 0o700  # type: ignore[union-attr]
    assert walk.tree.get("/etc/passwd").layer == 0  # type: ignore[union-attr]
    assert walk.tree.get("/etc/hosts").layer == 1  # type: ignore[union-attr]


def test_each_layer_is_opened_once_top_first_and_stats_are_counted() -> None:
    l1 = tar_bytes([File("a", b"12345"), Symlink("b", "a"), Whiteout("var")])
    pairs = image_layers(BASE, l1)
    walk = ImageWalk(pairs)
    order = [e.info.layer or 0 for e in walk]
    assert order == sorted(order, reverse=True) and order[0] == 1
    for _, opener in pairs:
        assert isinstance(opener, CountingOpener) and opener.opens == 1
    stats = {s.layer: s for s in walk.stats}
    assert (stats[1].entries, stats[1].regular_files, stats[1].regular_bytes) == (2, 1, 5)
    assert stats[1].whiteouts == 1
    assert stats[1].tar_bytes == len(l1)
    assert stats[0].regular_files == 5
    assert walk.complete


def test_reader_is_stale_once_the_walk_moves_on() -> None:
    walk = ImageWalk(image_layers(BASE))
    readers = [e.open() for e in walk if e.readable]
    with pytest.raises(StaleEntryError):
        readers[0].read()


def test_opening_after_the_walk_moved_on_is_refused() -> None:
    # Never hand out another member's bytes: the entry knows which member it was.
    entries = [e for e in ImageWalk(image_layers(BASE)) if e.readable]
    with pytest.raises(StaleEntryError):
        entries[0].open()


def test_unread_contents_are_skipped() -> None:
    big = tar_bytes([File("big", b"x" * 3_000_000), File("small", b"s")])
    contents = {e.path: e.open().read(1) for e in ImageWalk(image_layers(big)) if e.readable}
    assert contents == {"/big": b"x", "/small": b"s"}


def test_opening_a_directory_is_refused() -> None:
    entry = next(iter(ImageWalk(image_layers(BASE))))
    assert entry.info.kind is FileKind.DIRECTORY and not entry.readable
    with pytest.raises(ValueError, match="has no contents"):
        entry.open()


def test_image_entry_limit_spans_layers() -> None:
    limits = Limits(max_image_entries=12)
    with pytest.raises(LimitExceededError, match="max_image_entries=12"):
        walk_all(BASE, BASE, limits=limits)


def test_walk_can_run_only_once() -> None:
    walk, _ = walk_all(BASE)
    with pytest.raises(RuntimeError):
        list(walk)
