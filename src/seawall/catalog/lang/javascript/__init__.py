"""JavaScript catalogers: installed node_modules and npm, yarn and pnpm lockfiles."""

from seawall.catalog.lang.javascript.node_modules import NodeModulesCataloger
from seawall.catalog.lang.javascript.package_lock import PackageLockCataloger
from seawall.catalog.lang.javascript.pnpm import PnpmLockCataloger
from seawall.catalog.lang.javascript.yarn_lock import YarnLockCataloger

__all__ = [
    "NodeModulesCataloger",
    "PackageLockCataloger",
    "PnpmLockCataloger",
    "YarnLockCataloger",
]
