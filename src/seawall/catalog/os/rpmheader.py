"""The rpm header blob that every rpm database stores per package.

Layout (rpm's lib/header.c, "header structure"; the format is also described
in the LSB's "Package File Format" and rpm's docs/manual/format_header.md):

    il: u32 BE   number of index entries
    dl: u32 BE   length of the data store
    il * {tag: i32 BE, type: u32 BE, offset: i32 BE, count: u32 BE}
    dl bytes of data store

Databases store the blob without the 8-byte header magic of .rpm files; a
blob that carries it is accepted too. Every offset and count is checked
against the blob before use: the input is hostile.

The file list: rpm 4 stores each path as DIRNAMES[DIRINDEXES[i]] +
BASENAMES[i] (the "compressed file list", rpm's lib/rpmfiles.c and
`rpmfiBuildFNames`; directories end with `/`), every file the package
installed, its directories and `%ghost` files included. Headers of rpm 3
carried the full paths in OLDFILENAMES instead; rpm converts them when it
installs such a package, but a database may still hold one. A malformed file
list does not lose the package: it is reported in `RpmHeader.files_problem`.
"""

import operator
import struct
from dataclasses import dataclass

from seawall.errors import InputError

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_SOURCERPM = 1044
TAG_OLDFILENAMES = 1027
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118

_TYPE_INT32 = 4
_TYPE_STRING = 6
_TYPE_STRING_ARRAY = 8
_TYPE_I18NSTRING = 9
_STRING_TYPES = frozenset({_TYPE_STRING, _TYPE_STRING_ARRAY, _TYPE_I18NSTRING})

_HEADER_MAGIC = b"\x8e\xad\xe8\x01"
_FILE_TAGS = (TAG_BASENAMES, TAG_DIRNAMES, TAG_DIRINDEXES)
_WANTED = frozenset(
    {
        TAG_NAME,
        TAG_VERSION,
        TAG_RELEASE,
        TAG_EPOCH,
        TAG_LICENSE,
        TAG_ARCH,
        TAG_SOURCERPM,
        TAG_OLDFILENAMES,
        *_FILE_TAGS,
    }
)
_ENTRY = struct.Struct(">iIiI")
MAX_FILES = 1_000_000
"""Entries of one file-list array read at most, unless the caller allows fewer: a few times
the largest real package (texlive and kernel-devel list tens of thousands of files)."""


class RpmFormatError(InputError):
    """An rpm header or database is malformed."""


@dataclass(frozen=True, slots=True)
class RpmFileList:
    """A package's file list as rpm stores it: path i is `dirnames[dirindexes[i]] + basenames[i]`.

    Kept in this form because it is small (a directory is stored once);
    `path_length` says what expanding it would cost before `paths` does it.
    Built only by `parse_header`, which checks that the arrays agree.
    """

    dirnames: tuple[str, ...] = ()
    basenames: tuple[str, ...] = ()
    dirindexes: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.basenames)

    def path_length(self) -> int:
        """Characters in all the paths together."""
        lengths = [len(directory) for directory in self.dirnames]
        return sum(map(lengths.__getitem__, self.dirindexes)) + sum(map(len, self.basenames))

    def paths(self) -> list[str]:
        """Every path, in the header's order."""
        # map() rather than a comprehension: a large image lists ~100,000 paths.
        return list(
            map(operator.add, map(self.dirnames.__getitem__, self.dirindexes), self.basenames)
        )


@dataclass(frozen=True, slots=True)
class RpmHeader:
    """The fields of an rpm header that make a package, and its file list."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str | None
    license: str | None
    source_rpm: str | None
    files: RpmFileList = RpmFileList()
    files_problem: str | None = None
    """Why the file list could not be read (then `files` is empty), or None."""


def _string(store: bytes, tag: int, kind: int, offset: int, count: int) -> str:
    if kind not in _STRING_TYPES:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected a string")
    if count < 1 or not 0 <= offset < len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    end = store.find(b"\0", offset)
    if end < 0:
        raise RpmFormatError(f"tag {tag} string is not terminated")
    # For string arrays and i18n strings the first element is the default.
    return store[offset:end].decode("utf-8", errors="replace")


def _int32(store: bytes, tag: int, kind: int, offset: int, count: int) -> int:
    if kind != _TYPE_INT32:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected int32")
    if count < 1 or offset < 0 or offset % 4 or offset + 4 > len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    value: int = struct.unpack_from(">I", store, offset)[0]
    return value


def _check_count(tag: int, count: int, max_count: int) -> None:
    if count < 1:
        raise RpmFormatError(f"tag {tag} has no entries")
    if count > max_count:
        raise RpmFormatError(f"tag {tag} claims {count} entries, over the limit of {max_count}")


def _strings(
    store: bytes, tag: int, kind: int, offset: int, count: int, max_count: int
) -> tuple[str, ...]:
    """A string array, decoded as the file views decode tar names."""
    if kind != _TYPE_STRING_ARRAY:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected a string array")
    if not 0 <= offset < len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    _check_count(tag, count, max_count)
    # Every string takes at least its terminator: a count the store cannot hold is
    # refused before anything is split.
    if count > len(store) - offset:
        raise RpmFormatError(
            f"tag {tag} claims {count} strings in {len(store) - offset} bytes of data"
        )
    rest = store[offset:]
    parts = rest.split(b"\0", count)
    if len(parts) <= count:
        raise RpmFormatError(f"tag {tag} string array is not terminated")
    # One decode of the whole array: NUL is never part of a UTF-8 sequence, so
    # this is each string decoded alone. surrogateescape: a name that is not
    # UTF-8 still compares equal to the same bytes read from a tar member (see
    # filelists.list_lines).
    array = rest[: len(rest) - len(parts[count]) - 1]
    return tuple(array.decode("utf-8", "surrogateescape").split("\0"))


def _int32s(
    store: bytes, tag: int, kind: int, offset: int, count: int, max_count: int
) -> tuple[int, ...]:
    if kind != _TYPE_INT32:
        raise RpmFormatError(f"tag {tag} has type {kind}, expected int32")
    _check_count(tag, count, max_count)
    if offset < 0 or offset % 4 or offset + 4 * count > len(store):
        raise RpmFormatError(f"tag {tag} points outside the data store (offset {offset})")
    return struct.unpack_from(f">{count}I", store, offset)


def _file_list(
    store: bytes, entries: dict[int, tuple[int, int, int]], max_files: int
) -> RpmFileList:
    """The file list of a header; raises RpmFormatError when its arrays are malformed."""
    present = [tag for tag in _FILE_TAGS if tag in entries]
    if not present:
        old = entries.get(TAG_OLDFILENAMES)
        if old is None:
            return RpmFileList()  # a package without files (a meta package)
        paths = _strings(store, TAG_OLDFILENAMES, *old, max_files)
        return RpmFileList(("",), paths, (0,) * len(paths))
    if len(present) < len(_FILE_TAGS):
        missing = sorted(set(_FILE_TAGS) - set(present))
        raise RpmFormatError(f"file list lacks tag(s) {', '.join(map(str, missing))}")
    basenames = _strings(store, TAG_BASENAMES, *entries[TAG_BASENAMES], max_files)
    dirnames = _strings(store, TAG_DIRNAMES, *entries[TAG_DIRNAMES], max_files)
    dirindexes = _int32s(store, TAG_DIRINDEXES, *entries[TAG_DIRINDEXES], max_files)
    if len(dirindexes) != len(basenames):
        raise RpmFormatError(
            f"file list has {len(basenames)} base names but {len(dirindexes)} directory indexes"
        )
    if max(dirindexes) >= len(dirnames):
        raise RpmFormatError(
            f"file list names directory index {max(dirindexes)}, "
            f"but has {len(dirnames)} directories"
        )
    return RpmFileList(dirnames, basenames, dirindexes)


def parse_header(blob: bytes, *, max_files: int = MAX_FILES) -> RpmHeader:
    """The package fields of one header blob; raises RpmFormatError when it is malformed.

    A malformed file list, or one whose arrays hold more than `max_files`
    entries, leaves the package whole and is described in `files_problem`;
    `max_files` 0 does not read the file list at all.
    """
    start = 8 if blob[:4] == _HEADER_MAGIC else 0
    if len(blob) - start < 8:
        raise RpmFormatError(f"header is {len(blob)} bytes, too short for its preamble")
    index_count, store_length = struct.unpack_from(">II", blob, start)
    index_start = start + 8
    store_start = index_start + 16 * index_count
    # Both counts are bounded by the blob itself, so nothing below can run long.
    if index_count == 0 or store_start + store_length > len(blob):
        raise RpmFormatError(
            f"header claims {index_count} index entries and {store_length} data bytes, "
            f"but holds {len(blob)} bytes"
        )
    store = blob[store_start : store_start + store_length]
    entries: dict[int, tuple[int, int, int]] = {}
    for tag, kind, offset, count in _ENTRY.iter_unpack(blob[index_start:store_start]):
        if tag in _WANTED:
            # A later entry for the same tag (a "dribble" after the region) wins, as in rpm.
            entries[tag] = (kind, offset, count)

    def text(tag: int) -> str | None:
        entry = entries.get(tag)
        return None if entry is None else _string(store, tag, *entry)

    name, version, release = text(TAG_NAME), text(TAG_VERSION), text(TAG_RELEASE)
    if not name or not version or not release:
        labels = (("NAME", name), ("VERSION", version), ("RELEASE", release))
        raise RpmFormatError(f"header lacks {', '.join(k for k, v in labels if not v)}")
    epoch_entry = entries.get(TAG_EPOCH)
    files, files_problem = RpmFileList(), None
    if max_files > 0:
        try:
            files = _file_list(store, entries, max_files)
        except RpmFormatError as error:
            files_problem = str(error)
    return RpmHeader(
        name=name,
        version=version,
        release=release,
        epoch=None if epoch_entry is None else _int32(store, TAG_EPOCH, *epoch_entry),
        arch=text(TAG_ARCH) or None,
        license=text(TAG_LICENSE) or None,
        source_rpm=text(TAG_SOURCERPM) or None,
        files=files,
        files_problem=files_problem,
    )


def split_source_rpm(source_rpm: str) -> tuple[str, str, str] | None:
    """`name-version-release.src.rpm` → (name, version, release); None if it is not that shape."""
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if source_rpm.endswith(suffix):
            stem = source_rpm[: -len(suffix)]
            break
    else:
        return None
    parts = stem.rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]
