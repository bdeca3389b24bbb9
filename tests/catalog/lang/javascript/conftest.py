"""Fixtures for the JavaScript cataloger tests: real files under data/javascript."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seawall.catalog.base import CatalogFile, CatalogResult

DATA = Path(__file__).parents[1] / "data" / "javascript"


def _purl(name: str, version: str) -> str:
    # purl spec, npm type: the scope is the namespace and its `@` is percent-encoded
    return f"pkg:npm/{name.replace('@', '%40', 1) if name.startswith('@') else name}@{version}"


@pytest.fixture
def js_data() -> Path:
    return DATA


@pytest.fixture
def data_files(wanted_files: Callable[..., list[CatalogFile]]) -> Callable[..., list[CatalogFile]]:
    """Every file under data/javascript/SUB that `wants` accepts, placed under ROOT."""

    def load(sub: str, wants: Callable[[str], bool], root: str = "/srv/app", layer: int = 5):
        return wanted_files(DATA / sub, wants, root, layer)

    return load


@pytest.fixture
def npm_triples() -> Callable[[CatalogResult], set[tuple[str, str, str]]]:
    def triples(result: CatalogResult) -> set[tuple[str, str, str]]:
        return {(p.name, p.version, p.purl) for p in result.packages}

    return triples


@pytest.fixture
def npm_ls_expected() -> set[tuple[str, str, str]]:
    """Every (name, version, purl) in `npm ls --all --json` of the fixture project.

    npm ls names an alias install by its alias (`ms-alias`); the package it
    holds is the one the project's package.json names after `npm:`.
    """
    manifest = json.loads((DATA / "installed/package.json").read_text())
    aliases = {
        alias: spec.removeprefix("npm:").rpartition("@")[0]
        for alias, spec in manifest["dependencies"].items()
        if spec.startswith("npm:")
    }
    found: set[tuple[str, str, str]] = set()
    todo: list[dict[str, Any]] = [json.loads((DATA / "installed/npm-ls.json").read_text())]
    while todo:
        node = todo.pop()
        for name, child in node.get("dependencies", {}).items():
            real = aliases.get(name, name)
            found.add((real, child["version"], _purl(real, child["version"])))
            todo.append(child)
    return found


@pytest.fixture
def npm_purl() -> Callable[[str, str], str]:
    return _purl
