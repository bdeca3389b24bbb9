"""Random access to the members of an image archive (a plain, uncompressed tar).

docker-archive and oci-archive files are read in place, never extracted: the
tar headers are walked once (at most `Limits.max_archive_members`), each
member's data offset is kept, and a member is later read by seeking to it.
Member names are checked as they are indexed: an absolute name, a `..`
component or a name seen twice makes the archive unusable (it could mean one
thing to seawall and another to a tool that extracts it). Symbolic and hard
links between members are followed inside the archive only.
"""

import io
import posixpath
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from seawall.errors import LimitExceededError
from seawall.limits import Limits
from seawall.source.compression import GZIP_MAGIC, ZSTD_MAGIC
from seawall.source.errors import (
    BlobNotFoundError,
    MalformedDocumentError,
    UnsafeArchiveError,
    shown,
)
from seawall.source.localblob import LocalBlob
from seawall.source.manifest import check_declared_size, read_bounded

_META_TYPES = frozenset(
    {tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, b"X"}
)


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """Where one member's data lives in the archive file."""

    name: str
    offset: int
    size: int
    kind: bytes
    linkname: str


class _Slice(io.RawIOBase):
    """`size` bytes of a file from `offset`, through its own handle."""

    def __init__(self, path: Path, offset: int, size: int) -> None:
        super().__init__()
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self._file.seek(offset)
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: self._left]
        n = self._file.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            super().close()


def _clean_name(name: str, *, what: str) -> str:
    """A member name normalised (`./a//b/` → `a/b`), or `UnsafeArchiveError`."""
    if name.startswith("/"):
        raise UnsafeArchiveError(
            f"{what}: member {name!r} has an absolute path; refusing the archive"
        )
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(
            f"{what}: member {name!r} climbs out with '..'; refusing the archive"
        )
    return "/".join(parts)


def _meta_header_size(header: bytes) -> int | None:
    """The data size a PAX/GNU meta header announces, read before tarfile loads it whole."""
    if len(header) < 512 or header[156:157] not in _META_TYPES:
        return None
    field = header[124:136]
    if field[0] & 0x80:  # GNU base-256
        return int.from_bytes(field[1:], "big")
    try:
        return int(field.split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        return None


def _check_meta_header(handle: BinaryIO, offset: int, *, limits: Limits, what: str) -> None:
    """Refuses an oversized PAX/GNU meta header before tarfile reads it into memory."""
    handle.seek(offset)
    header = handle.read(512)
    handle.seek(offset)
    meta = _meta_header_size(header)
    if meta is not None and meta > limits.max_meta_header_bytes:
        raise LimitExceededError(
            f"{what}: a tar meta header", "max_meta_header_bytes", limits.max_meta_header_bytes
        )


def _index(handle: BinaryIO, size: int, *, limits: Limits, what: str) -> dict[str, ArchiveMember]:
    if handle.read(4).startswith((GZIP_MAGIC, ZSTD_MAGIC)):
        raise MalformedDocumentError(
            f"{what}: the archive is compressed; decompress it first (gunzip or unzstd)"
        )
    members: dict[str, ArchiveMember] = {}
    count = 0
    try:
        _check_meta_header(handle, 0, limits=limits, what=what)
        with tarfile.open(fileobj=handle, mode="r:") as tar:
            while True:
                _check_meta_header(handle, tar.offset, limits=limits, what=what)
                info = tar.next()
                if info is None:
                    break
                count += 1
                if count > limits.max_archive_members:
                    raise LimitExceededError(
                        f"{what}: member count", "max_archive_members", limits.max_archive_members
                    )
                tar.members = []  # type: ignore[attr-defined]  # our index is all we keep
                name = _clean_name(info.name, what=what)
                if info.isdir():
                    continue
                if name in members:
                    raise UnsafeArchiveError(
                        f"{what}: member {name!r} appears twice; refusing the archive"
                    )
                if info.offset_data + info.size > size:
                    raise MalformedDocumentError(
                        f"{what}: the archive is truncated (member {name!r})"
                    )
                members[name] = ArchiveMember(
                    name, info.offset_data, info.size, info.type, info.linkname
                )
    except tarfile.TarError as exc:
        raise MalformedDocumentError(f"{what}: not a readable tar archive ({exc})") from None
    except ValueError:
        # tarfile parses some PAX records (the GNU sparse map and sizes) with int()
        # and lets a malformed number escape as ValueError.
        raise MalformedDocumentError(
            f"{what}: not a readable tar archive (a header holds a malformed number)"
        ) from None
    return members


class TarArchive:
    """An indexed tar file: members by normalised name, read by offset."""

    def __init__(
        self, path: Path, members: dict[str, ArchiveMember], *, what: str, limits: Limits
    ) -> None:
        self.path = path
        self.members = members
        self.what = what
        self.limits = limits

    @classmethod
    def open(cls, path: Path, *, limits: Limits, what: str) -> "TarArchive":
        """Indexes the archive at `path` (one pass over its headers)."""
        try:
            size = path.stat().st_size
            with open(path, "rb") as handle:
                members = _index(handle, size, limits=limits, what=what)
        except OSError as exc:
            raise MalformedDocumentError(
                f"{what}: cannot read the archive ({exc.strerror or exc})"
            ) from None
        return cls(path, members, what=what, limits=limits)

    def resolve(self, name: str) -> ArchiveMember:
        """The regular member `name` names, following links inside the archive."""
        current = _clean_name(name, what=self.what)
        for _hop in range(self.limits.max_symlink_hops):
            member = self.members.get(current)
            if member is None:
                raise BlobNotFoundError(f"{self.what}: no member {current!r} in the archive")
            if member.kind == tarfile.SYMTYPE:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(current), member.linkname)
                )
            elif member.kind == tarfile.LNKTYPE:
                target = member.linkname
            else:
                return member
            if target.startswith(("/", "../")) or target == "..":
                raise UnsafeArchiveError(
                    f"{self.what}: member {current!r} links outside the archive"
                )
            current = _clean_name(target, what=self.what)
        raise UnsafeArchiveError(f"{self.what}: links from {name!r} loop or nest too deep")

    def has(self, name: str) -> bool:
        """Whether a member of that name exists (links not followed)."""
        return _clean_name(name, what=self.what) in self.members

    def open_member(self, name: str) -> BinaryIO:
        """A reader of one member's data."""
        member = self.resolve(name)
        return cast(
            BinaryIO,
            io.BufferedReader(_Slice(self.path, member.offset, member.size), buffer_size=1 << 20),
        )

    def locate(self, name: str) -> LocalBlob:
        """Where a member's data lies in the archive file, for readers of their own."""
        member = self.resolve(name)
        return LocalBlob(self.path, member.offset, member.size)

    def read_member(self, name: str, *, limit: int, limit_name: str) -> bytes:
        """A small member's whole data (a JSON document), refused before reading if too big."""
        member = self.resolve(name)
        what = f"{self.what} {shown(name)}"
        check_declared_size(member.size, limit=limit, limit_name=limit_name, what=what)
        with self.open_member(name) as stream:
            return read_bounded(stream, limit=limit, limit_name=limit_name, what=what)

    def head(self, name: str, count: int) -> bytes:
        """The first `count` bytes of a member (for magic-number detection)."""
        with self.open_member(name) as stream:
            return stream.read(count)
