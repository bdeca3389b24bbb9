"""Reduce a layer (or a directory) to what the catalogers need: the per-layer cache's unit.

A reduced layer is a small tar holding, from one layer, the files some
cataloger wants (with their bytes), every symlink, and the layer's whiteouts
and opaque markers, so the squashed view of the reduced layers is exactly the
squashed view of the wanted files (OCI image spec, layer.md "Whiteouts").
Large files read by file-local catalogers (binaries, archives) are cataloged
while the layer is read; the reduced tar keeps an empty placeholder at their
path, so that visibility still decides whether what was found in them counts.
A distribution package's file list (dpkg's `info/<package>.list` and the
`.md5sums` files, marked by its reader's `PathHint.lists`) is kept with only
the lines naming a path some other cataloger wants, and the lines that are
malformed (its reader reports them): its reader needs no more to say which
package owns a language package's files, and a Debian layer's lists shrink
from hundreds of kilobytes to the few lines that name programs and metadata.
An `info/<package>.md5sums` whose `info/<package>.list` the same layer holds
is left out: the dpkg cataloger reads the md5sums only where the `.list` is
missing, and dpkg writes both at once, so filtering them would be work for
nothing (it is kept back until the layer's end, since tar order is
arbitrary).
"""

import io
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar, Protocol, Self
from zlib import adler32

from seawall.catalog.base import CatalogContext, Cataloger, CatalogFile
from seawall.catalog.lang.binaries import looks_executable
from seawall.catalog.os.filelists import list_entries, superseding_list
from seawall.catalog.registry import HintIndex, PathHint
from seawall.fs import DirectoryView, Entry
from seawall.fs.entry import ContentReader
from seawall.fs.layer import LayerScan, read_members
from seawall.limits import Limits
from seawall.model.files import FileInfo, FileKind, Problem
from seawall.model.image import Layer, LayerOpener
from seawall.model.package import Package, Relationship

WHITEOUT_PREFIX = ".wh."
_REGULAR_KIND = FileKind.REGULAR
_HARDLINK_KIND = FileKind.HARDLINK
_SYMLINK_KIND = FileKind.SYMLINK
_MAGIC_BYTES = 8
"""Enough of a file for `looks_executable` to answer as it would on the whole file."""
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(frozen=True, slots=True)
class FileFindings:
    """What one file-local cataloger found in one file of one layer."""

    cataloger: str
    path: str
    packages: tuple[Package, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReducedLayer:
    """One layer reduced to the catalogers' inputs."""

    tar: bytes
    findings: tuple[FileFindings, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    """(cataloger NAME, message) for wanted files that were too large to keep."""
    problems: tuple[Problem, ...] = ()
    """Problems reading the layer itself (unsafe names, bad links …)."""


class Reader(Protocol):
    """Anything that names the files it reads: catalogers, and the distro detector."""

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    MAX_FILE_BYTES: ClassVar[int]

    def wants(self, path: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Wants:
    """The catalogers split by how their inputs are kept."""

    content: Sequence[Cataloger]
    """Catalogers run later on the merged view: their files' bytes are kept."""
    file_local: Sequence[Cataloger]
    """Catalogers run on each file as the layer is read: their findings are kept."""
    context: Sequence[Reader] = ()
    """Readers whose files are kept for the catalogers' context (os-release)."""
    hints: Mapping[str, PathHint] = field(default_factory=dict)
    """Path hints by reader NAME (`catalog.registry.HINTS`): a reader with one is
    asked only about the paths its hint admits; one without is asked about all."""
    executables_only: frozenset[str] = frozenset()
    """File-local catalogers that find nothing in a file that does not start like
    an executable (`catalog.registry.EXECUTABLES_ONLY`): such a file is not read."""
    _index: "_PathIndex" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _PathIndex(self, self.hints))

    @property
    def readers(self) -> tuple[Reader, ...]:
        """Everything whose NAME:VERSION decides what a reduced layer holds."""
        return (*self.context, *self.content, *self.file_local)

    def content_cap(self, path: str) -> tuple[int, list[Reader]]:
        """The byte cap for keeping `path` (0: not wanted) and the readers wanting it."""
        wanting = self._index.kept(path)
        return max((r.MAX_FILE_BYTES for r in wanting), default=0), wanting

    def local(self, path: str) -> list[Cataloger]:
        return self._index.local(path)

    def cataloged(self, path: str) -> bool:
        """True when a cataloger of `content` wants `path` (asked through the index)."""
        return self._index.cataloged(path)

    def wanted(self, path: str) -> tuple[int, list[Reader], list[Cataloger]]:
        """`content_cap(path)` and `local(path)` at once, sharing one look at the path."""
        kept, local = self._index.both(path)
        if not kept:
            return 0, kept, local
        return max([r.MAX_FILE_BYTES for r in kept]), kept, local

    def file_list(self, path: str, wanting: Sequence[Reader]) -> frozenset[str]:
        """NAMEs of the readers in `wanting` for which `path` is a file list (`PathHint.lists`)."""
        return self._index.file_list(path, wanting)

    def keep_listed(self, path: str, content: bytes, readers: frozenset[str]) -> bytes:
        """The file list at `path` reduced to the lines naming a path a cataloger outside
        `readers` wants, and the malformed lines (problems its readers report)."""
        wanted = self._index.wanted_by_others
        kept = [
            line
            for line, listed in list_entries(path, content)
            if listed is None or wanted(listed, readers)
        ]
        return "".join(f"{line}\n" for line in kept).encode("utf-8", "surrogateescape")


_NOBODY: tuple[list["Reader"], list[Cataloger]] = ([], [])
"""`_PathIndex.both` for a path nobody wants (shared; never changed)."""
_MEMO_PATHS = 1 << 16
"""Paths whose answers `_PathIndex` remembers: enough for a big layer, bounded for a hostile one."""


class _PathIndex:
    """The combined prefilter: which readers' hints admit a path, found without asking each.

    Evaluating every reader's `wants` on every tar member cost ~11 µs a path; the
    hints, compiled into one `HintIndex`, reduce that to a few lookups, and only
    the readers they admit are asked (in order).
    """

    def __init__(self, wants: Wants, hints: Mapping[str, PathHint]) -> None:
        kept: list[Reader] = [*wants.context, *wants.content]
        self._kept = kept
        self._local = list(wants.file_local)
        self._split = len(kept)
        self._context = len(wants.context)
        readers: list[Reader] = [*kept, *self._local]
        self._hints = HintIndex([hints.get(reader.NAME) for reader in readers])
        self._lists = {
            reader.NAME: hint.lists
            for reader in wants.content
            if (hint := hints.get(reader.NAME)) is not None and hint.lists is not None
        }
        self._context_readers = frozenset(id(reader) for reader in wants.context)
        self._memo: dict[str, tuple[list[Reader], list[Cataloger]]] = {}

    def file_list(self, path: str, wanting: Sequence[Reader]) -> frozenset[str]:
        if not self._lists:
            return frozenset()
        return frozenset(
            reader.NAME
            for reader in wanting
            if (is_list := self._lists.get(reader.NAME)) is not None and is_list(path)
        )

    def wanted_by_others(self, path: str, readers: frozenset[str]) -> bool:
        """True when a cataloger (not a context reader) outside `readers` wants `path`."""
        kept, local = self.both(path)
        if not kept and not local:
            return False  # most lines: nobody wants the path
        context = self._context_readers
        return any(r.NAME not in readers for r in local) or any(
            r.NAME not in readers and id(r) not in context for r in kept
        )

    def cataloged(self, path: str) -> bool:
        context = self._context_readers
        return any(id(reader) not in context for reader in self.both(path)[0])

    def both(self, path: str) -> tuple[list[Reader], list[Cataloger]]:
        """The readers wanting `path` whose bytes are kept, and the file-local ones.

        Answers are remembered (up to `_MEMO_PATHS` paths): a layer's dpkg file
        lists name the paths its members had, and assembling the inventory asks
        about the reduced layers' paths again. The lists returned are shared:
        callers do not change them.
        """
        answer = self._memo.get(path)
        if answer is not None:
            return answer
        positions = self._hints.admitted(path)
        if not positions:
            answer = _NOBODY
        else:
            kept: list[Reader] = []
            local: list[Cataloger] = []
            split = self._split
            for position in positions:
                if position < split:
                    reader = self._kept[position]
                    if reader.wants(path):
                        kept.append(reader)
                else:
                    cataloger = self._local[position - split]
                    if cataloger.wants(path):
                        local.append(cataloger)
            answer = (kept, local) if kept or local else _NOBODY
        if len(self._memo) < _MEMO_PATHS:
            self._memo[path] = answer
        return answer

    def kept(self, path: str) -> list[Reader]:
        return self.both(path)[0]

    def local(self, path: str) -> list[Cataloger]:
        return self.both(path)[1]


class _Reducer:
    """Accumulates one layer's reduced tar while its entries stream past."""

    def __init__(self, wants: Wants, layer: int | None) -> None:
        self._wants = wants
        self._layer = layer
        self._buffer = io.BytesIO()
        self.findings: list[FileFindings] = []
        self.skipped: list[tuple[str, str]] = []
        self.hardlinks: dict[str, str] = {}
        """Wanted hard links (path → target) whose bytes are read back or fetched by a
        second pass once the layer's members are all seen."""
        self._lists: set[str] = set()
        """File lists kept (reduced) in this layer."""
        self._pending: dict[str, tuple[bytes, int, frozenset[str]]] = {}
        """File lists that another list of this layer may make redundant
        (`filelists.superseding_list`): path → (bytes, mode, readers), settled in `finish`."""

    def add(self, entry: Entry) -> None:
        """An entry of a directory view (a layer's members go through `add_file`)."""
        info = entry.info
        kind = info.kind
        if kind is _SYMLINK_KIND:
            self.add_symlink(info.path, info.link_target or "", info.mode)
        elif kind is _REGULAR_KIND or kind is _HARDLINK_KIND:
            cap, wanting, local = self._wants.wanted(info.path)
            if wanting or local:
                opener = entry.open if entry.readable else None
                self.add_file(info, opener, cap, wanting, local)

    def add_symlink(self, path: str, target: str, mode: int) -> None:
        self._write(path, _SYMLINK, link=target, mode=mode)

    def add_file(
        self,
        info: "FileInfo | _MemberInfo",
        opener: Callable[[], ContentReader] | None,
        cap: int,
        wanting: Sequence[Reader],
        local: Sequence[Cataloger],
    ) -> None:
        """A regular file or hard link some reader wants (`Wants.wanted` gave the rest);
        `opener` None: its contents cannot be read (sparse, or a link)."""
        if info.kind is _HARDLINK_KIND and info.link_target:
            self.hardlinks[info.path] = info.link_target
            return
        content = self._read(info, opener, cap, wanting, local)
        if content is None:
            # Kept empty, so that this layer still hides lower versions of the path.
            self._write(info.path, _REGULAR, mode=info.mode)
            return
        self.add_content(info.path, content, info.mode, cap if wanting else 0, local, wanting)

    def add_content(
        self,
        path: str,
        content: bytes,
        mode: int,
        cap: int,
        local: Sequence[Cataloger],
        wanting: Sequence[Reader],
    ) -> None:
        for cataloger in local:
            if len(content) <= cataloger.MAX_FILE_BYTES:
                self._catalog_one(cataloger, path, content)
        keep = len(content) <= cap
        listing = self._wants.file_list(path, wanting) if keep and wanting else frozenset()
        if listing and len(listing) == len(wanting):
            # Only when every reader of the file takes it as a list: one that
            # wants it whole still gets it whole.
            if superseding_list(path) is not None:
                self._pending[path] = (content, mode, listing)
                return
            self._lists.add(path)
            content = self._wants.keep_listed(path, content, listing)
        self._write(path, _REGULAR, content=content if keep else b"", mode=mode)

    def _read(
        self,
        info: "FileInfo | _MemberInfo",
        opener: Callable[[], ContentReader] | None,
        cap: int,
        wanting: Sequence[Reader],
        local: Sequence[Cataloger],
    ) -> bytes | None:
        limit = max([cap, *(c.MAX_FILE_BYTES for c in local)])
        size = info.size
        for cataloger in wanting:
            if size > cataloger.MAX_FILE_BYTES:
                self.skipped.append((cataloger.NAME, f"{info.path}: {size} bytes, over its limit"))
        if size > limit or opener is None:
            return None
        with opener() as reader:
            if wanting or not all(c.NAME in self._wants.executables_only for c in local):
                return reader.read()
            # Only executable readers want it (a program directory holds scripts and
            # data too): a file that does not start like one is not read on. Its
            # placeholder is what reading it would have left.
            head = reader.read(_MAGIC_BYTES)
            if not looks_executable(head):
                return b""
            return head + reader.read()

    def _catalog_one(self, cataloger: Cataloger, path: str, content: bytes) -> None:
        result = cataloger.catalog([CatalogFile(path, content, self._layer)], CatalogContext())
        if result.packages or result.relationships or result.problems:
            self.findings.append(
                FileFindings(
                    cataloger.NAME,
                    path,
                    result.packages,
                    result.relationships,
                    result.problems,
                )
            )

    def mark(self, whiteouts: Iterable[str], opaque_dirs: Iterable[str]) -> None:
        for path in whiteouts:
            parent, _, name = path.rpartition("/")
            self._write(f"{parent}/{WHITEOUT_PREFIX}{name}", _REGULAR)
        for directory in opaque_dirs:
            self._write(f"{directory.rstrip('/')}/{OPAQUE_MARKER}", _REGULAR)

    def _write(
        self, path: str, kind: bytes, *, content: bytes = b"", link: str = "", mode: int = 0o644
    ) -> None:
        name = path.lstrip("/").encode("utf-8", "surrogateescape")
        target = link.encode("utf-8", "surrogateescape")
        write = self._buffer.write
        records = b""
        if len(name) > _NAME_BYTES:
            records += _pax_record(b"path", name)
        if len(target) > _NAME_BYTES:
            records += _pax_record(b"linkpath", target)
        if len(content) > _MAX_USTAR_SIZE:
            records += _pax_record(b"size", b"%d" % len(content))
        if records:
            write(_tar_header(_PAX_NAME, _PAX_LOCAL, 0o644, len(records), b""))
            write(records + _padding(len(records)))
        write(_tar_header(name, kind, mode, len(content), target))
        if content:
            write(content)
            write(_padding(len(content)))

    def finish(self, problems: Iterable[Problem]) -> ReducedLayer:
        for path, (content, mode, listing) in self._pending.items():
            if superseding_list(path) not in self._lists:
                kept = self._wants.keep_listed(path, content, listing)
                self._write(path, _REGULAR, content=kept, mode=mode)
        self._buffer.write(_END_OF_ARCHIVE)
        return ReducedLayer(
            tar=self._buffer.getvalue(),
            findings=tuple(self.findings),
            skipped=tuple(self.skipped),
            problems=tuple(problems),
        )


# The reduced tar is written here rather than with `tarfile`, which spends ~35 µs
# a member on generality this tar does not need (thousands of members a layer).
# POSIX ustar headers, with a PAX extended header (POSIX pax, "pax Interchange
# Format") only for names, links or sizes that do not fit; uid, gid and mtime are 0.
_TAR_BLOCK = 512
_NAME_BYTES = 100
_MAX_USTAR_SIZE = 8**11 - 1
"""The largest size eleven octal digits hold."""
_USTAR = struct.Struct("100s8s8s8s12s12s8s1s100s8s32s32s8s8s155s12x")
_ZERO_ID = b"0000000\0"
_ZERO_TIME = b"00000000000\0"
_USTAR_MAGIC = b"ustar\x0000"
_REGULAR = b"0"
_SYMLINK = b"2"
_PAX_LOCAL = b"x"
_PAX_NAME = b"././@PaxHeader"
_END_OF_ARCHIVE = bytes(2 * _TAR_BLOCK)


def _padding(size: int) -> bytes:
    return bytes(-size % _TAR_BLOCK)


def _tar_header(name: bytes, kind: bytes, mode: int, size: int, link: bytes) -> bytes:
    """One ustar header block; `name` and `link` are cut at 100 bytes (a PAX record holds more)."""
    size_field = b"%011o\0" % size if size <= _MAX_USTAR_SIZE else b"00000000000\0"
    header = _USTAR.pack(
        name,
        b"%07o\0" % (mode & 0o7777),
        _ZERO_ID,
        _ZERO_ID,
        size_field,
        _ZERO_TIME,
        b" " * 8,
        kind,
        link,
        _USTAR_MAGIC,
        b"",
        b"",
        _ZERO_ID,
        _ZERO_ID,
        b"",
    )
    # The checksum sums the header with its own field read as spaces. Adler-32's
    # low half is 1 + the byte sum modulo 65521, exact for halves of 256 bytes.
    checksum = (adler32(header[:256]) & 0xFFFF) + (adler32(header[256:]) & 0xFFFF) - 2
    return header[:148] + b"%06o\0 " % checksum + header[156:]


def _pax_record(key: bytes, value: bytes) -> bytes:
    """`LENGTH key=value\\n`, where LENGTH counts the whole record, its own digits included."""
    body = b" " + key + b"=" + value + b"\n"
    length = len(body)
    while length != len(body) + len(str(length)):
        length = len(body) + len(str(length))
    return b"%d" % length + body


class _MemberInfo:
    """What `_Reducer.add_file` reads of a wanted layer member (a `FileInfo` for directories)."""

    __slots__ = ("kind", "link_target", "mode", "path", "size")

    def __init__(
        self, path: str, kind: FileKind, mode: int, size: int, link_target: str | None
    ) -> None:
        self.path = path
        self.kind = kind
        self.mode = mode
        self.size = size
        self.link_target = link_target


class _CurrentMember:
    """The contents of the member a `LayerScan` is at, as a `ContentReader`."""

    __slots__ = ("_scan",)

    def __init__(self, scan: LayerScan) -> None:
        self._scan = scan

    def read(self, size: int = -1, /) -> bytes:
        return self._scan.read(size)

    def close(self) -> None:
        """Nothing to release: unread data is skipped when the scan moves on."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def reduce_layer(layer: Layer, opener: LayerOpener, wants: Wants, limits: Limits) -> ReducedLayer:
    """Read one layer once and keep what the catalogers need from it.

    The loop runs once per tar member, so it asks no more than it must: a
    member that is not a symlink, a regular file or a hard link is passed
    over, and one nobody wants costs the path index's look-up and nothing
    else (no `Entry`, no `FileInfo`).
    """
    reducer = _Reducer(wants, layer.index)
    readers_of = wants._index.both
    targets: dict[str, bytes] | None = None
    with LayerScan(layer, opener, limits) as scan:
        current = _CurrentMember(scan)

        def open_current() -> ContentReader:
            return current

        for path, kind, member, link_target in scan:
            if kind is _REGULAR_KIND or kind is _HARDLINK_KIND:
                wanting, local = readers_of(path)  # `Wants.wanted`, one call less a member
                if not wanting and not local:
                    continue
                cap = max([reader.MAX_FILE_BYTES for reader in wanting]) if wanting else 0
                sparse = member.sparse
                size = member.real_size if sparse and member.real_size is not None else member.size
                if kind is _HARDLINK_KIND:
                    size = 0
                info = _MemberInfo(path, kind, member.mode, size, link_target)
                readable = kind is _REGULAR_KIND and not sparse
                reducer.add_file(info, open_current if readable else None, cap, wanting, local)
            elif kind is _SYMLINK_KIND:
                reducer.add_symlink(path, link_target or "", member.mode)
        if reducer.hardlinks:
            # Hard links name an earlier member, whose bytes went by unkept: read
            # again where they lie while the stream is still open and verified.
            cap = max(reader.MAX_FILE_BYTES for reader in wants.readers)
            targets = scan.read_back(set(reducer.hardlinks.values()), cap)
    if reducer.hardlinks:
        if targets is None:
            # A stream that cannot be read again (compressed): a second pass
            # over this layer only, for just those targets.
            cap = max(reader.MAX_FILE_BYTES for reader in wants.readers)
            targets = read_members(layer, opener, set(reducer.hardlinks.values()), cap, limits)
        for path, target in sorted(reducer.hardlinks.items()):
            content_cap, wanting = wants.content_cap(path)
            content = targets.get(target, b"")
            reducer.add_content(path, content, 0o644, content_cap, wants.local(path), wanting)
    reducer.mark(scan.whiteouts, scan.opaque_dirs)
    return reducer.finish(scan.problems)


def reduce_directory(view: DirectoryView, wants: Wants) -> ReducedLayer:
    """A directory tree as one reduced layer (it has no whiteouts)."""
    reducer = _Reducer(wants, None)
    for entry in view:
        reducer.add(entry)
    return reducer.finish(view.problems)
