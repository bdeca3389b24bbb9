"""The engine's small values: what configures a scan (part of the per-layer cache key)
and what scanning one file gives.

Kept apart from the engine so that a scan answered from the cache, which needs
the settings (for the key) and the outcomes (for the counts) but no engine,
imports neither the engine nor what the engine imports.
"""

from dataclasses import dataclass, field
from enum import StrEnum

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds on descending into the archives of one file; part of the cache key."""

    max_depth: int = 3
    """Archive levels read below a file (1: the file's own members only; 0: none)."""
    max_archive_bytes: int = 64 * MiB
    """A (top-level or nested) archive is held in memory to be read: larger ones are skipped."""
    max_members: int = 10_000
    """Members read below one file, all levels together."""
    max_inflated_bytes: int = 256 * MiB
    """Bytes decompressed below one file, all levels together."""
    max_member_bytes: int = 16 * MiB
    max_ratio: int = 100
    """A member or gzip stream inflating more than this many times its compressed size …"""
    ratio_floor_bytes: int = 1 * MiB
    """… once past this many bytes, is a bomb and is skipped."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """What changes which files are read and how; part of the per-layer cache key."""

    max_file_bytes: int = 16 * MiB
    """Larger files are skipped (counted as too large)."""
    chunk_bytes: int = 1 * MiB
    overlap_bytes: int = 32 * KiB
    """Longer than any rule's longest match (rules.yaml says so)."""
    binary_probe_bytes: int = 8 * KiB
    """A NUL in this many leading bytes makes a file binary."""
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)
    """Descent into zip and tar files; `max_depth=0` treats them as binary."""
    skip_paths: bool = True
    """Leave the rule file's `skip_paths` trees (third-party software) unread."""

    def __post_init__(self) -> None:
        if self.chunk_bytes <= 2 * self.overlap_bytes:
            raise ValueError("chunk_bytes must be more than twice overlap_bytes")


class Outcome(StrEnum):
    """What the engine did with one file. (A `StrEnum`: it hashes at C speed, and the
    pipeline counts one per file.)"""

    SCANNED = "scanned"
    BINARY = "binary"
    TOO_LARGE = "too-large"
    EXCLUDED = "excluded"
    """A decoy path (test fixtures, examples) or a skipped tree (rules.yaml `skip_paths`,
    docs/secrets.md): not read."""
    ARCHIVE = "archive"
    """A zip or tar file: its members were scanned (or it was skipped, see `FileScan`)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret found in one file or text, already redacted."""

    rule_id: str
    line: int | None
    """The line within the file, or within the archive member."""
    preview: str
    fingerprint: str
    member: str = ""
    """For a member of an archive, what follows the file's path: `!/lib/a.tar.gz!/etc/x`."""


@dataclass(frozen=True, slots=True)
class FileScan:
    outcome: Outcome
    hits: tuple[Hit, ...] = ()
    archives_opened: int = 0
    """Archives whose members were read: the file itself and archives nested in it."""
    archives_skipped: int = 0
    """Archives (or their rest) left unread: over a bound, too deep, damaged or encrypted."""
