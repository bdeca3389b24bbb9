"""collect(): wanted files in one pass, links followed inside the root."""

from pathlib import Path

from fsbuild import CountingOpener, Dir, File, Hardlink, Symlink, Whiteout, image_layers, tar_bytes

from seawall.fs import DirectoryView, SquashedView, collect

OS_RELEASE = b"ID=debian\nVERSION_ID=12\n"


def test_collects_wanted_visible_files_with_their_layer() -> None:
    l0 = tar_bytes(
        [
            File("var/lib/dpkg/status", b"Package: old\n"),
            File("app/requirements.txt", b"flask\n"),
            File("etc/hostname", b"h"),
        ]
    )
    l1 = tar_bytes([File("var/lib/dpkg/status", b"Package: new\n"), Whiteout("app")])
    wanted = {"/var/lib/dpkg/status", "/app/requirements.txt"}
    result = collect(SquashedView(image_layers(l0, l1)), wanted.__contains__, 1024)
    assert set(result.files) == {"/var/lib/dpkg/status"}
    status = result.files["/var/lib/dpkg/status"]
    assert (status.content, status.layer) == (b"Package: new\n", 1)
    assert result.problems == ()


def test_files_over_the_cap_are_skipped_and_reported() -> None:
    l0 = tar_bytes([File("big.json", b"x" * 2000), File("small.json", b"{}")])
    result = collect(SquashedView(image_layers(l0)), lambda p: p.endswith(".json"), 1000)
    assert set(result.files) == {"/small.json"}
    assert "larger than 1000 bytes" in result.problems[0].message


def test_symlink_resolved_in_the_root_and_read_in_a_second_pass() -> None:
    l0 = tar_bytes([Dir("usr/lib"), File("usr/lib/os-release", OS_RELEASE)])
    l1 = tar_bytes([Dir("etc"), Symlink("etc/os-release", "../../../usr/lib/os-release")])
    pairs = image_layers(l0, l1)
    result = collect(SquashedView(pairs), lambda p: p == "/etc/os-release", 4096)
    got = result.files["/etc/os-release"]
    assert (got.content, got.layer, got.source_path) == (OS_RELEASE, 0, "/usr/lib/os-release")
    openers = [opener for _, opener in pairs]
    assert [o.opens for o in openers if isinstance(o, CountingOpener)] == [2, 1]


def test_symlink_target_kept_in_the_pass_is_not_read_again() -> None:
    l0 = tar_bytes(
        [File("usr/lib/os-release", OS_RELEASE), Symlink("etc/os-release", "/usr/lib/os-release")]
    )
    pairs = image_layers(l0)
    want = {"/etc/os-release", "/usr/lib/os-release"}.__contains__
    result = collect(SquashedView(pairs), want, 4096)
    assert result.files["/etc/os-release"].content == OS_RELEASE
    assert isinstance(pairs[0][1], CountingOpener) and pairs[0][1].opens == 1


def test_hard_link_gets_its_targets_contents_even_if_deleted_later() -> None:
    l0 = tar_bytes([File("opt/real.jar", b"PK-jar"), Hardlink("app/lib.jar", "opt/real.jar")])
    l1 = tar_bytes([Whiteout("opt")])
    result = collect(SquashedView(image_layers(l0, l1)), lambda p: p.endswith(".jar"), 4096)
    assert set(result.files) == {"/app/lib.jar"}
    got = result.files["/app/lib.jar"]
    assert (got.content, got.layer, got.source_path) == (b"PK-jar", 0, "/opt/real.jar")


def test_broken_and_looping_symlinks_are_problems() -> None:
    l0 = tar_bytes([Symlink("a.conf", "/nowhere"), Symlink("b.conf", "b.conf"), Dir("d.conf")])
    result = collect(SquashedView(image_layers(l0)), lambda p: p.endswith(".conf"), 4096)
    assert result.files == {}
    assert len(result.problems) == 2
    assert all("leads nowhere" in p.message for p in result.problems)


def test_collect_over_a_directory(tmp_path: Path) -> None:
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_bytes(OS_RELEASE)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").symlink_to("../usr/lib/os-release")
    result = collect(DirectoryView(tmp_path), lambda p: p == "/etc/os-release", 4096)
    got = result.files["/etc/os-release"]
    assert (got.content, got.layer, got.source_path) == (OS_RELEASE, None, "/usr/lib/os-release")
