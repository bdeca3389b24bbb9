"""Python catalogers: installed distributions, requirements files, lockfiles and conda-meta."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.python.conda import CondaMetaCataloger
    from seawall.catalog.lang.python.installed import InstalledCataloger
    from seawall.catalog.lang.python.pdm import PdmLockCataloger
    from seawall.catalog.lang.python.pipfile import PipfileLockCataloger
    from seawall.catalog.lang.python.poetry import PoetryLockCataloger
    from seawall.catalog.lang.python.requirements import RequirementsCataloger
    from seawall.catalog.lang.python.uv import UvLockCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "CondaMetaCataloger": "conda",
    "InstalledCataloger": "installed",
    "PdmLockCataloger": "pdm",
    "PipfileLockCataloger": "pipfile",
    "PoetryLockCataloger": "poetry",
    "RequirementsCataloger": "requirements",
    "UvLockCataloger": "uv",
}

__all__ = [
    "CondaMetaCataloger",
    "InstalledCataloger",
    "PdmLockCataloger",
    "PipfileLockCataloger",
    "PoetryLockCataloger",
    "RequirementsCataloger",
    "UvLockCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
