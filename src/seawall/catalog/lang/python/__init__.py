"""Python catalogers: installed distributions, requirements files, lockfiles and conda-meta."""

from seawall.catalog.lang.python.conda import CondaMetaCataloger
from seawall.catalog.lang.python.installed import InstalledCataloger
from seawall.catalog.lang.python.pdm import PdmLockCataloger
from seawall.catalog.lang.python.pipfile import PipfileLockCataloger
from seawall.catalog.lang.python.poetry import PoetryLockCataloger
from seawall.catalog.lang.python.requirements import RequirementsCataloger
from seawall.catalog.lang.python.uv import UvLockCataloger

__all__ = [
    "CondaMetaCataloger",
    "InstalledCataloger",
    "PdmLockCataloger",
    "PipfileLockCataloger",
    "PoetryLockCataloger",
    "RequirementsCataloger",
    "UvLockCataloger",
]
