"""Go catalogers: build information in executables (`go/binary`) and go.mod/go.sum (`go/mod`)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.go.binary import GoBinaryCataloger
    from seawall.catalog.lang.go.gomod import GoModCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "GoBinaryCataloger": "binary",
    "GoModCataloger": "gomod",
}

__all__ = [
    "GoBinaryCataloger",
    "GoModCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
