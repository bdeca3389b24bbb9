"""The images the registry fixtures push, and how to find them again."""

from dataclasses import dataclass
from pathlib import Path

from tests.support.imagebuild import BuiltImage, BuiltIndex
from tests.support.registry import Registry


@dataclass(frozen=True)
class PushedImages:
    """The images every registry holds, and the layout they were pushed from."""

    layout: Path
    single: BuiltImage
    """`app:v1`: an OCI image with two gzip layers."""
    multi: BuiltIndex
    """`multi:v1`: an index of linux/amd64 and linux/arm64/v8 (zstd layers), with attestations."""
    docker: BuiltImage
    """`docker:v1`: a docker v2.2 image with a gzip and an uncompressed layer."""

    def push_all(self, registry: Registry) -> None:
        registry.push(self.layout, "single", "app:v1")
        registry.push(self.layout, "multi", "multi:v1", all_platforms=True)
        registry.push_built(self.docker, "docker:v1", self.layout.parent)


def child(index: BuiltIndex, platform: str) -> BuiltImage:
    """The image of `index` built for `platform`."""
    for entry in index.children:
        if isinstance(entry, BuiltImage) and entry.platform == platform:
            return entry
    raise AssertionError(f"no {platform} image in the test index")
