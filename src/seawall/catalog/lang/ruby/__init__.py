"""Ruby catalogers: installed gemspecs (`ruby/gemspec`) and Gemfile.lock (`ruby/gemfile-lock`)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.ruby.gemfile_lock import GemfileLockCataloger
    from seawall.catalog.lang.ruby.gemspec import GemspecCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "GemfileLockCataloger": "gemfile_lock",
    "GemspecCataloger": "gemspec",
}

__all__ = [
    "GemfileLockCataloger",
    "GemspecCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
