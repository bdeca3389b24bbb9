"""Bounded, in-memory descent into archives: zip (jar, war, whl, egg …), tar and gzip'd tar.

The secret engine hands over a file whose first bytes say it is an archive;
this module yields the members worth scanning as `(label, bytes)` and counts
the archives it opened and the ones it skipped. Nothing is written to disk and
member names are only labels: a member is never looked up by name, so a name
like `../../etc/passwd` or `/abs` cannot reach anything outside the archive.
A member's label is `<outer path>!/<member name>` (the `jar:` URL convention
the Java cataloger uses), nested as `a.zip!/lib/b.tar.gz!/etc/app.conf`.

Every amount is bounded by `ArchiveLimits`, shared by all the levels below
one top-level file (`ArchiveBudget`): nesting depth, members read, bytes
inflated, bytes per member, and the compression ratio of a member (zip) or
of a gzip stream, which stops decompression bombs before they inflate. An
archive over a bound, damaged, or encrypted is skipped — whole, or from the
point where the bound was reached — and counted in `skipped`.

Formats: zip per PKWARE APPNOTE 6.3 (end of central directory, §4.3.16, is
checked before `zipfile` parses the directory), tar per POSIX ustar (magic
at offset 257, so V7 tars are not recognised), gzip per RFC 1952 (the first
member only; tools write tarballs as one member).
"""

import io
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from seawall.analyze.secrets.values import ArchiveLimits, KiB

_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_GZIP = b"\x1f\x8b"
_USTAR_AT = 257
_PROBE_BYTES = 4 * KiB
"""Leading bytes of a member that `archive_kind` looks at (enough to gunzip a tar header)."""
_CENTRAL_ENTRY_BYTES = 1 * KiB
"""Central directory bytes allowed per member (46-byte header, name, extra, comment)."""

SUFFIXES = (
    ".zip",
    ".jar",
    ".war",
    ".ear",
    ".whl",
    ".egg",
    ".apk",
    ".nupkg",
    ".tar",
    ".tgz",
    ".tar.gz",
)
"""Names that make a file over the engine's text size limit worth probing as an archive."""

# Members skipped by name, unread: formats that are binary whatever they hold
# (class files, images, fonts, native code). Reading them would only find NULs.
_BINARY_NAME = re.compile(
    r"\.(class|pyc|pyo|so|dll|dylib|exe|o|a|png|jpe?g|gif|ico|bmp|webp|woff2?|ttf|otf|eot"
    r"|mp[34]|ogg|wav|pdf)$",
    re.IGNORECASE,
)


class ArchiveKind(Enum):
    ZIP = "zip"
    TAR = "tar"
    GZIP = "gzip"
    """Only when the decompressed stream is a tar; other gzip files stay binary."""


@dataclass(slots=True)
class ArchiveBudget:
    """What is left to spend below one file, and what was opened and skipped so far."""

    members: int
    inflated: int
    opened: int = 0
    skipped: int = 0

    @classmethod
    def of(cls, limits: ArchiveLimits) -> "ArchiveBudget":
        return cls(members=limits.max_members, inflated=limits.max_inflated_bytes)


class _Skip(Exception):
    """An archive (or the rest of it) is not read; the caller counts it."""


def archive_kind(head: bytes) -> ArchiveKind | None:
    """The archive format the first bytes of a file announce, or None."""
    if head.startswith(_ZIP_LOCAL):
        return ArchiveKind.ZIP
    if head.startswith(_GZIP):
        try:
            start = zlib.decompressobj(wbits=31).decompress(head, _USTAR_AT + 8)
        except zlib.error:
            return None
        return ArchiveKind.GZIP if _is_tar(start) else None
    return ArchiveKind.TAR if _is_tar(head) else None


def _is_tar(head: bytes) -> bool:
    return head[_USTAR_AT : _USTAR_AT + 5] == b"ustar"


def expand(
    kind: ArchiveKind,
    data: bytes,
    label: str,
    limits: ArchiveLimits,
    budget: ArchiveBudget,
    depth: int = 1,
) -> Iterator[tuple[str, bytes]]:
    """The members of an archive worth scanning as text, nested archives expanded.

    `depth` is the level of `data` itself (1 for a file of the image). Archives
    past `limits.max_depth`, over a bound or unreadable add to `budget.skipped`.
    """
    if depth > limits.max_depth or len(data) > limits.max_archive_bytes:
        budget.skipped += 1
        return
    budget.opened += 1
    try:
        if kind is ArchiveKind.GZIP:
            data = _gunzip(data, limits, budget)
        members = _zip_members(data, limits, budget) if kind is ArchiveKind.ZIP else None
        if members is None:
            members = _tar_members(data, limits, budget)
        for name, content in members:
            inner = f"{label}!/{name}"
            nested = archive_kind(content[:_PROBE_BYTES])
            if nested is None:
                yield inner, content
            else:
                yield from expand(nested, content, inner, limits, budget, depth + 1)
    except _Skip:
        budget.skipped += 1


def _label(name: str) -> str:
    """A member name as shown after `!/`: without leading `/` or `./` (it is only a label)."""
    while name.startswith(("/", "./")):
        name = name[1:] if name.startswith("/") else name[2:]
    return name


def _spend(budget: ArchiveBudget, size: int) -> None:
    if budget.members <= 0 or size > budget.inflated:
        raise _Skip
    budget.members -= 1
    budget.inflated -= size


def _bomb(limits: ArchiveLimits, inflated: int, compressed: int) -> bool:
    return inflated > limits.ratio_floor_bytes and inflated > limits.max_ratio * max(compressed, 1)


def _gunzip(data: bytes, limits: ArchiveLimits, budget: ArchiveBudget) -> bytes:
    """The first gzip member, inflated in steps so that a bomb stops early."""
    cap = min(limits.max_archive_bytes, budget.inflated)
    inflater = zlib.decompressobj(wbits=31)
    parts: list[bytes] = []
    produced = 0
    view = memoryview(data)
    consumed = 0
    step = 256 * KiB
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece = inflater.decompress(inflater.unconsumed_tail, step)
            elif consumed < len(data):
                piece = inflater.decompress(view[consumed : consumed + step], step)
                consumed += step
            else:
                raise _Skip  # truncated stream
            produced += len(piece)
            parts.append(piece)
            compressed = min(consumed, len(data)) - len(inflater.unconsumed_tail)
            if produced > cap or _bomb(limits, produced, compressed):
                raise _Skip
    except zlib.error:
        raise _Skip from None
    budget.inflated -= produced
    return b"".join(parts)


def _zip_members(
    data: bytes, limits: ArchiveLimits, budget: ArchiveBudget
) -> Iterator[tuple[str, bytes]]:
    _check_directory(data, limits, budget)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _Skip from None
    with archive:
        infos = archive.infolist()
        if len(infos) > budget.members:
            raise _Skip  # the end record understated the directory
        for info in infos:
            if info.is_dir() or _BINARY_NAME.search(info.filename):
                continue
            size = info.file_size
            if size > limits.max_member_bytes or _bomb(limits, size, info.compress_size):
                budget.skipped += 1
                continue
            _spend(budget, size)
            try:
                with archive.open(info) as stream:
                    content = stream.read(limits.max_member_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError):
                # Damaged, encrypted, or a compression method zipfile lacks.
                budget.skipped += 1
                continue
            if len(content) > limits.max_member_bytes:
                budget.skipped += 1
                continue
            yield _label(info.filename), content


def _check_directory(data: bytes, limits: ArchiveLimits, budget: ArchiveBudget) -> None:
    """Refuse, before parsing it, a central directory declaring more members than allowed."""
    at = data.rfind(_ZIP_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        raise _Skip
    entries, directory_bytes = struct.unpack_from("<HI", data, at + 10)
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        (zip64_at,) = struct.unpack_from("<Q", data, locator + 8)
        if zip64_at + 56 <= len(data):
            entries, directory_bytes = struct.unpack_from("<QQ", data, zip64_at + 32)
    allowed = min(limits.max_members, budget.members)
    if entries > allowed or directory_bytes > allowed * _CENTRAL_ENTRY_BYTES:
        raise _Skip
    # The count may be a lie; the directory's entry signatures (a C-speed scan) are not.
    if data.count(_ZIP_CENTRAL, max(0, at - directory_bytes), at) > allowed:
        raise _Skip


def _tar_members(
    data: bytes, limits: ArchiveLimits, budget: ArchiveBudget
) -> Iterator[tuple[str, bytes]]:
    try:
        # Stream mode: members are parsed one at a time and not kept in a list.
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r|")  # noqa: SIM115
    except (tarfile.TarError, EOFError, OSError):
        raise _Skip from None
    with archive:
        try:
            for member in archive:
                # Every entry counts against the member budget: tarfile keeps each
                # header it parsed, so directories and links must be bounded too.
                wanted = member.isreg() and not _BINARY_NAME.search(member.name)
                if wanted and member.size > limits.max_member_bytes:
                    budget.skipped += 1
                    wanted = False
                _spend(budget, member.size if wanted else 0)
                if not wanted:
                    continue
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                yield _label(member.name), stream.read(member.size)
        except (tarfile.TarError, EOFError, OSError, UnicodeError):
            raise _Skip from None
