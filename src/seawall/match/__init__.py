"""Vulnerability matching: an Inventory plus the advisory store → vulnerability findings.

`match_inventory(inventory, store, version_key)` is the entry point; the
pipeline passes `seawall.versions.key` as `version_key` (this stage does not
import another stage). `Matcher` keeps what it worked out between calls, and
`match_inventory` shares that across the process for stores that name their
snapshot (seawall.match.cache), and across processes for stores that keep
results beside them (seawall.match.persist).
"""

from seawall.match.matcher import Matcher, MatchResult, match_inventory
from seawall.match.ranges import VersionKeyFunc

__all__ = ["MatchResult", "Matcher", "VersionKeyFunc", "match_inventory"]
