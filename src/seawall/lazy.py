"""Package names resolved on first use (PEP 562).

A package that re-exports the names of its modules would import all of them
with itself; with `__getattr__ = lazy_names(__name__, homes)` it imports a
module the first time one of its names is read, and keeps the value, so a
command that writes one format or runs one scanner loads only that module.
The package still declares the names under `TYPE_CHECKING` for the type
checker.
"""

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name of `homes` comes from the submodule named."""

    def resolve(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return resolve
