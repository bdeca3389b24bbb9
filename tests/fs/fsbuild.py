"""Builds tar layer streams for the fs tests: normal ones with tarfile, hostile ones by hand."""

import io
import tarfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from seawall.model.image import Layer, LayerOpener

MTIME = 1_700_000_000


@dataclass(frozen=True)
class File:
    name: str
    data: bytes = b""
    mode: int = 0o644


@dataclass(frozen=True)
class Dir:
    name: str
    mode: int = 0o755


@dataclass(frozen=True)
class Symlink:
    name: str
    target: str


@dataclass(frozen=True)
class Hardlink:
    name: str
    target: str


def Whiteout(path: str) -> File:
    """The OCI marker deleting `path` from lower layers."""
    head, _, base = path.rpartition("/")
    return File(f"{head}/.wh.{base}" if head else f".wh.{base}")


def Opaque(directory: str) -> File:
    """The OCI marker making `directory` opaque."""
    return File(f"{directory}/.wh..wh..opq")


Member = File | Dir | Symlink | Hardlink


def tar_bytes(members: Iterable[Member], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """A real tar archive of `members`, as tarfile writes it."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.mtime = MTIME
            data: bytes | None = None
            if isinstance(member, File):
                info.size = len(member.data)
                info.mode = member.mode
                data = member.data
            elif isinstance(member, Dir):
                info.type = tarfile.DIRTYPE
                info.mode = member.mode
            elif isinstance(member, Symlink):
                info.type = tarfile.SYMTYPE
                info.linkname = member.target
            else:
                info.type = tarfile.LNKTYPE
                info.linkname = member.target
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def octal(value: int, width: int) -> bytes:
    return f"{value:0{width - 1}o}".encode() + b"\0"


def header(
    name: bytes,
    *,
    size: int = 0,
    typeflag: bytes = b"0",
    linkname: bytes = b"",
    mode: int = 0o644,
    size_field: bytes | None = None,
    prefix: bytes = b"",
    magic: bytes = b"ustar\x0000",
    checksum_delta: int = 0,
) -> bytes:
    """One raw 512-byte header; `size_field` and `checksum_delta` make hostile ones."""
    block = bytearray(512)
    block[0 : len(name)] = name
    block[100:108] = octal(mode, 8)
    block[108:116] = octal(0, 8)
    block[116:124] = octal(0, 8)
    block[124:136] = size_field if size_field is not None else octal(size, 12)
    block[136:148] = octal(MTIME, 12)
    block[156:157] = typeflag
    block[157 : 157 + len(linkname)] = linkname
    block[257:265] = magic
    block[345 : 345 + len(prefix)] = prefix
    block[148:156] = b"        "
    checksum = sum(block) + checksum_delta
    block[148:156] = f"{checksum:06o}".encode() + b"\0 "
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def member(name: bytes, data: bytes = b"", **fields: object) -> bytes:
    """A raw header and its padded data."""
    return header(name, size=len(data), **fields) + padded(data)  # type: ignore[arg-type]


def pax_record(key: str, value: str) -> bytes:
    body = f" {key}={value}\n".encode()
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode() + body


END = bytes(1024)


class CountingOpener:
    """An opener over fixed bytes that counts how often the layer was opened."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.opens = 0

    def __call__(self) -> BinaryIO:
        self.opens += 1
        return io.BytesIO(self.data)


def image_layers(*tars: bytes) -> list[tuple[Layer, LayerOpener]]:
    """(Layer, opener) pairs, bottom first, for tar streams given bottom first."""
    pairs: list[tuple[Layer, LayerOpener]] = []
    for index, data in enumerate(tars):
        layer = Layer(
            index=index,
            media_type="application/vnd.oci.image.layer.v1.tar",
            digest=f"sha256:{index:064x}",
            diff_id=f"sha256:{index:064x}",
            size=len(data),
        )
        pairs.append((layer, CountingOpener(data)))
    return pairs


def read_all(entries: Iterable[object], reader: Callable[[object], bytes]) -> list[bytes]:
    return [reader(entry) for entry in entries]


def layer_of(data: bytes, index: int = 0) -> tuple[Layer, LayerOpener]:
    return image_layers(*([b""] * index), data)[index]


def seq(*parts: bytes | Sequence[bytes]) -> bytes:
    out = bytearray()
    for part in parts:
        out += part if isinstance(part, bytes) else b"".join(part)
    return bytes(out)
