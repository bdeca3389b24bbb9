"""PHP catalogers: composer.lock (`php/composer-lock`) and installed.json (`php/installed-json`)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.php.composer import ComposerLockCataloger, InstalledJsonCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "ComposerLockCataloger": "composer",
    "InstalledJsonCataloger": "composer",
}

__all__ = [
    "ComposerLockCataloger",
    "InstalledJsonCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
