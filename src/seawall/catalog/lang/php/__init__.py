"""PHP catalogers: composer.lock (`php/composer-lock`) and installed.json (`php/installed-json`)."""

from seawall.catalog.lang.php.composer import ComposerLockCataloger, InstalledJsonCataloger

__all__ = ["ComposerLockCataloger", "InstalledJsonCataloger"]
