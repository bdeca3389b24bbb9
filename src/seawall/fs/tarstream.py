"""A streaming reader of tar archives written for hostile layer streams.

It owns the tar format: 512-byte headers (POSIX ustar, GNU and V7), their
checksums, GNU long names and links, GNU base-256 numbers, PAX extended and
global headers, sparse members and the end-of-archive marker. It yields one
`TarMember` per file-system entry and reads that member's data on request;
data the caller does not read is skipped when the next member is asked for.

Behaviour follows what a container runtime extracts (Go's archive/tar, used by
containerd and moby), so the scanner sees the files a runtime would see:
header-only types carry no data whatever their size field says, a GNU long
name wins over a PAX `path`, and PAX global headers are not applied.

The stream is read in chunks of `CHUNK` bytes and headers are parsed with
slices, never byte by byte, so reading a layer costs little more than
decompressing it. A stream that can pass over bytes unread (a plain local
blob) is read in chunks of `SKIPPING_CHUNK`: what nobody asks for is then
mostly skipped rather than copied.
"""

import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple, NoReturn
from zlib import adler32

from seawall.errors import InputError, LimitExceededError
from seawall.limits import Limits
from seawall.model.files import Problem

BLOCK = 512
CHUNK = 1 << 20
SKIPPING_CHUNK = 1 << 16
"""Small enough that unread data is mostly skipped, large enough to hold a run of small
members (~9 ms less than 1 MiB chunks over a 121 MB Debian layer, 7,050 members)."""
_MAX_DIRECT_READ = 16 * CHUNK
_ZERO_BLOCK = bytes(BLOCK)
_OCTAL_DIGITS = b"01234567"
_DECIMAL_DIGITS = b"0123456789"
_OCTAL_FIELD_BYTES = b"01234567 \0"
_NUL_AS_SPACE = bytes.maketrans(b"\0", b" ")
_NUMERIC_FIELDS = struct.Struct("8s8s8s12s12s8s")
"""mode, uid, gid, size, mtime and chksum: the header's numbers, from byte 100 on."""

# Typeflags (POSIX pax "ustar Interchange Format", GNU tar manual "Standard").
REGULAR_TYPES = frozenset((b"0", b"\0", b"7"))  # '7' contiguous is read as regular
HARDLINK = b"1"
SYMLINK = b"2"
CHAR_DEVICE = b"3"
BLOCK_DEVICE = b"4"
DIRECTORY = b"5"
FIFO = b"6"
GNU_DUMPDIR = b"D"
GNU_SPARSE = b"S"
_GNU_LONGNAME = b"L"
_GNU_LONGLINK = b"K"
_PAX_LOCAL = b"x"
_PAX_GLOBAL = b"g"
_META_TYPES = frozenset((_GNU_LONGNAME, _GNU_LONGLINK, _PAX_LOCAL, _PAX_GLOBAL))
# Header-only types: Go's archive/tar reads no data after them, whatever the
# size field holds (reader.go, isHeaderOnlyType), and we must stay in step.
_HEADER_ONLY = frozenset((HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO))
KNOWN_TYPES = REGULAR_TYPES | _HEADER_ONLY | {GNU_DUMPDIR, GNU_SPARSE}
_META_OR_SPARSE = _META_TYPES | {GNU_SPARSE}

# PAX keys applied per entry; the others (atime, uname, SCHILY.xattr.*, ...) are ignored.
_PAX_NUMERIC = ("size", "uid", "gid")
# Go's archive/tar parses PAX numbers as int64 (reader.go parsePAXRecord) and refuses
# the header otherwise; longer digit strings would also trip Python's int() digit limit.
_PAX_NUMBER_MAX = (1 << 63) - 1
_PAX_NUMBER_DIGITS = 19
_PAX_PATHS = ("path", "linkpath")


def _show(name: str, limit: int = 120) -> str:
    """A member name for messages: quoted, and shortened when hostile input made it huge."""
    return repr(name if len(name) <= limit else name[:limit] + "...")


class TarMember(NamedTuple):
    """One file-system entry of the archive, as written (names not yet normalised)."""

    name: str
    typeflag: bytes
    mode: int
    uid: int
    gid: int
    mtime: int
    size: int
    """Bytes of data stored after the header (0 for header-only types)."""
    linkname: str
    offset: int
    """Offset of the member's first header in the stream, for messages."""
    sparse: bool = False
    """A GNU sparse file: its data is skipped, never returned."""
    real_size: int | None = None
    """Size of a sparse file once expanded, when the archive says."""

    @property
    def has_data(self) -> bool:
        """True when `TarReader.read` returns this member's contents."""
        return self.size > 0 and not self.sparse and self.typeflag in REGULAR_TYPES


class TarReader:
    """Iterates the members of one tar stream and reads the current member's data.

    `where` names the stream in every error and problem (e.g. "layer 2 sha256:ab12...").
    Problems that spoil one member but leave the stream usable are appended to
    `problems`; anything that makes the rest of the stream unreadable raises
    `InputError` (or `LimitExceededError`).
    """

    def __init__(
        self, stream: BinaryIO, where: str, limits: Limits, problems: list[Problem]
    ) -> None:
        self.where = where
        self.problems = problems
        self._stream = stream
        self._skip_ahead: Callable[[int], int] | None = getattr(stream, "skip_bytes", None)
        """A stream that can pass over bytes unread (a plain local blob) says so by this method."""
        self._chunk = CHUNK if self._skip_ahead is None else SKIPPING_CHUNK
        self._read_back: Callable[[int, int], bytes] | None = getattr(stream, "read_at", None)
        """A stream that can read earlier bytes again (a plain local blob) has this method."""
        self._limits = limits
        self._max_entries = limits.max_layer_entries
        self._buf = b""
        self._pos = 0
        self._consumed = 0
        """Stream bytes before `_buf[0]`."""
        self._remaining = 0
        """Data bytes of the current member not yet read or skipped."""
        self._padding = 0
        self._current: TarMember | None = None
        self.serial = 0
        """Incremented whenever the reader moves past a member; readers compare it."""
        self.entries = 0
        self.finished = False

    def _too_many_entries(self) -> LimitExceededError:
        """The error for an archive past `max_layer_entries` (the comparison stays inline:
        it runs once per member)."""
        return LimitExceededError(
            f"{self.where}: more than {self._max_entries} entries",
            "max_layer_entries",
            self._max_entries,
        )

    # -- public ---------------------------------------------------------------------------

    @property
    def bytes_read(self) -> int:
        """Bytes consumed from the stream so far (the whole tar once `finished`)."""
        return self._consumed + self._pos

    @property
    def random_access(self) -> bool:
        """True when `read_at` can read earlier member data again."""
        return self._read_back is not None

    def read_at(self, offset: int, size: int) -> bytes:
        """`size` bytes at `offset` of the stream, read again (`random_access` streams only).

        For data already passed: `offset` and `size` are those of a member's
        data, as `bytes_read` was when the member was returned.
        """
        if self._read_back is None:
            raise ValueError(f"{self.where}: the stream cannot be read again")
        if offset < 0 or size < 0 or offset + size > self.bytes_read:
            raise ValueError(f"{self.where}: bytes {offset}+{size} were not read yet")
        data = self._read_back(offset, size)
        if len(data) != size:
            raise InputError(
                f"{self.where}: the tar stream ended inside member data at byte "
                f"{offset + len(data)} when read again; the layer is incomplete or corrupt"
            )
        return data

    def __iter__(self) -> Iterator[TarMember]:
        while True:
            member = self._next()
            if member is None:
                return
            yield member

    def read(self, size: int = -1) -> bytes:
        """Read up to `size` bytes (all remaining if negative) of the current member's data."""
        remaining = self._remaining
        if size < 0 or size > remaining:
            size = remaining
        if size == 0:
            return b""
        buf, pos = self._buf, self._pos
        avail = len(buf) - pos
        if avail >= size:
            self._pos = pos + size
            self._remaining = remaining - size
            return buf[pos : pos + size]
        parts = [buf[pos:]] if avail else []
        need = size - avail
        self._consumed += len(buf)
        self._buf, self._pos = b"", 0
        while need > 0:
            if need >= self._chunk:
                # Large reads go straight from the stream: no copy through the buffer.
                data = self._stream.read(min(need, _MAX_DIRECT_READ))
                if not data:
                    self._truncated("member data")
                self._consumed += len(data)
                self._check_layer_bytes()
                parts.append(data)
                need -= len(data)
            else:
                if not self._fill(need):
                    self._truncated("member data")
                take = need
                parts.append(self._buf[:take])
                self._pos = take
                need -= take
        self._remaining = remaining - size
        return b"".join(parts)

    # -- buffer ---------------------------------------------------------------------------

    def _fill(self, need: int) -> bool:
        """Make `need` bytes available at `_pos`; False if the stream ends first."""
        avail = len(self._buf) - self._pos
        if avail >= need:
            return True
        parts = [self._buf[self._pos :]] if avail else []
        self._consumed += self._pos
        while avail < need:
            # With a leftover to join, read only what is missing so the join stays
            # small; the next fill starts an empty buffer with a whole chunk.
            data = self._stream.read(need - avail if parts else max(self._chunk, need))
            if not data:
                self._buf, self._pos = b"".join(parts), 0
                return False
            parts.append(data)
            avail += len(data)
        self._buf, self._pos = b"".join(parts), 0
        self._check_layer_bytes()
        return True

    def _check_layer_bytes(self) -> None:
        if self._consumed + len(self._buf) > self._limits.max_layer_bytes:
            raise LimitExceededError(
                f"{self.where}: the uncompressed layer",
                "max_layer_bytes",
                self._limits.max_layer_bytes,
            )

    def _skip(self, count: int) -> None:
        avail = len(self._buf) - self._pos
        if avail >= count:
            self._pos += count
            return
        count -= avail
        self._consumed += len(self._buf)
        self._buf, self._pos = b"", 0
        if self._skip_ahead is not None:
            skipped = self._skip_ahead(count)
            self._consumed += skipped
            if skipped < count:
                self._truncated("member data")
            self._check_layer_bytes()
            return
        while count > 0:
            data = self._stream.read(min(count, CHUNK))
            if not data:
                self._truncated("member data")
            self._consumed += len(data)
            count -= len(data)
        self._check_layer_bytes()

    def _block(self) -> bytes | None:
        """The next 512-byte block, or None at a clean end of stream."""
        if not self._fill(BLOCK):
            if len(self._buf) - self._pos:
                self._truncated("a header")
            return None
        pos = self._pos
        self._pos = pos + BLOCK
        return self._buf[pos : pos + BLOCK]

    def _truncated(self, inside: str) -> NoReturn:
        member = f" (member {_show(self._current.name)})" if self._current else ""
        raise InputError(
            f"{self.where}: the tar stream is truncated inside {inside} at byte "
            f"{self.bytes_read}{member}; the layer is incomplete or corrupt"
        )

    def _drain(self) -> None:
        """Read the stream to its end so the source verifies the layer's digest."""
        self._consumed += len(self._buf)
        self._buf, self._pos = b"", 0
        if self._skip_ahead is not None:
            # Up to one byte past the limit, so an over-long tail still trips it.
            self._consumed += self._skip_ahead(self._limits.max_layer_bytes + 1 - self._consumed)
            self._check_layer_bytes()
            return
        while True:
            data = self._stream.read(CHUNK)
            if not data:
                break
            self._consumed += len(data)
            self._check_layer_bytes()

    # -- headers --------------------------------------------------------------------------

    def _next(self) -> TarMember | None:
        if self.finished:
            return None
        self.serial += 1
        skip = self._remaining + self._padding
        if skip:
            self._remaining = self._padding = 0
            if len(self._buf) - self._pos >= skip:
                self._pos += skip  # inline fast path of _skip()
            else:
                self._skip(skip)
        self._current = None
        buf, pos = self._buf, self._pos
        if len(buf) - pos < BLOCK and self._fill(BLOCK):
            buf, pos = self._buf, self._pos  # a header across the end of a chunk
        if len(buf) - pos >= BLOCK:
            member = self._plain_member(buf[pos : pos + BLOCK], pos)
            if member is not None:
                return member
        return self._member_after_meta()

    def _plain_member(self, block: bytes, pos: int) -> TarMember | None:
        """The member whose header is `block` (at `pos` in the buffer), read in one go.

        The common case, specialised: one header with no meta header before it,
        plain octal numbers and a checksum that matches. Anything else returns
        None with nothing consumed, and `_member_after_meta` reads it the
        general way (raising or recording what is wrong), so both give the same
        member for the headers this one accepts.
        """
        typeflag = block[156:157]
        numbers = block[100:156]
        if typeflag in _META_OR_SPARSE or numbers.translate(None, _OCTAL_FIELD_BYTES):
            return None
        # Only octal digits, spaces and NULs: with each NUL read as a space, int()
        # takes a field written as digits between blanks and raises on anything
        # else (blanks inside, or no digits), which the general path handles.
        mode, uid, gid, size, mtime, checksum = _NUMERIC_FIELDS.unpack(
            numbers.translate(_NUL_AS_SPACE)
        )
        try:
            stored = int(checksum, 8)
            size_value = int(size, 8)
            mode_value = int(mode, 8)
            uid_value = int(uid, 8)
            gid_value = int(gid, 8)
            mtime_value = int(mtime, 8)
        except ValueError:
            return None
        # The checksum is the sum of the header bytes with its own field read as
        # spaces (POSIX ustar); see _byte_sum (each slice is at most 256 bytes).
        if stored != (
            (adler32(block[:148]) & 0xFFFF)
            + (adler32(block[156:400]) & 0xFFFF)
            + (adler32(block[400:]) & 0xFFFF)
            + (8 * 32 - 3)
        ):
            return None  # a zero block, a signed checksum or a corrupt header
        end = block.find(0, 0, 100)
        name = block[: end if end >= 0 else 100]
        if block[345] and block[257:265] == b"ustar\x0000":
            end = block.find(0, 345, 500)
            name = block[345 : end if end >= 0 else 500] + b"/" + name
        text_name = name.decode("utf-8", "surrogateescape")
        linkname = ""
        if block[157]:
            end = block.find(0, 157, 257)
            linkname = block[157 : end if end >= 0 else 257].decode("utf-8", "surrogateescape")
        if typeflag in REGULAR_TYPES:
            if typeflag == b"\0" and text_name.endswith("/"):
                typeflag = DIRECTORY  # pre-POSIX tars mark directories by a trailing slash
                self._remaining, self._padding = 0, 0
                size_value = 0
            else:
                self._remaining, self._padding = size_value, -size_value % BLOCK
        elif typeflag in _HEADER_ONLY:
            size_value = 0
            self._remaining, self._padding = 0, 0
        else:
            # Data nobody may read (dumpdirs, unknown types) is just skipped.
            self._remaining, self._padding = 0, size_value + (-size_value % BLOCK)
        offset = self._consumed + pos
        self._pos = pos + BLOCK
        self.entries += 1
        if self.entries > self._max_entries:
            raise self._too_many_entries()
        member: TarMember = _new_tuple(
            TarMember,
            (
                text_name,
                typeflag,
                mode_value & 0o7777,
                uid_value,
                gid_value,
                mtime_value,
                size_value,
                linkname,
                offset,
                False,
                None,
            ),
        )
        self._current = member
        return member

    def _member_after_meta(self) -> TarMember | None:
        """The next member the general way: meta headers, odd numbers, the end of the archive."""
        long_name: str | None = None
        long_link: str | None = None
        pax: dict[str, str] | None = None
        meta_bytes = 0
        while True:
            pos = self._pos
            offset = self._consumed + pos
            if len(self._buf) - pos >= BLOCK:  # inline fast path of _block()
                block: bytes | None = self._buf[pos : pos + BLOCK]
                self._pos = pos + BLOCK
            else:
                block = self._block()
            if block is None:
                # EOF without the end-of-archive marker: Go's archive/tar accepts it too.
                if long_name is not None or long_link is not None or pax:
                    self._truncated("a meta header's member")
                self.finished = True
                return None
            if block == _ZERO_BLOCK:
                self._end_of_archive(offset)
                return None
            typeflag, size, fields = self._parse_header(block, offset)
            if typeflag in _META_TYPES:
                meta_bytes += size
                if meta_bytes > self._limits.max_meta_header_bytes:
                    raise LimitExceededError(
                        f"{self.where}: a meta header of {meta_bytes} bytes at byte {offset}",
                        "max_meta_header_bytes",
                        self._limits.max_meta_header_bytes,
                    )
                data = self._meta_data(size)
                if typeflag == _GNU_LONGNAME:
                    long_name = _decode(data.split(b"\0", 1)[0])
                elif typeflag == _GNU_LONGLINK:
                    long_link = _decode(data.split(b"\0", 1)[0])
                elif typeflag == _PAX_LOCAL:
                    if pax is None:
                        pax = {}
                    pax.update(self._parse_pax(data, offset))
                else:
                    self._global_pax(self._parse_pax(data, offset), offset)
                continue
            return self._member(block, typeflag, size, fields, offset, long_name, long_link, pax)

    def _end_of_archive(self, offset: int) -> None:
        """A zero block: the end marker is two of them, or one then the end of the stream."""
        second = self._block()
        if second is not None and second != _ZERO_BLOCK:
            # Go's archive/tar refuses such a stream; we keep what came before.
            self.problems.append(
                Problem(
                    self.where,
                    f"a zero block at byte {offset} is followed by more data; "
                    "the rest of the layer was ignored as a runtime would refuse it",
                )
            )
        self.finished = True
        self._drain()

    def _meta_data(self, size: int) -> bytes:
        if not self._fill(size):
            self._truncated("a meta header")
        data = self._buf[self._pos : self._pos + size]
        self._pos += size
        self._skip(-size % BLOCK)
        return data

    def _parse_header(self, block: bytes, offset: int) -> tuple[bytes, int, tuple[int, ...]]:
        """Verify the checksum and return typeflag, data size and (mode, uid, gid, mtime)."""
        # The checksum is the sum of the header bytes with its own field read as
        # spaces (POSIX ustar); some old writers summed signed bytes.
        unsigned = (
            (adler32(block[:148]) & 0xFFFF)
            + (adler32(block[156:400]) & 0xFFFF)
            + (adler32(block[400:]) & 0xFFFF)
            + (8 * 32 - 3)
        )  # see _byte_sum: each slice is at most 256 bytes, so each sum is exact
        fields: tuple[int, ...] | None = None
        if not block[100:156].translate(None, _OCTAL_FIELD_BYTES):
            # Fast path: every numeric field is plain octal (the common case); int()
            # raises on a space or NUL inside a field, which the slow path reports.
            mode, uid, gid, size, mtime, checksum = _NUMERIC_FIELDS.unpack_from(block, 100)
            try:
                fields = (
                    int(checksum.strip(b" \0") or b"0", 8),
                    int(size.strip(b" \0") or b"0", 8),
                    int(mode.strip(b" \0") or b"0", 8),
                    int(uid.strip(b" \0") or b"0", 8),
                    int(gid.strip(b" \0") or b"0", 8),
                    int(mtime.strip(b" \0") or b"0", 8),
                )
            except ValueError:
                fields = None
        if fields is None:
            fields = (
                self._octal(block[148:156], "checksum", offset),
                self._number(block[124:136], "size", offset),
                self._number(block[100:108], "mode", offset),
                self._number(block[108:116], "uid", offset),
                self._number(block[116:124], "gid", offset),
                self._number(block[136:148], "mtime", offset),
            )
        stored = fields[0]
        if stored != unsigned:
            signed = unsigned - 256 * sum(1 for b in block if b > 127)
            signed += 256 * sum(1 for b in block[148:156] if b > 127)
            if stored != signed:
                raise InputError(
                    f"{self.where}: bad tar header checksum at byte {offset} "
                    f"(stored {stored}, computed {unsigned}); the layer is corrupt"
                )
        return block[156:157], fields[1], fields[2:]

    def _member(
        self,
        block: bytes,
        typeflag: bytes,
        size: int,
        fields: tuple[int, ...],
        offset: int,
        long_name: str | None,
        long_link: str | None,
        pax: dict[str, str] | None,
    ) -> TarMember:
        end = block.find(0, 0, 100)
        name = block[: end if end >= 0 else 100]
        if block[345] and block[257:265] == b"ustar\x0000":
            # POSIX ustar: a non-empty prefix is joined to the name with a slash.
            end = block.find(0, 345, 500)
            name = block[345 : end if end >= 0 else 500] + b"/" + name
        mode, uid, gid, mtime = fields
        text_name = name.decode("utf-8", "surrogateescape")
        linkname = ""
        if block[157]:
            end = block.find(0, 157, 257)
            linkname = block[157 : end if end >= 0 else 257].decode("utf-8", "surrogateescape")
        if pax:
            text_name = pax.get("path", text_name)
            linkname = pax.get("linkpath", linkname)
            if "size" in pax:
                size = int(pax["size"])
            if "uid" in pax:
                uid = int(pax["uid"])
            if "gid" in pax:
                gid = int(pax["gid"])
            if "mtime" in pax:
                mtime = _pax_time(pax["mtime"])
        if long_name is not None:
            text_name = long_name
        if long_link is not None:
            linkname = long_link
        sparse = False
        real_size: int | None = None
        if typeflag == GNU_SPARSE:
            sparse = True
            real_size = self._number(block[483:495], "realsize", offset)
            if block[482]:
                self._skip_sparse_extensions(offset)
        elif pax and any(key.startswith("GNU.sparse.") for key in pax):
            # PAX sparse formats 0.0, 0.1 and 1.0 (GNU tar manual, "Sparse Formats").
            sparse = True
            text_name = pax.get("GNU.sparse.name", text_name)
            real = pax.get("GNU.sparse.realsize", pax.get("GNU.sparse.size"))
            real_size = None if real is None else _pax_number(real)
        if typeflag == b"\0" and text_name.endswith("/"):
            typeflag = DIRECTORY  # pre-POSIX tars mark directories by a trailing slash
        data_size = 0 if typeflag in _HEADER_ONLY else size
        if sparse or typeflag not in REGULAR_TYPES:
            # Data nobody may read (sparse maps, dumpdirs, unknown types) is just skipped.
            self._remaining, self._padding = 0, data_size + (-data_size % BLOCK)
        else:
            self._remaining, self._padding = data_size, -data_size % BLOCK
        self.entries += 1
        if self.entries > self._max_entries:
            raise self._too_many_entries()
        # tuple.__new__ skips the named tuple's Python-level constructor (hot path).
        member: TarMember = _new_tuple(
            TarMember,
            (
                text_name,
                typeflag,
                mode & 0o7777,
                uid,
                gid,
                mtime,
                data_size,
                linkname,
                offset,
                sparse,
                real_size,
            ),
        )
        self._current = member
        if sparse:
            self.problems.append(
                Problem(
                    f"{self.where} member {_show(text_name)}",
                    "sparse file: its contents were not read",
                )
            )
        return member

    def _skip_sparse_extensions(self, offset: int) -> None:
        """Old GNU sparse headers chain extension blocks, each flagging the next at byte 504."""
        extensions = 0
        while True:
            block = self._block()
            if block is None:
                self._truncated("a sparse header")
            extensions += 1
            if extensions * BLOCK > self._limits.max_meta_header_bytes:
                raise LimitExceededError(
                    f"{self.where}: the sparse map at byte {offset}",
                    "max_meta_header_bytes",
                    self._limits.max_meta_header_bytes,
                )
            if not block[504]:
                return

    # -- numbers and PAX records ----------------------------------------------------------

    def _octal(self, field: bytes, what: str, offset: int) -> int:
        digits = field.split(b"\0", 1)[0].strip(b" ")
        if not digits:
            return 0
        if digits.translate(None, _OCTAL_DIGITS):
            raise InputError(
                f"{self.where}: the tar header at byte {offset} has an invalid {what} "
                f"field {field!r}; the layer is corrupt"
            )
        return int(digits, 8)

    def _number(self, field: bytes, what: str, offset: int) -> int:
        """An octal number, or GNU base-256 when the first byte's high bit is set."""
        first = field[0]
        if first & 0x80:
            if first == 0xFF:
                raise InputError(
                    f"{self.where}: the tar header at byte {offset} has a negative {what}"
                )
            return int.from_bytes(bytes((first & 0x7F,)) + field[1:], "big")
        return self._octal(field, what, offset)

    def _parse_pax(self, data: bytes, offset: int) -> dict[str, str]:
        """PAX records are `LENGTH key=value\\n`, LENGTH counting the whole record."""
        records: dict[str, str] = {}
        pos, end = 0, len(data)
        while pos < end:
            if data[pos] == 0:
                break  # some writers pad the record area with NULs
            space = data.find(b" ", pos, min(end, pos + 20))
            length_text = data[pos:space] if space > pos else b""
            if not length_text or length_text.translate(None, _DECIMAL_DIGITS):
                self._bad_pax(offset, "a record without a valid length")
            length = int(length_text)
            record_end = pos + length
            if record_end > end or length <= len(length_text) + 1 or data[record_end - 1] != 10:
                self._bad_pax(offset, "a record whose length does not match")
            key, eq, value = data[space + 1 : record_end - 1].partition(b"=")
            if not eq or not key:
                self._bad_pax(offset, "a record without key=value")
            text_key = _decode(key)
            text_value = _decode(value)
            if text_key in _PAX_PATHS and "\0" in text_value:
                self._bad_pax(offset, f"a NUL byte in {text_key}")
            if text_key in _PAX_NUMERIC and _pax_number(text_value) is None:
                self._bad_pax(offset, f"an invalid {text_key} {text_value[:40]!r}")
            if text_key == "mtime":
                _pax_time(text_value, lambda: self._bad_pax(offset, "an invalid mtime"))
            records[text_key] = text_value
            pos = record_end
        return records

    def _bad_pax(self, offset: int, what: str) -> NoReturn:
        raise InputError(
            f"{self.where}: the PAX header at byte {offset} has {what}; the layer is corrupt"
        )

    def _global_pax(self, records: dict[str, str], offset: int) -> None:
        # containerd and moby ignore PAX global headers ("found and ignored"), so a
        # runtime extracts each member under its own header; we do the same and
        # say so when the global header would have renamed or resized members.
        applied = sorted(key for key in records if key in (*_PAX_PATHS, *_PAX_NUMERIC, "mtime"))
        if applied:
            self.problems.append(
                Problem(
                    self.where,
                    f"the PAX global header at byte {offset} sets {', '.join(applied)}; "
                    "ignored as container runtimes do",
                )
            )


_new_tuple = tuple.__new__


def _byte_sum(data: bytes) -> int:
    """The sum of the bytes of `data` (at most 512), computed in C.

    Adler-32's low half is 1 + the byte sum modulo 65521; slices of 256 bytes
    sum to at most 65280, so each slice's sum is exact. Much faster than sum().
    """
    total = 0
    for start in range(0, len(data), 256):
        total += (adler32(data[start : start + 256]) & 0xFFFF) - 1
    return total


def _decode(raw: bytes) -> str:
    # surrogateescape keeps non-UTF-8 names distinct and reversible.
    return raw.decode("utf-8", "surrogateescape")


def _pax_number(value: str) -> int | None:
    """A PAX decimal number that fits an int64 (as Go reads it), or None."""
    if not value or len(value) > _PAX_NUMBER_DIGITS or not value.isascii():
        return None
    if not value.isdigit():
        return None
    number = int(value)
    return number if number <= _PAX_NUMBER_MAX else None


def _pax_time(value: str, on_error: Callable[[], None] | None = None) -> int:
    """Whole seconds of a PAX time (`[-]digits[.digits]`), rounded towards minus infinity."""
    whole, _, fraction = value.partition(".")
    negative = whole.startswith("-")
    digits = whole[1:] if negative else whole
    valid = (
        digits.isascii()
        and digits.isdigit()
        and len(digits) <= 20
        and (not fraction or (fraction.isascii() and fraction.isdigit()))
    )
    if not valid:
        if on_error is not None:
            on_error()
        return 0
    seconds = int(digits)
    if negative:
        seconds = -seconds - (1 if fraction.strip("0") else 0)
    return seconds
