"""`seawall inspect` end to end: real images built by the tests, every local source form."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    EmptyStep,
    File,
    ImageSpec,
    LayerSpec,
    Whiteout,
    build_image,
    build_index,
    simple_image,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)

SECRET_VALUE = "hunter2-do-not-print-me"


def run(*args: str) -> tuple[int, str, str]:
    result = run_cli(*args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def inspect_json(target: str, *extra: str) -> dict[str, Any]:
    code, out, err = run("inspect", target, "--format", "json", "--quiet", "--no-cache", *extra)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


@pytest.fixture
def app_image() -> Any:
    return build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir("etc"),
                        File("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
                        Dir("srv"),
                        File("srv/creds.txt", b"temporary"),
                        File("srv/keep.txt", b"kept"),
                    ],
                    created_by="ADD rootfs.tar /",
                ),
                EmptyStep("ENV API_TOKEN=..."),
                LayerSpec(
                    [Dir("srv"), Whiteout("srv/creds.txt"), File("srv/app.py", b"print(1)\n")],
                    created_by="RUN rm /srv/creds.txt && COPY app.py /srv/",
                    compression="zstd",
                ),
            ],
            config=ConfigSpec(
                entrypoint=["python3"],
                cmd=["/srv/app.py"],
                user="app",
                env=["PATH=/usr/bin", f"API_TOKEN={SECRET_VALUE}"],
                labels={"org.opencontainers.image.source": "https://example.invalid/app"},
                exposed_ports=["8080/tcp"],
                workdir="/srv",
            ),
        )
    )


def test_json_describes_an_oci_layout_exactly(tmp_path: Path, app_image: Any) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(app_image, "1.0")])

    document = inspect_json(f"oci-dir:{layout}:1.0")

    assert document["schema"] == "seawall.inspect/v1"
    assert document["source"] == "oci-dir"
    assert document["manifest_digest"] == app_image.digest
    assert document["config_digest"] == app_image.config_digest
    assert document["platform"] == "linux/amd64"
    config = document["config"]
    assert config["entrypoint"] == ["python3"]
    assert config["cmd"] == ["/srv/app.py"]
    assert config["user"] == "app"
    assert config["working_dir"] == "/srv"
    assert config["exposed_ports"] == ["8080/tcp"]
    assert config["env"] == ["PATH", "API_TOKEN"]
    assert config["labels"] == {"org.opencontainers.image.source": "https://example.invalid/app"}
    layers = document["layers"]
    assert [layer["digest"] for layer in layers] == [layer.digest for layer in app_image.layers]
    assert [layer["diff_id"] for layer in layers] == [layer.diff_id for layer in app_image.layers]
    assert [layer["size"] for layer in layers] == [len(layer.blob) for layer in app_image.layers]
    assert [layer["uncompressed_size"] for layer in layers] == [
        len(layer.tar) for layer in app_image.layers
    ]
    assert [layer["media_type"] for layer in layers] == [
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
    ]
    assert [layer["created_by"] for layer in layers] == [
        "ADD rootfs.tar /",
        "RUN rm /srv/creds.txt && COPY app.py /srv/",
    ]
    assert [(layer["entries"], layer["files"]) for layer in layers] == [(5, 3), (3, 1)]
    # Squashed: /etc, /etc/os-release, /srv, /srv/keep.txt, /srv/app.py (creds.txt deleted).
    assert document["files"] == {"squashed_entries": 5, "squashed_files": 3}
    assert [step["empty_layer"] for step in document["history"]] == [False, True, False]
    assert document["problems"] == []


@pytest.mark.parametrize("output_format", ["json", "table"])
def test_environment_values_are_never_printed(
    tmp_path: Path, app_image: Any, output_format: str
) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(app_image, "1.0")])
    report = tmp_path / "report.txt"

    code, out, err = run(
        "inspect", f"oci-dir:{layout}", "-f", output_format, "-q", "--no-cache", "-o", str(report)
    )

    assert code == 0, err
    text = report.read_text()
    assert "API_TOKEN" in text
    assert SECRET_VALUE not in text + out + err


def test_table_shows_layers_history_and_config(tmp_path: Path, app_image: Any) -> None:
    archive = write_oci_archive(tmp_path / "image.tar", [(app_image, "1.0")])

    code, out, err = run("inspect", f"oci-archive:{archive}:1.0", "-q", "--no-cache")

    assert code == 0, err
    for expected in (
        app_image.digest,
        "linux/amd64",
        "oci tar+zstd",
        "RUN rm /srv/creds.txt && COPY app.py /srv/",
        "ENV API_TOKEN=...",
        "8080/tcp",
        "3 files, 5 entries",
    ):
        assert expected in out, expected


def test_docker_archive_with_several_images_is_chosen_by_tag(tmp_path: Path) -> None:
    first = simple_image(flavour="docker", marker="first")
    second = simple_image(flavour="docker", marker="second")
    archive = write_docker_archive(
        tmp_path / "saved.tar", [(first, ["app:1"]), (second, ["app:2", "registry.invalid/x:y"])]
    )

    document = inspect_json(f"docker-archive:{archive}:app:2")

    assert document["config_digest"] == second.config_digest
    assert "docker.io/library/app:2" in document["repo_tags"] or "app:2" in document["repo_tags"]

    code, _out, err = run("inspect", f"docker-archive:{archive}:app:3", "-q", "--no-cache")
    assert code == 2
    assert "app:1" in err and "app:2" in err
    assert len(err.strip().splitlines()) == 1


def test_multi_arch_index_platform_choice_and_absent_platform(tmp_path: Path) -> None:
    amd64 = simple_image(platform="linux/amd64", marker="a")
    arm64 = simple_image(platform="linux/arm64/v8", marker="b")
    index = build_index([amd64, arm64], attestations=True)
    layout = write_oci_layout(tmp_path / "multi", [(index, "latest")])

    assert inspect_json(f"oci-dir:{layout}:latest")["manifest_digest"] == amd64.digest
    chosen = inspect_json(f"oci-dir:{layout}:latest", "--platform", "linux/arm64")
    assert chosen["manifest_digest"] == arm64.digest
    assert chosen["index_digest"] == index.digest
    assert set(chosen["available_platforms"]) == {"linux/amd64", "linux/arm64/v8"}

    code, _out, err = run("inspect", f"oci-dir:{layout}", "--platform", "linux/s390x", "-q")
    assert code == 2
    assert "linux/amd64" in err and "linux/arm64" in err


def test_directory_target_counts_files(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "tool").write_bytes(b"\x7fELF")
    (root / "usr" / "bin" / "alias").symlink_to("tool")

    document = inspect_json(f"dir:{root}")

    assert document["source"] == "dir"
    assert document["layers"] == []
    # /etc, /etc/os-release, /usr, /usr/bin, /usr/bin/tool, /usr/bin/alias
    assert document["files"] == {"squashed_entries": 6, "squashed_files": 2}


def test_tampered_layer_is_an_input_error(tmp_path: Path, app_image: Any) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(app_image, "1.0")])
    blob = layout / "blobs" / "sha256" / app_image.layers[1].digest.split(":")[1]
    data = bytearray(blob.read_bytes())
    data[-5] ^= 0xFF
    blob.write_bytes(bytes(data))

    code, out, err = run("inspect", f"oci-dir:{layout}", "-q", "--no-cache")

    assert code == 2
    assert out == ""
    assert err.startswith("seawall: error: ")
    assert len(err.strip().splitlines()) == 1


def test_missing_target_and_bad_option_exit_with_two(tmp_path: Path) -> None:
    code, _out, err = run("inspect", f"oci-dir:{tmp_path / 'nothing'}", "-q")
    assert code == 2
    assert "nothing" in err

    code, _out, _err = run("inspect", "--format", "xml", f"dir:{tmp_path}")
    assert code == 2


def test_console_script_runs_as_a_program(tmp_path: Path) -> None:
    version = subprocess.run(
        [sys.executable, "-m", "seawall", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("seawall ")

    failed = subprocess.run(
        [sys.executable, "-m", "seawall", "inspect", f"oci-archive:{tmp_path / 'missing.tar'}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert "missing.tar" in failed.stderr
    assert "Traceback" not in failed.stderr


BUILD_TOKEN = "ghp_build-argument-never-printed-42"
ESCAPES = "\x1b]0;pwned\x07\x1b[31m"


@pytest.fixture
def hostile_image() -> Any:
    """An image whose history and config spell secrets out and carry markup and escapes."""
    return build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [Dir("etc"), File("etc/os-release", b"ID=debian\nVERSION_ID=12\n")],
                    created_by=f"|1 GITHUB_TOKEN={BUILD_TOKEN} /bin/sh -c echo {ESCAPES}[/x]",
                ),
                EmptyStep(f"ENV API_TOKEN={SECRET_VALUE}"),
            ],
            config=ConfigSpec(
                cmd=["sh", "-c", f"curl -H 'Authorization: {SECRET_VALUE}' x"],
                user=f"app{ESCAPES}",
                env=["PATH=/usr/bin", f"API_TOKEN={SECRET_VALUE}"],
                labels={"token": SECRET_VALUE, f"k{ESCAPES}": "[bold]v[/x]"},
                workdir="/[/srv]",
            ),
        )
    )


@pytest.mark.parametrize("output_format", ["json", "table"])
def test_build_secrets_are_masked_and_hostile_text_is_shown_as_written(
    tmp_path: Path, hostile_image: Any, output_format: str
) -> None:
    layout = write_oci_layout(tmp_path / "layout", [(hostile_image, "1.0")])

    code, out, err = run("inspect", f"oci-dir:{layout}", "-f", output_format, "-q", "--no-cache")

    assert code == 0, err
    for secret in (BUILD_TOKEN, SECRET_VALUE):
        assert secret not in out + err
    assert "GITHUB_TOKEN=***" in out
    if output_format == "json":
        document = json.loads(out)
        assert document["config"]["labels"]["token"] == "***"
        assert document["config"]["cmd"] == ["sh", "-c", "curl -H 'Authorization: ***' x"]
        assert document["config"]["user"] == f"app{ESCAPES}"  # JSON escapes it itself
    else:
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07\\x1b[31m" in out
        for markup in ("[/x]", "[bold]v[/x]", "/[/srv]"):
            assert markup in out, markup
