"""What the image checks need to know about the squashed filesystem, gathered from `FileInfo`s.

The pipeline walks the image's visible entries once and hands each entry's
metadata to `FileEvidence.observe`; nothing here reads file contents, and
what is kept is bounded (`MAX_KEPT` entries per kind; caches are tallied),
so a hostile image with millions of setuid files costs a bounded list.
"""

import re
from dataclasses import dataclass, field

from seawall.model.files import FileInfo, FileKind

MAX_KEPT = 200
"""Entries kept per kind of evidence; beyond that they are counted."""

SETUID = 0o4000
SETGID = 0o2000
STICKY = 0o1000
WORLD_WRITABLE = 0o002

SSHD_PATHS = frozenset({"/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd", "/usr/local/sbin/sshd"})
SUDO_PATHS = frozenset({"/usr/bin/sudo", "/bin/sudo", "/usr/local/bin/sudo", "/usr/sbin/sudo"})
APT_LISTS = "/var/lib/apt/lists/"

_CACHES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("apt archives", re.compile(r"^/var/cache/apt/(?:archives/[^/]+\.deb|[^/]+\.bin)$")),
    ("apk cache", re.compile(r"^/var/cache/apk/[^/]+$")),
    ("yum cache", re.compile(r"^/var/cache/yum/.+")),
    ("dnf cache", re.compile(r"^/var/cache/dnf/.+")),
    ("pip cache", re.compile(r"^/(?:root|home/[^/]+)/\.cache/pip/.+")),
    ("npm cache", re.compile(r"^/(?:root|home/[^/]+)/\.npm/_cacache/.+")),
    ("yarn cache", re.compile(r"^/(?:usr/local/share|root|home/[^/]+)/\.cache/yarn/.+")),
)


@dataclass(slots=True)
class Tally:
    """Files of one kind: how many, how many bytes, the highest layer, some examples."""

    count: int = 0
    bytes: int = 0
    layers: set[int] = field(default_factory=set)
    examples: list[FileInfo] = field(default_factory=list)

    def add(self, info: FileInfo) -> None:
        self.count += 1
        self.bytes += info.size
        if info.layer is not None:
            self.layers.add(info.layer)
        if len(self.examples) < MAX_KEPT:
            self.examples.append(info)


@dataclass(slots=True)
class FileEvidence:
    """Filesystem facts for the image checks, from visible entries only."""

    setuid: list[FileInfo] = field(default_factory=list)
    setgid: list[FileInfo] = field(default_factory=list)
    writable_dirs: list[FileInfo] = field(default_factory=list)
    writable_files: list[FileInfo] = field(default_factory=list)
    sshd: list[FileInfo] = field(default_factory=list)
    sudo: list[FileInfo] = field(default_factory=list)
    apt_lists: Tally = field(default_factory=Tally)
    caches: dict[str, Tally] = field(default_factory=dict)

    def observe(self, info: FileInfo) -> None:
        """Take one visible entry's metadata into account."""
        if info.kind is FileKind.REGULAR or info.kind is FileKind.HARDLINK:
            self._observe_file(info)
        elif info.kind is FileKind.DIRECTORY:
            if info.mode & WORLD_WRITABLE and not info.mode & STICKY:
                self._keep(self.writable_dirs, info)
        elif info.kind is FileKind.SYMLINK and info.path in SSHD_PATHS | SUDO_PATHS:
            self._keep(self.sshd if info.path in SSHD_PATHS else self.sudo, info)

    def _observe_file(self, info: FileInfo) -> None:
        path = info.path
        if info.mode & SETUID:
            self._keep(self.setuid, info)
        if info.mode & SETGID:
            self._keep(self.setgid, info)
        if info.mode & WORLD_WRITABLE:
            self._keep(self.writable_files, info)
        if path in SSHD_PATHS:
            self._keep(self.sshd, info)
        elif path in SUDO_PATHS:
            self._keep(self.sudo, info)
        if path.startswith(APT_LISTS):
            name = path[len(APT_LISTS) :]
            if name != "lock" and not name.startswith("partial/"):
                self.apt_lists.add(info)
            return
        if path.startswith(("/var/cache/", "/root/", "/home/", "/usr/local/share/")):
            for name, pattern in _CACHES:
                if pattern.match(path):
                    self.caches.setdefault(name, Tally()).add(info)
                    break

    @staticmethod
    def _keep(kept: list[FileInfo], info: FileInfo) -> None:
        # Past MAX_KEPT more findings of one kind add nothing an auditor can act on.
        if len(kept) < MAX_KEPT:
            kept.append(info)


def wants(info: FileInfo) -> bool:
    """True for entries `FileEvidence.observe` would keep or count (a cheap pre-filter)."""
    if info.mode & (SETUID | SETGID | WORLD_WRITABLE):
        return True
    path = info.path
    return (
        path in SSHD_PATHS
        or path in SUDO_PATHS
        or path.startswith((APT_LISTS, "/var/cache/", "/root/", "/home/", "/usr/local/share/"))
    )
