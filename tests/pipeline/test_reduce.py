"""Reducing a layer: the combined prefilter and the executable magic check change nothing."""

import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from seawall.limits import Limits
from seawall.model.image import Layer
from seawall.pipeline.reduce import ReducedLayer, Wants, reduce_layer
from seawall.pipeline.sbom import catalog_wants

ELF = Path("/bin/ls").read_bytes()
MEMBERS = {
    "usr/bin/ls": ELF,
    "usr/bin/script": b"#!/bin/sh\necho hi\n",
    "usr/bin/tiny": b"\x7fEL",  # shorter than the magic
    "usr/bin/fake-elf": b"\x7fELF\x02\x01\x01" + b"\0" * 9,  # an ELF header, truncated
    "usr/local/bin/blob": b"MZ" + b"\0" * 30,  # a PE that is not one
    "var/lib/dpkg/status": b"Package: x\nStatus: install ok installed\nVersion: 1\n\n",
    "etc/os-release": b"ID=debian\nVERSION_ID=12\n",
    "srv/app/node_modules/a/package.json": b'{"name": "a", "version": "1.0.0"}',
    "srv/app/requirements.txt": b"requests==2.31.0\n",
    "srv/app/lib/x.jar": b"not a zip",
    "usr/share/doc/x/copyright": b"License: MIT\n",
    "usr/share/big/data": b"x" * 10_000,
}


def layer_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in MEMBERS.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            member.mode = 0o755
            tar.addfile(member, io.BytesIO(content))
        link = tarfile.TarInfo("usr/bin/ls-link")
        link.type = tarfile.LNKTYPE
        link.linkname = "usr/bin/ls"
        tar.addfile(link)
    return buffer.getvalue()


def reduce(wants: Wants) -> ReducedLayer:
    data = layer_tar()

    @contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    layer = Layer(0, "application/vnd.oci.image.layer.v1.tar", None, None, len(data))
    return reduce_layer(layer, opener, wants, Limits())


def test_prefilter_and_magic_check_give_the_same_reduced_layer() -> None:
    fast = catalog_wants()
    plain = Wants(content=fast.content, file_local=fast.file_local, context=fast.context)
    reduced = reduce(fast)
    assert reduced == reduce(plain)
    with tarfile.open(fileobj=io.BytesIO(reduced.tar)) as kept:
        names = {member.name: member.size for member in kept}
    # Scripts and non-executables in bin directories stay as empty placeholders.
    assert names["usr/bin/script"] == 0 and names["usr/bin/ls"] == 0
    assert "usr/share/big/data" not in names
    assert names["var/lib/dpkg/status"] > 0
    problems = {found.path: found.problems for found in reduced.findings}
    assert "/usr/bin/fake-elf" in problems  # malformed executables are still reported
