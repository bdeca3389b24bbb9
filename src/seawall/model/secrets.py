"""The result of `seawall secrets`: findings and what the scan read and skipped.

Lives in the model (not in the pipeline that makes it) so that reporters,
below the pipeline, can render it.
"""

from dataclasses import dataclass

from seawall.model.files import Problem
from seawall.model.finding import SecretFinding
from seawall.model.image import Image


@dataclass(frozen=True, slots=True)
class SecretsStatus:
    """What the scan read and skipped; `problems` makes a result partial."""

    files_scanned: int = 0
    skipped_binary: int = 0
    skipped_large: int = 0
    skipped_excluded: int = 0
    """Decoy paths (test fixtures, examples) not read."""
    archives_opened: int = 0
    """Zip and tar files (nested ones too) whose members were scanned."""
    archives_skipped: int = 0
    """Archives left unread, whole or in part: over a bound (size, members, inflated
    bytes, compression ratio, depth), damaged or encrypted."""
    layers_read: int = 0
    """Layers read from the source in this run (the rest came from the cache)."""
    commits: int = 0
    """Git: commits walked."""
    suppressed: int = 0
    """Findings an allow rule or the baseline covered."""
    problems: tuple[Problem, ...] = ()
    rules_version: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True, slots=True)
class SecretsResult:
    """The findings of one scan and the image (or directory, or repository) they are in."""

    target: str
    image: Image | None
    findings: tuple[SecretFinding, ...]
    status: SecretsStatus
