"""Java catalogers: Maven packages in jar/war/ear and friends (`java/archive`)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.java.archive import JavaArchiveCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "JavaArchiveCataloger": "archive",
}

__all__ = [
    "JavaArchiveCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
