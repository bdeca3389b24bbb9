"""One layer's tar stream as file entries and whiteout markers, and the per-layer view.

`LayerReader` turns tar members into `FileInfo` values with normalised paths
(clamped names recorded as problems), applies the path limits, recognises
whiteout markers and checks hard links (OCI image spec layer.md: a hard link
names an earlier member of the same layer). `LayerView` is the public view of a
single layer: every entry it holds, including files a later layer deletes.
`LayerScan` is the same pass for a reader that keeps few of the entries (the
per-layer cache's reducer): the same checks, without an `Entry` per member.
"""

from collections.abc import Collection, Iterator
from contextlib import ExitStack
from functools import partial
from types import TracebackType
from typing import BinaryIO, Self

from seawall.fs import tarstream
from seawall.fs.entry import Entry, LayerStats, StaleEntryError
from seawall.fs.paths import Marker, MarkerKind, classify, clean_name, normalize_member
from seawall.fs.tarstream import TarMember, TarReader
from seawall.limits import Limits
from seawall.model.files import FileInfo, FileKind, Problem
from seawall.model.image import Layer, LayerOpener

_KINDS: dict[bytes, FileKind] = {
    b"0": FileKind.REGULAR,
    b"\0": FileKind.REGULAR,
    b"7": FileKind.REGULAR,
    tarstream.GNU_SPARSE: FileKind.REGULAR,
    tarstream.HARDLINK: FileKind.HARDLINK,
    tarstream.SYMLINK: FileKind.SYMLINK,
    tarstream.CHAR_DEVICE: FileKind.CHAR_DEVICE,
    tarstream.BLOCK_DEVICE: FileKind.BLOCK_DEVICE,
    tarstream.DIRECTORY: FileKind.DIRECTORY,
    tarstream.GNU_DUMPDIR: FileKind.DIRECTORY,
    tarstream.FIFO: FileKind.FIFO,
}
_HARDLINK_CHAIN_MAX = 64
_REGULAR = FileKind.REGULAR
_DIRECTORY = FileKind.DIRECTORY
_SYMLINK = FileKind.SYMLINK
_HARDLINK = FileKind.HARDLINK


def layer_name(layer: Layer) -> str:
    """How messages name a layer: its index and a short digest."""
    digest = layer.diff_id or layer.digest
    return f"layer {layer.index} ({digest[:19]})" if digest else f"layer {layer.index}"


def _show(name: str) -> str:
    return repr(name if len(name) <= 120 else name[:120] + "...")


class _MemberReader:
    """Reads the member of a `TarReader` it was made for; stale once the reader moves on."""

    __slots__ = ("_serial", "_tar")

    def __init__(self, tar: TarReader, serial: int) -> None:
        if tar.serial != serial:
            raise StaleEntryError("the view has moved past this entry; open it before advancing")
        self._tar = tar
        self._serial = serial

    def read(self, size: int = -1, /) -> bytes:
        if self._tar.serial != self._serial:
            raise StaleEntryError("the view has moved past this entry; read it before advancing")
        return self._tar.read(size)

    def close(self) -> None:
        """Nothing to release: unread data is skipped when the view advances."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LayerReader:
    """Reads one layer's tar stream into entries and markers, recording problems."""

    def __init__(
        self, layer: Layer, stream: BinaryIO, limits: Limits, problems: list[Problem]
    ) -> None:
        self.layer = layer
        self.where = layer_name(layer)
        self.problems = problems
        self._tar = TarReader(stream, self.where, limits, problems)
        self._seen: dict[str, FileKind] = {}
        """Paths written by this layer so far, for hard links and duplicates."""
        self._link_targets: dict[str, str] = {}
        # Read once per member: kept as plain attributes (Limits is frozen).
        self._index = layer.index
        self._max_path_bytes = limits.max_path_bytes
        self._short_path = limits.max_path_bytes // 4
        """Characters a path may have without its encoded length being checked."""
        self._max_path_depth = limits.max_path_depth
        self._regular_files = 0
        self._regular_bytes = 0
        self._whiteouts = 0

    def __iter__(self) -> Iterator[Entry | Marker]:
        """Entries, and the whiteout and opaque markers (never AUFS metadata)."""
        for member in self._tar:
            item = self._item(member)
            if item is not None:
                yield item

    def stats(self) -> LayerStats:
        return LayerStats(
            layer=self.layer.index,
            entries=len(self._seen),
            regular_files=self._regular_files,
            regular_bytes=self._regular_bytes,
            whiteouts=self._whiteouts,
            tar_bytes=self._tar.bytes_read,
        )

    def _problem(self, member: TarMember, message: str) -> None:
        self.problems.append(Problem(f"{self.where} member {_show(member.name)}", message))

    def _path(self, member: TarMember, name: str, what: str) -> str | None:
        """The normalised path of a member name, or None when a limit rules it out."""
        path = clean_name(name)
        if path is None:
            path, clamped = normalize_member(name)
            if clamped:
                self._problem(
                    member,
                    f"unsafe {what} {_show(name)} (absolute or climbing above the root); "
                    f"read as {_show(path)}, where a runtime would extract it",
                )
        limit = self._max_path_bytes
        if len(path) > limit // 4 and len(path.encode("utf-8", "surrogateescape")) > limit:
            self._problem(member, f"{what} longer than max_path_bytes={limit}; entry skipped")
            return None
        if path.count("/") > self._max_path_depth:
            self._problem(
                member,
                f"{what} deeper than max_path_depth={self._max_path_depth}; entry skipped",
            )
            return None
        return path

    def _item(self, member: TarMember) -> Entry | Marker | None:
        checked = self._checked(member)
        if checked is None or isinstance(checked, Marker):
            return checked
        path, kind, link_target = checked
        # FileInfo is built positionally (its keyword form costs a third more).
        _, _, mode, uid, gid, mtime, size, _, _, sparse, real_size = member
        if kind is not _REGULAR:
            info = FileInfo(path, kind, mode, 0, uid, gid, mtime, link_target, self._index)
            return Entry(info)
        if sparse and real_size is not None:
            size = real_size
        info = FileInfo(path, kind, mode, size, uid, gid, mtime, link_target, self._index)
        self._regular_files += 1
        self._regular_bytes += size
        if sparse:
            return Entry(info)
        return Entry(info, True, None, partial(_MemberReader, self._tar, self._tar.serial))

    def _checked(self, member: TarMember) -> tuple[str, FileKind, str | None] | Marker | None:
        """A member's path, kind and link target once every check has passed, or its
        whiteout marker, or None (recorded when something was wrong with it)."""
        kind = _KINDS.get(member[1])
        if kind is None:
            self._problem(
                member, f"unsupported tar entry type {member[1]!r}; entry and data skipped"
            )
            return None
        path = clean_name(member[0])
        if path is None or len(path) > self._short_path or path.count("/") > self._max_path_depth:
            # Not clean, or long or deep enough to check against the limits (rare).
            path = self._path(member, member[0], "name")
        if path is None or path == "/":
            return None  # the root itself (`./`) carries nothing a view needs
        if ".wh." in path:
            marker = classify(path)
            if marker.kind is not MarkerKind.FILE:
                return self._marker(member, marker)
        link_target: str | None = None
        if kind is _SYMLINK:
            link_target = member[7]
        elif kind is _HARDLINK:
            link_target = self._hardlink_target(member, path)
            if link_target is None:
                return None
        seen = self._seen
        previous = seen.get(path)
        if previous is not None and not (previous is _DIRECTORY and kind is _DIRECTORY):
            self._problem(member, "appears more than once in the layer; the later entry wins")
        seen[path] = kind
        return path, kind, link_target

    def _marker(self, member: TarMember, marker: Marker) -> Marker | None:
        if marker.kind is MarkerKind.AUFS_META:
            return None
        if marker.kind is MarkerKind.INVALID_WHITEOUT:
            self._problem(member, "whiteout marker without a valid name; ignored")
            return None
        self._whiteouts += 1
        return marker

    def _hardlink_target(self, member: TarMember, path: str) -> str | None:
        """The final regular target of a hard link, or None (recorded) when it is invalid."""
        target = self._path(member, member.linkname, "hard link target")
        if target is None:
            return None
        kind = self._seen.get(target)
        if kind is None:
            self._problem(
                member,
                f"hard link to {_show(target)}, which is not an earlier member of this layer; "
                "entry skipped",
            )
            return None
        if kind is FileKind.DIRECTORY:
            self._problem(member, f"hard link to the directory {_show(target)}; entry skipped")
            return None
        hops = 0
        while kind is FileKind.HARDLINK and hops < _HARDLINK_CHAIN_MAX:
            target = self._link_targets[target]
            kind = self._seen[target]
            hops += 1
        self._link_targets[path] = target
        return target


class LayerView:
    """Every entry of one layer, including files a later layer deletes or overwrites.

    Iterate once; entries are `visible` from this layer's own point of view.
    Whiteout markers are not entries: after iteration `whiteouts` lists the
    paths this layer deletes from lower layers and `opaque_dirs` the
    directories it makes opaque.
    """

    def __init__(self, layer: Layer, opener: LayerOpener, limits: Limits | None = None) -> None:
        self.layer = layer
        self._opener = opener
        self._limits = limits or Limits()
        self.problems: list[Problem] = []
        self.whiteouts: list[str] = []
        self.opaque_dirs: list[str] = []
        self.stats: LayerStats | None = None
        self._started = False

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("a LayerView can be iterated only once; make a new one")
        self._started = True
        with self._opener() as stream:
            reader = LayerReader(self.layer, stream, self._limits, self.problems)
            for item in reader:
                if isinstance(item, Entry):
                    yield item
                elif item.kind is MarkerKind.OPAQUE:
                    self.opaque_dirs.append(item.target)
                else:
                    self.whiteouts.append(item.target)
            self.stats = reader.stats()


class LayerScan:
    """One pass over a layer's entries for a reader that keeps few of them.

    Use it as a context manager (the layer's stream is open inside) and
    iterate once: each entry comes as `(path, kind, member, link_target)`,
    after exactly the checks, problems and limits of `LayerView`, which
    builds a `FileInfo` and an `Entry` from the same values. `read()` reads
    the current member's data (a regular file that is not sparse); after
    iteration `whiteouts` and `opaque_dirs` are as `LayerView` has them.

    `read_back(paths, max_file_bytes)` gives, once the entries are read and
    before the stream is closed, what `read_members` would read in a second
    pass: contents of the first readable regular member at each path that is
    no larger than `max_file_bytes` (a hard link's target). It reads them
    again where they lie when the stream allows that (an uncompressed local
    blob, still under verification), and answers None otherwise.
    """

    def __init__(self, layer: Layer, opener: LayerOpener, limits: Limits | None = None) -> None:
        self.layer = layer
        self._opener = opener
        self._limits = limits or Limits()
        self.problems: list[Problem] = []
        self.whiteouts: list[str] = []
        self.opaque_dirs: list[str] = []
        self._stack = ExitStack()
        self._reader: LayerReader | None = None
        self._data_at: dict[str, tuple[int, int]] = {}
        """Path -> (offset, size) of the first readable regular member's data there."""
        self._more_data_at: dict[str, list[tuple[int, int]]] = {}
        """The same for the later readable members of a path written more than once."""
        self._started = False

    def __enter__(self) -> Self:
        with ExitStack() as stack:
            stream = stack.enter_context(self._opener())
            self._reader = LayerReader(self.layer, stream, self._limits, self.problems)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self._reader = None
        return self._stack.__exit__(exc_type, exc, tb)

    def __iter__(self) -> Iterator[tuple[str, FileKind, TarMember, str | None]]:
        reader = self._reader
        if reader is None:
            raise RuntimeError("a LayerScan is read inside its `with` block")
        if self._started:
            raise RuntimeError("a LayerScan can be iterated only once; make a new one")
        self._started = True
        tar = reader._tar
        checked = reader._checked
        data_at = self._data_at if tar.random_access else None
        for member in tar:
            item = checked(member)
            if item is None:
                continue
            if isinstance(item, Marker):
                if item.kind is MarkerKind.OPAQUE:
                    self.opaque_dirs.append(item.target)
                else:
                    self.whiteouts.append(item.target)
                continue
            path, kind, link_target = item
            if data_at is not None and kind is _REGULAR and not member.sparse:
                where = (tar.bytes_read, member.size)
                if path in data_at:
                    self._more_data_at.setdefault(path, []).append(where)
                else:
                    data_at[path] = where
            yield path, kind, member, link_target

    def read(self, size: int = -1) -> bytes:
        """Read the current member's data (all that is left if `size` is negative)."""
        if self._reader is None:
            raise RuntimeError("a LayerScan is read inside its `with` block")
        return self._reader._tar.read(size)

    def read_back(self, paths: Collection[str], max_file_bytes: int) -> dict[str, bytes] | None:
        """See the class: a hard link's target read again, or None when the stream cannot."""
        reader = self._reader
        if reader is None:
            raise RuntimeError("a LayerScan is read inside its `with` block")
        tar = reader._tar
        if not tar.random_access:
            return None
        found: dict[str, bytes] = {}
        for path in paths:
            first = self._data_at.get(path)
            if first is None:
                continue
            for offset, size in (first, *self._more_data_at.get(path, ())):
                if size <= max_file_bytes:
                    found[path] = tar.read_at(offset, size)
                    break
        return found


def read_members(
    layer: Layer,
    opener: LayerOpener,
    paths: Collection[str],
    max_file_bytes: int,
    limits: Limits,
) -> dict[str, bytes]:
    """One pass over a layer returning the contents of the regular files at `paths`.

    Files larger than `max_file_bytes` are left out. A path written twice keeps
    its first regular member: a hard link names the member before it. Problems
    were recorded by the first pass over the layer and are not repeated.
    """
    wanted = set(paths)
    found: dict[str, bytes] = {}
    view = LayerView(layer, opener, limits)
    for entry in view:
        path = entry.info.path
        if path in wanted and path not in found and entry.readable:
            if entry.info.size <= max_file_bytes:
                with entry.open() as reader:
                    found[path] = reader.read()
            if len(found) == len(wanted):
                break
    return found
