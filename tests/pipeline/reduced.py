"""What the layer cache holds after a scan: each reduced layer's regular files."""

import io
import tarfile
from pathlib import Path

from seawall.pipeline.layercache import LayerCache


def reduced_members(cache: Path) -> dict[str, bytes]:
    """Path → bytes of every regular file of every reduced layer in `cache`."""
    members: dict[str, bytes] = {}
    layers = LayerCache(cache)
    for entry in sorted((cache / "layers").iterdir()):
        reduced = layers.load(entry.name.removesuffix(".layer"))
        assert reduced is not None
        with tarfile.open(fileobj=io.BytesIO(reduced.tar)) as tar:
            for member in tar.getmembers():
                extracted = tar.extractfile(member) if member.isfile() else None
                if extracted is not None:
                    members[member.name] = extracted.read()
    return members
