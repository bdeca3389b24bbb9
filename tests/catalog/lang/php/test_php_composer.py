"""php/composer-lock and php/installed-json on files Composer writes, against `composer show`."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.php import ComposerLockCataloger, InstalledJsonCataloger

COMPOSER = shutil.which("composer")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app installed by Composer from path repositories only (no network)."""
    if COMPOSER is None:
        pytest.skip("composer not installed")
    root = tmp_path_factory.mktemp("php")
    manifests = {
        "alpha": {
            "name": "acme/alpha",
            "version": "1.2.3",
            "license": "MIT",
            "require": {"php": ">=7", "ext-json": "*", "acme/beta": "^2.0"},
        },
        "beta": {
            "name": "acme/beta",
            "version": "v2.0.1",
            "license": ["Apache-2.0", "GPL-2.0-only"],
        },
        "gamma": {"name": "acme/gamma", "version": "0.9.0-beta1"},
    }
    for directory, manifest in manifests.items():
        (root / "pkgs" / directory).mkdir(parents=True)
        (root / "pkgs" / directory / "composer.json").write_text(json.dumps(manifest))
    app = root / "app"
    app.mkdir()
    (app / "composer.json").write_text(
        json.dumps(
            {
                "name": "acme/app",
                "repositories": [
                    {"packagist.org": False},
                    {"type": "path", "url": "../pkgs/*", "options": {"symlink": False}},
                ],
                "require": {"acme/alpha": "*"},
                "require-dev": {"acme/gamma": "*"},
                "minimum-stability": "beta",
            }
        )
    )
    env = {**os.environ, "COMPOSER_HOME": str(root / "home"), "COMPOSER_NO_INTERACTION": "1"}
    subprocess.run([COMPOSER, "install", "-q"], cwd=app, env=env, check=True, capture_output=True)
    return app


def composer_show(app: Path) -> set[tuple[str, str]]:
    output = subprocess.run(
        [COMPOSER or "composer", "show", "--format=json"],
        cwd=app,
        env={**os.environ, "COMPOSER_HOME": str(app.parent / "home")},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {(p["name"], p["version"]) for p in json.loads(output)["installed"]}


@pytest.mark.parametrize(
    ("cataloger", "relative"),
    [
        (ComposerLockCataloger(), "composer.lock"),
        (InstalledJsonCataloger(), "vendor/composer/installed.json"),
    ],
)
def test_matches_composer_show(
    project: Path, cataloger: ComposerLockCataloger | InstalledJsonCataloger, relative: str
) -> None:
    path = f"/var/www/{relative}"
    assert cataloger.wants(path)
    result = cataloger.catalog(
        [CatalogFile(path, (project / relative).read_bytes(), 2)], CatalogContext()
    )
    assert result.problems == ()
    assert {(p.name, p.version) for p in result.packages} == composer_show(project)
    by_name = {p.name: p for p in result.packages}
    assert by_name["acme/beta"].purl == "pkg:composer/acme/beta@v2.0.1"
    assert by_name["acme/beta"].licenses == ("Apache-2.0", "GPL-2.0-only")
    assert by_name["acme/alpha"].licenses == ("MIT",)
    assert {(r.parent, r.child) for r in result.relationships} == {
        ("pkg:composer/acme/alpha@1.2.3", "pkg:composer/acme/beta@v2.0.1")
    }
    assert all(p.cataloger == cataloger.NAME for p in result.packages)


def test_installed_json_v1_array_and_malformed_inputs() -> None:
    v1 = json.dumps(
        [
            {
                "name": "Monolog/Monolog",
                "version": "1.27.1",
                "license": ["MIT"],
                "require": {"psr/log": "~1.0"},
            }
        ]
    ).encode()
    result = InstalledJsonCataloger().catalog(
        [
            CatalogFile("/a/vendor/composer/installed.json", v1),
            CatalogFile("/b/vendor/composer/installed.json", b"{not json"),
            CatalogFile("/c/vendor/composer/installed.json", b'{"packages": {"x": 1}}'),
            CatalogFile("/d/vendor/composer/installed.json", b'[{"name": "x/y"}, 3]'),
        ],
        CatalogContext(),
    )
    assert [p.purl for p in result.packages] == ["pkg:composer/monolog/monolog@1.27.1"]
    assert result.relationships == ()
    assert result.problems[0].startswith("/b/vendor/composer/installed.json: not JSON")
    assert result.problems[1:] == (
        "/c/vendor/composer/installed.json: no package list where Composer writes one",
        "/d/vendor/composer/installed.json: package #1 has no name or version",
        "/d/vendor/composer/installed.json: package #2 has no name or version",
    )
    assert not InstalledJsonCataloger().wants("/a/composer/installed.json")
