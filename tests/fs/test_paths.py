"""Member-name normalisation and whiteout recognition."""

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seawall.fs.paths import MarkerKind, NormalizedName, classify, clean_name, normalize_member

_parts = st.sampled_from(["..", ".", "", "etc", "a", ".wh.x", "..a", "a..", "…", " "])
_names = st.lists(_parts, max_size=12).map("/".join) | st.text(max_size=60)


@given(_names)
def test_never_escapes_the_root_and_is_clean(name: str) -> None:
    path = normalize_member(name).path
    assert path.startswith("/")
    assert path == "/" or not path.endswith("/")
    if path != "/":
        assert all(part not in ("", ".", "..") for part in path.split("/")[1:])


@given(_names)
def test_the_clean_name_shortcut_agrees_with_normalising(name: str) -> None:
    """`clean_name` answers only for names normalising would leave in place, never clamped."""
    clean = clean_name(name)
    if clean is not None:
        assert normalize_member(name) == NormalizedName(clean, False)
    elif name and not name.startswith("/") and ".." not in name.split("/"):
        assert "//" in name or "/." in name or name.startswith((".", "/"))


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("etc/x", "/etc/x"),
        ("./etc/x/", "/etc/x"),
        ("etc/.hidden/x", None),
        ("etc//x", None),
        ("/etc/x", None),
        ("../x", None),
        (".", None),
        ("", None),
    ],
)
def test_clean_name_examples(name: str, clean: str | None) -> None:
    assert clean_name(name) == clean


@given(_names)
def test_idempotent(name: str) -> None:
    once = normalize_member(name)
    twice = normalize_member(once.path)
    assert twice.path == once.path
    # The path's relative spelling, as a layer member would write it, is clean and safe.
    assert normalize_member(once.path[1:]) == NormalizedName(once.path, False)


@given(_names)
def test_agrees_with_lexical_cleaning_under_the_root(name: str) -> None:
    # containerd: filepath.Clean, then joined under the root with `..` stopping there.
    expected = posixpath.normpath("/" + name)
    expected = "/" + expected.lstrip("/")
    assert normalize_member(name).path == expected


@pytest.mark.parametrize(
    ("name", "path", "clamped"),
    [
        ("./etc/x", "/etc/x", False),
        ("etc/x", "/etc/x", False),
        ("etc/dir/", "/etc/dir", False),
        ("a/../b", "/b", False),
        ("/etc/x", "/etc/x", True),
        ("../etc/x", "/etc/x", True),
        ("a/../../etc/x", "/etc/x", True),
        ("./", "/", False),
    ],
)
def test_examples(name: str, path: str, clamped: bool) -> None:
    assert normalize_member(name) == NormalizedName(path, clamped)


@pytest.mark.parametrize(
    ("path", "kind", "target"),
    [
        ("/etc/.wh.passwd", MarkerKind.WHITEOUT, "/etc/passwd"),
        ("/.wh.etc", MarkerKind.WHITEOUT, "/etc"),
        ("/opt/.wh..wh..opq", MarkerKind.OPAQUE, "/opt"),
        ("/.wh..wh..opq", MarkerKind.OPAQUE, "/"),
        ("/.wh..wh.plnk", MarkerKind.AUFS_META, "/.wh..wh.plnk"),
        ("/.wh..wh.plnk/123.456", MarkerKind.AUFS_META, "/.wh..wh.plnk/123.456"),
        ("/.wh..wh.aufs", MarkerKind.AUFS_META, "/.wh..wh.aufs"),
        ("/etc/.wh.", MarkerKind.INVALID_WHITEOUT, "/etc/.wh."),
        ("/etc/.wh...", MarkerKind.INVALID_WHITEOUT, "/etc/.wh..."),
        ("/etc/x.wh.y", MarkerKind.FILE, "/etc/x.wh.y"),
        ("/etc/.wh.d/file", MarkerKind.FILE, "/etc/.wh.d/file"),
    ],
)
def test_whiteout_markers(path: str, kind: MarkerKind, target: str) -> None:
    marker = classify(path)
    assert (marker.kind, marker.target) == (kind, target)
