"""Third-party trees in an image: skipped and counted by default, read with `scan_all_paths`."""

from pathlib import Path

from seawall.analyze.secrets import SecretsConfig
from seawall.pipeline.secrets import secrets
from seawall.source.base import SourceOptions
from tests.analyze.secrets.samples import github_token
from tests.support.imagebuild import Dir, File, ImageSpec, LayerSpec, build_image, write_oci_layout

OWN = github_token("ghp")
UPSTREAM = github_token("ghp")


def test_third_party_trees_are_skipped_counted_and_readable_on_request(tmp_path: Path) -> None:
    image = build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir("usr"),
                        Dir("usr/lib"),
                        Dir("usr/lib/python3"),
                        File("usr/lib/python3/conf.py", f"TOKEN = '{UPSTREAM}'\n".encode()),
                        Dir("srv"),
                        Dir("srv/node_modules"),
                        File("srv/node_modules/x.js", f"t = '{UPSTREAM}'\n".encode()),
                        File("srv/.env", f"GITHUB_TOKEN={OWN}\n".encode()),
                    ]
                )
            ]
        )
    )
    write_oci_layout(tmp_path / "layout", [(image, "v1")])
    target = f"oci-dir:{tmp_path / 'layout'}:v1"
    cache = tmp_path / "cache"

    default = secrets(target, SourceOptions(cache_dir=cache))
    assert [f.location.path for f in default.findings] == ["/srv/.env"]
    assert (default.status.files_scanned, default.status.skipped_excluded) == (1, 2)

    everything = secrets(target, SourceOptions(cache_dir=cache), SecretsConfig(scan_all_paths=True))
    assert everything.status.layers_read == 1  # another cache key: the layer is read again
    assert sorted(f.location.path or "" for f in everything.findings) == [
        "/srv/.env",
        "/srv/node_modules/x.js",
        "/usr/lib/python3/conf.py",
    ]
    assert everything.status.skipped_excluded == 0


def test_directory_trees_skip_the_same_trees(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / "node_modules" / "pkg" / "index.js").write_text(f"t = '{UPSTREAM}'\n")
    (root / ".env").write_text(f"GITHUB_TOKEN={OWN}\n")
    default = secrets(f"dir:{root}", SourceOptions())
    assert [f.location.path for f in default.findings] == ["/.env"]
    assert default.status.skipped_excluded == 1
    everything = secrets(f"dir:{root}", SourceOptions(), SecretsConfig(scan_all_paths=True))
    assert len(everything.findings) == 2
