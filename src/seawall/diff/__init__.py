"""Change management: what a new scan introduced, fixed and kept compared with an old one.

A stage of its own rather than part of the policy: `seawall diff` needs it
without any policy, and the policy's baseline needs only the old scan's
fingerprints, so neither has to import the other (DESIGN.md §2).
"""

from seawall.diff.compare import diff

__all__ = ["diff"]
