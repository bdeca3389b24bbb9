"""Fixtures for the Python cataloger tests: real files from tests/catalog/lang/data/python."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogFile, CatalogResult

DATA = Path(__file__).parents[1] / "data" / "python"


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture
def data_files(wanted_files: Callable[..., list[CatalogFile]]) -> Callable[..., list[CatalogFile]]:
    """Every file under data/python/SUB that `wants` accepts, placed under ROOT in layer LAYER."""

    def load(sub: str, wants: Callable[[str], bool], root: str = "/app", layer: int = 3):
        return wanted_files(DATA / sub, wants, root, layer)

    return load


@pytest.fixture
def pypi_triples() -> Callable[[CatalogResult], set[tuple[str, str, str]]]:
    """(PEP 503 name, version, purl) of every package in a result."""

    def triples(result: CatalogResult) -> set[tuple[str, str, str]]:
        return {(_pep503(p.name), p.version, p.purl) for p in result.packages}

    return triples


@pytest.fixture
def expected_pypi() -> Callable[[set[tuple[str, str]]], set[tuple[str, str, str]]]:
    """(name, version) pairs a real tool reported -> the triples seawall must report."""

    def expect(pairs: set[tuple[str, str]]) -> set[tuple[str, str, str]]:
        return {(_pep503(n), v, f"pkg:pypi/{_pep503(n)}@{v}") for n, v in pairs}

    return expect


def tool_pins(path: Path) -> set[tuple[str, str]]:
    """`name[extras]==version; markers` lines of a tool's requirements export."""
    pins = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            pins.add((match.group(1), match.group(2)))
    return pins


def pip_list(path: Path) -> set[tuple[str, str]]:
    return {(entry["name"], entry["version"]) for entry in json.loads(path.read_text())}


def poetry_show(path: Path) -> set[tuple[str, str]]:
    """`poetry show` lines: `name (!) version description`."""
    pairs = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^(\S+)\s+(?:\(!\)\s+)?(\S+)", line)
        if match:
            pairs.add((match.group(1), match.group(2)))
    return pairs


@pytest.fixture
def python_data() -> Path:
    return DATA


@pytest.fixture
def tool_output() -> dict[str, Callable[[Path], set[tuple[str, str]]]]:
    """Readers of the real tools' own listings, checked in beside the lockfiles."""
    return {"pins": tool_pins, "pip-list": pip_list, "poetry-show": poetry_show}
