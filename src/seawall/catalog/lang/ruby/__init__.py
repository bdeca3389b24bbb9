"""Ruby catalogers: installed gemspecs (`ruby/gemspec`) and Gemfile.lock (`ruby/gemfile-lock`)."""

from seawall.catalog.lang.ruby.gemfile_lock import GemfileLockCataloger
from seawall.catalog.lang.ruby.gemspec import GemspecCataloger

__all__ = ["GemfileLockCataloger", "GemspecCataloger"]
