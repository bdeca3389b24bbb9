""".NET catalogers: *.deps.json, packages.lock.json and packages.config (NuGet packages)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.dotnet.nuget import (
        DepsJsonCataloger,
        PackagesConfigCataloger,
        PackagesLockCataloger,
    )

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "DepsJsonCataloger": "nuget",
    "PackagesConfigCataloger": "nuget",
    "PackagesLockCataloger": "nuget",
}

__all__ = [
    "DepsJsonCataloger",
    "PackagesConfigCataloger",
    "PackagesLockCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
