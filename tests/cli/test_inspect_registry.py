"""`seawall inspect registry:…` against a real registry with token auth, and its blob cache."""

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.imagebuild import simple_image, write_oci_layout
from tests.support.registry import PASSWORD, USERNAME, running_registry


def test_pull_with_token_auth_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = simple_image(marker="cli")
    layout = write_oci_layout(tmp_path / "layout", [(image, "v1")])
    cache = tmp_path / "cache"
    with running_registry(tmp_path / "registry", auth="token") as registry:
        registry.push(layout, "v1", "team/app:v1")
        target = f"registry:{registry.host}/team/app:v1"
        args = ["inspect", target, "-f", "json", "-q", "--insecure", "--cache-dir", str(cache)]

        anonymous = run_cli(*args)
        assert anonymous.exit_code == 2
        assert PASSWORD not in anonymous.stderr

        monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", USERNAME)
        monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", PASSWORD)
        first = run_cli(*args)
        second = run_cli(*args)

        assert first.exit_code == 0, first.stderr
        assert second.exit_code == 0, second.stderr
        document = json.loads(first.stdout)
        assert document["manifest_digest"] == image.digest
        assert [layer["digest"] for layer in document["layers"]] == [
            layer.digest for layer in image.layers
        ]
        assert json.loads(second.stdout) == document
        for layer in image.layers:
            assert registry.served(f"/blobs/{layer.digest}") == 1

        plain = run_cli(*args[:-3], "--no-cache")
        assert plain.exit_code == 2
        assert "--insecure" in plain.stderr
