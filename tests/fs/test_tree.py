"""Symlink resolution inside the image root (chroot semantics)."""

import pytest
from fsbuild import Dir, File, Hardlink, Symlink, image_layers, tar_bytes

from seawall.fs import FileTree, ImageWalk
from seawall.limits import Limits
from seawall.model.files import FileKind


def tree_of(*members: File | Dir | Symlink | Hardlink, limits: Limits | None = None) -> FileTree:
    walk = ImageWalk(image_layers(tar_bytes(members)), limits)
    list(walk)
    return walk.tree


ROOT = (
    Dir("etc"),
    File("etc/passwd", b"root"),
    Dir("usr"),
    Dir("usr/lib"),
    File("usr/lib/os-release", b"ID=debian"),
    Symlink("etc/os-release", "../usr/lib/os-release"),
    Symlink("lib", "usr/lib"),
    Symlink("abs", "/etc/passwd"),
    Symlink("escape", "../../../../etc/passwd"),
    Symlink("chain1", "chain2"),
    Symlink("chain2", "/lib/os-release"),
    Symlink("loop1", "loop2"),
    Symlink("loop2", "loop1"),
    Symlink("self", "self"),
    Symlink("dangling", "/nowhere"),
    Symlink("empty", ""),
    Symlink("notdir", "etc/passwd/x"),
    File("implied/dir/file", b"i"),
)


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("/etc/os-release", "/usr/lib/os-release"),
        ("/lib/os-release", "/usr/lib/os-release"),
        ("/abs", "/etc/passwd"),
        ("/escape", "/etc/passwd"),  # `..` stops at the image root
        ("/chain1", "/usr/lib/os-release"),
        ("/lib/..", "/usr"),  # `..` after a symlink climbs from its target
        ("/lib/../lib/os-release", "/usr/lib/os-release"),
        ("lib", "/usr/lib"),
        ("/implied/dir", "/implied/dir"),
        ("/", "/"),
    ],
)
def test_resolves_inside_the_root(path: str, resolved: str) -> None:
    tree = tree_of(*ROOT)
    assert tree.resolve_path(path) == resolved
    assert tree.problems == []


@pytest.mark.parametrize("path", ["/dangling", "/empty", "/notdir", "/etc/passwd/x", "/missing"])
def test_leads_nowhere(path: str) -> None:
    assert tree_of(*ROOT).resolve(path) is None


@pytest.mark.parametrize("path", ["/loop1", "/self", "/loop2/x"])
def test_loops_are_recorded_problems(path: str) -> None:
    tree = tree_of(*ROOT)
    assert tree.resolve(path) is None
    assert len(tree.problems) == 1
    assert "max_symlink_hops=40" in tree.problems[0].message
    tree.resolve(path)
    assert len(tree.problems) == 1  # reported once


def test_hop_limit() -> None:
    links = [Symlink(f"l{i}", f"l{i + 1}") for i in range(5)]
    tree = tree_of(*links, File("l5", b"end"), limits=Limits(max_symlink_hops=4))
    assert tree.resolve("/l1") is not None
    assert tree.resolve("/l0") is None


def test_get_does_not_follow_and_resolve_does() -> None:
    tree = tree_of(*ROOT)
    link = tree.get("/etc/os-release")
    assert link is not None and link.kind is FileKind.SYMLINK
    assert link.link_target == "../usr/lib/os-release"
    target = tree.resolve("/etc/os-release")
    assert target is not None and target.path == "/usr/lib/os-release" and target.layer == 0
    assert tree.get("/implied") is not None and tree.get("/implied").kind is FileKind.DIRECTORY  # type: ignore[union-attr]
    assert tree.resolve_path("/lib", follow_final=False) == "/lib"


def test_iteration_and_counts() -> None:
    tree = tree_of(*ROOT)
    counts = tree.counts()
    assert counts[FileKind.REGULAR] == 3
    assert counts[FileKind.SYMLINK] == 12
    assert counts[FileKind.DIRECTORY] == 3
    assert len(tree) == sum(counts.values()) == len(list(tree))
    assert "/etc/passwd" in tree and "etc/passwd" in tree and "/nope" not in tree
