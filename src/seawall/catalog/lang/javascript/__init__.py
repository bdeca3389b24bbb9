"""JavaScript catalogers: installed node_modules and npm, yarn and pnpm lockfiles."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.javascript.node_modules import NodeModulesCataloger
    from seawall.catalog.lang.javascript.package_lock import PackageLockCataloger
    from seawall.catalog.lang.javascript.pnpm import PnpmLockCataloger
    from seawall.catalog.lang.javascript.yarn_lock import YarnLockCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "NodeModulesCataloger": "node_modules",
    "PackageLockCataloger": "package_lock",
    "PnpmLockCataloger": "pnpm",
    "YarnLockCataloger": "yarn_lock",
}

__all__ = [
    "NodeModulesCataloger",
    "PackageLockCataloger",
    "PnpmLockCataloger",
    "YarnLockCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
