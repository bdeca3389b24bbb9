"""Fixtures shared by the language catalogers' tests."""

from collections.abc import Callable
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogFile


def _wanted_files(
    base: Path, wants: Callable[[str], bool], root: str, layer: int
) -> list[CatalogFile]:
    """Every file under `base` that `wants` accepts, placed under `root` in layer `layer`."""
    files = []
    for path in sorted(base.rglob("*")):
        virtual = f"{root}/{path.relative_to(base).as_posix()}"
        if path.is_file() and wants(virtual):
            files.append(CatalogFile(path=virtual, content=path.read_bytes(), layer=layer))
    assert files, f"no wanted files under {base}"
    return files


@pytest.fixture
def wanted_files() -> Callable[[Path, Callable[[str], bool], str, int], list[CatalogFile]]:
    """Every file under BASE that `wants` accepts, placed under ROOT in layer LAYER."""
    return _wanted_files
