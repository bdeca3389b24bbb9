""".NET catalogers: *.deps.json, packages.lock.json and packages.config (NuGet packages)."""

from seawall.catalog.lang.dotnet.nuget import (
    DepsJsonCataloger,
    PackagesConfigCataloger,
    PackagesLockCataloger,
)

__all__ = ["DepsJsonCataloger", "PackagesConfigCataloger", "PackagesLockCataloger"]
