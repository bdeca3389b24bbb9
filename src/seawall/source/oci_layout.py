"""oci-dir and oci-archive: OCI image layouts (image-spec image-layout.md), read in place.

A layout holds `oci-layout`, `index.json` and `blobs/<alg>/<hex>`. The image
is chosen by its `org.opencontainers.image.ref.name` annotation (the TAG of
`oci-dir:PATH:TAG`), then (nested) indexes are followed to the platform asked
for. Blob paths are built only from validated digests, and in a directory a
blob that resolves outside the layout (a symlink planted in `blobs/`) is
refused, so nothing outside the layout is ever opened.
"""

import dataclasses
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from seawall.model.image import Layer, SourceKind
from seawall.source.archive import TarArchive
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.digest import parse_digest
from seawall.source.errors import (
    BlobNotFoundError,
    ImageNotFoundError,
    MalformedDocumentError,
    UnsafeArchiveError,
    shown,
)
from seawall.source.layerstream import StoredLayer, open_stored_layer
from seawall.source.localblob import LocalBlob
from seawall.source.manifest import Descriptor, ImageIndex, load_object, parse_index, read_bounded
from seawall.source.platform import available_platforms, candidates, choose_manifest
from seawall.source.resolve import describe_image, resolve_image

REF_NAME = "org.opencontainers.image.ref.name"


class _DirectoryStore:
    """Blobs and top files of a layout directory."""

    def __init__(self, root: Path, what: str) -> None:
        self.what = what
        try:
            self.root = root.resolve(strict=True)
        except OSError:
            raise MalformedDocumentError(f"{what}: no such directory") from None

    def open(self, name: str) -> BinaryIO:
        return open(self._file(name), "rb")

    def locate(self, name: str) -> LocalBlob:
        real = self._file(name)
        return LocalBlob(real, 0, real.stat().st_size)

    def _file(self, name: str) -> Path:
        """The regular file `name` names inside the layout (links followed, never out of it)."""
        path = self.root / name
        try:
            real = path.resolve(strict=True)
        except OSError:
            raise BlobNotFoundError(f"{self.what}: {name} is missing") from None
        except RuntimeError:  # pathlib's answer to a symbolic link loop (Python < 3.13)
            raise UnsafeArchiveError(
                f"{self.what}: {name} is a symbolic link loop; refusing it"
            ) from None
        if not real.is_relative_to(self.root):
            raise UnsafeArchiveError(f"{self.what}: {name} links outside the layout; refusing it")
        if not real.is_file():
            raise BlobNotFoundError(f"{self.what}: {name} is not a regular file")
        return real

    def has(self, name: str) -> bool:
        return (self.root / name).is_file()


class _ArchiveStore:
    """Blobs and top files of a layout inside a tar (oci-archive)."""

    def __init__(self, archive: TarArchive) -> None:
        self.archive = archive
        self.what = archive.what

    def open(self, name: str) -> BinaryIO:
        return self.archive.open_member(name)

    def locate(self, name: str) -> LocalBlob:
        return self.archive.locate(name)

    def has(self, name: str) -> bool:
        try:
            self.archive.resolve(name)
        except BlobNotFoundError:
            return False
        return True


_Store = _DirectoryStore | _ArchiveStore


def _blob_name(digest: str, *, what: str) -> str:
    parsed = parse_digest(digest, what=what)
    return f"blobs/{parsed.algorithm}/{parsed.hex}"


def _choose_entry(index: ImageIndex, tag: str | None, *, what: str) -> Descriptor | None:
    """The index.json entry for `tag`; None means "index.json itself is the platform index"."""
    entries = candidates(index)
    tags = [entry.annotation(REF_NAME) for entry in entries]
    listed = ", ".join(sorted({shown(t) for t in tags if t})) or "(no tags)"
    if tag is not None:
        for entry, name in zip(entries, tags, strict=True):
            if name == tag:
                return entry
        raise ImageNotFoundError(f"{what}: no image tagged {tag!r}; the layout holds: {listed}")
    if len(entries) == 1:
        return entries[0]
    if entries and not any(tags) and all(entry.platform is not None for entry in entries):
        return None
    raise ImageNotFoundError(
        f"{what}: holds {len(entries)} images ({listed}); choose one with oci-dir:PATH:TAG"
    )


class OciLayoutSource(ImageSource):
    """One image of an OCI image layout, in a directory or a tar."""

    def __init__(
        self,
        store: _Store,
        kind: SourceKind,
        reference: str,
        tag: str | None,
        options: SourceOptions,
    ) -> None:
        self._store = store
        self._what = store.what
        self.options = options
        limits = options.limits
        what = self._what
        with store.open("oci-layout") as stream:
            layout = load_object(
                read_bounded(
                    stream,
                    limit=limits.max_manifest_bytes,
                    limit_name="max_manifest_bytes",
                    what=f"{what} oci-layout",
                ),
                what=f"{what} oci-layout",
            )
        version = layout.get("imageLayoutVersion")
        if not isinstance(version, str) or not version.startswith("1."):
            raise MalformedDocumentError(
                f"{what}: unsupported imageLayoutVersion {version!r}; expected 1.x"
            )
        with store.open("index.json") as stream:
            top_data = read_bounded(
                stream,
                limit=limits.max_manifest_bytes,
                limit_name="max_manifest_bytes",
                what=f"{what} index.json",
            )
        top = parse_index(top_data, what=f"{what} index.json")
        entry = _choose_entry(top, tag, what=what)
        if entry is None:
            entry = choose_manifest(top, options.platform, what=f"{what} index.json")
            resolved = resolve_image(
                self._open_blob, entry, platform=options.platform, limits=limits, what=what
            )
            resolved = dataclasses.replace(resolved, available_platforms=available_platforms(top))
        else:
            resolved = resolve_image(
                self._open_blob, entry, platform=options.platform, limits=limits, what=what
            )
        ref_name = entry.annotation(REF_NAME)
        image = describe_image(
            resolved,
            kind=kind,
            reference=reference,
            repo_tags=(ref_name,) if ref_name else (),
            what=what,
        )
        self.image = dataclasses.replace(image, layers=self._check_layers(image.layers))

    def _open_blob(self, descriptor: Descriptor) -> BinaryIO:
        name = _blob_name(descriptor.digest, what=self._what)
        try:
            return self._store.open(name)
        except BlobNotFoundError:
            raise BlobNotFoundError(
                f"{self._what}: the image points at blob {descriptor.digest} "
                f"({descriptor.media_type}), which the layout does not hold; export it again"
            ) from None

    def _check_layers(self, layers: tuple[Layer, ...]) -> tuple[Layer, ...]:
        """Every non-foreign layer's blob must be present; one with URLs may live only there."""
        checked = []
        for layer in layers:
            assert layer.digest is not None
            if not layer.foreign and not self._store.has(_blob_name(layer.digest, what=self._what)):
                if not layer.urls:
                    raise BlobNotFoundError(
                        f"{self._what}: layer {layer.index} ({layer.digest}) is missing from "
                        "the layout; export the image again"
                    )
                layer = dataclasses.replace(layer, foreign=True)
            checked.append(layer)
        return tuple(checked)

    def open_layer(self, layer: Layer) -> AbstractContextManager[BinaryIO]:
        return open_stored_layer(self._stored_layer(layer), self.options.limits, self._ahead)

    def _stored_layer(self, layer: Layer) -> StoredLayer:
        what = f"{self._what} layer {layer.index} ({layer.digest})"
        if layer.foreign:
            raise BlobNotFoundError(
                f"{what}: a foreign (non-distributable) layer is not in the layout; "
                f"it is only referenced at {', '.join(layer.urls) or 'no URL'}"
            )
        assert layer.digest is not None
        return StoredLayer(
            self._store.locate(_blob_name(layer.digest, what=what)),
            media_type=layer.media_type,
            digest=layer.digest,
            size=layer.size,
            diff_id=layer.diff_id,
            what=what,
        )

    def close(self) -> None:
        """Nothing stays open between reads: each blob is opened and closed by its reader."""


def open_oci_dir(path: Path, tag: str | None, options: SourceOptions) -> OciLayoutSource:
    """An image of the OCI layout directory `path`."""
    what = f"oci-dir {path}"
    if not path.is_dir():
        raise MalformedDocumentError(f"{what}: not a directory")
    reference = f"{path}:{tag}" if tag else str(path)
    return OciLayoutSource(_DirectoryStore(path, what), SourceKind.OCI_DIR, reference, tag, options)


def open_oci_archive(path: Path, tag: str | None, options: SourceOptions) -> OciLayoutSource:
    """An image of the oci-archive (a tar of an OCI layout) at `path`."""
    what = f"oci-archive {path}"
    archive = TarArchive.open(path, limits=options.limits, what=what)
    reference = f"{path}:{tag}" if tag else str(path)
    return OciLayoutSource(_ArchiveStore(archive), SourceKind.OCI_ARCHIVE, reference, tag, options)
