"""`seawall sbom`: the package inventory of an image, a directory or an SBOM document.

Each layer is read once and reduced to what the catalogers need; reduced
layers are cached under the layer's digest (see `layercache`), so a second
scan of an image, or of another image sharing its base layers, reads only the
layers it has not seen.

Start-up: a warm run (the image's inventory cached) needs the source, the
catalogers' declarations (their NAME:VERSION make the cache keys) and the
inventory cache, nothing more. Reducing layers, the file views, assembling
an inventory and reading SBOM documents are imported where they are used
(docs/architecture.md, "Start-up").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.catalog.registry import (
    CATALOGERS,
    EXECUTABLES_ONLY,
    FILE_LOCAL,
    RELEASE,
    path_hints,
)
from seawall.model.image import Image, Layer, LayerOpener, Platform, SourceKind
from seawall.model.package import Inventory
from seawall.pipeline.inventorycache import InventoryCache, inventory_key
from seawall.pipeline.layercache import layer_key
from seawall.source.base import DirectorySource, ImageSource, SourceOptions
from seawall.source.registry import open_source
from seawall.source.target import parse_target

if TYPE_CHECKING:
    from seawall.fs import DirectoryView
    from seawall.model.progress import ProgressTask
    from seawall.pipeline.inventory import Lookup
    from seawall.pipeline.layercache import LayerCache
    from seawall.pipeline.reduce import Reader, ReducedLayer, Wants

_CONTEXT = (RELEASE,)
"""Readers whose files are kept for the catalogers' context (os-release)."""


@dataclass(frozen=True, slots=True)
class SbomResult:
    """An inventory and the image (or directory) it describes."""

    image: Image | None
    inventory: Inventory
    layers_read: int = 0
    """Layers read from the source in this run (the rest came from the cache)."""


def catalog_wants() -> "Wants":
    """Every registered cataloger, split by how its inputs are kept."""
    from seawall.pipeline.reduce import Wants

    content = [c for c in CATALOGERS if c.NAME not in FILE_LOCAL]
    local = [c for c in CATALOGERS if c.NAME in FILE_LOCAL]
    return Wants(
        content=content,
        file_local=local,
        context=_CONTEXT,
        hints=path_hints(),
        executables_only=EXECUTABLES_ONLY,
    )


def cache_readers() -> "tuple[Reader, ...]":
    """The readers of `catalog_wants()` (its `readers`), without building its path index.

    Their NAME:VERSION make the layer cache keys, which a warm run needs
    before it knows whether it reads any layer at all.
    """
    return (*_CONTEXT, *CATALOGERS)


def sbom(target: str, options: SourceOptions) -> SbomResult:
    """Catalog every package of `target` (any TARGET form, `sbom:PATH` included)."""
    parsed = parse_target(target, limits=options.limits)
    if parsed.kind is SourceKind.SBOM:
        from seawall.source.sbom import read_sbom

        assert parsed.path is not None
        inventory, image = read_sbom(parsed.path, options.limits)
        return SbomResult(image=image, inventory=inventory)
    with open_source(parsed, options) as source:
        if isinstance(source, DirectorySource):
            return _directory(source, options)
        image = source.image
        keys = [layer_key(layer, cache_readers(), options.limits) for layer in image.layers]
        whole = _inventory_key(keys, image.platform, options)
        inventories = InventoryCache(options.cache_dir)
        cached = inventories.load(whole) if whole is not None else None
        if cached is not None:
            return SbomResult(image=image, inventory=cached)
        inventory, read = _cold(source, keys, options)
        if whole is not None:
            inventories.store(whole, inventory)
        return SbomResult(image=image, inventory=inventory, layers_read=read)


def _directory(source: DirectorySource, options: SourceOptions) -> SbomResult:
    """A directory tree: read whole every time (its files have no digest to cache under)."""
    from seawall.fs import DirectoryView
    from seawall.pipeline.inventory import build_inventory
    from seawall.pipeline.reduce import reduce_directory

    wants = catalog_wants()
    view = DirectoryView(source.root, options.limits)
    reduced = reduce_directory(view, wants)
    inventory = build_inventory(
        [reduced], wants, options.limits, layered=False, fallback=_reader(view, wants)
    )
    return SbomResult(image=source.image, inventory=inventory)


def _inventory_key(
    keys: Sequence[str | None], platform: Platform | None, options: SourceOptions
) -> str | None:
    """None when some layer cannot be cached (no digest) or caching is off."""
    if options.cache_dir is None or any(key is None for key in keys):
        return None
    return inventory_key([key for key in keys if key is not None], platform)


def _reader(view: "DirectoryView", wants: "Wants") -> "Lookup":
    """Reads any file of a directory tree on demand, never following a link out of it."""
    from seawall.catalog.base import CatalogFile

    cap = max(reader.MAX_FILE_BYTES for reader in wants.content)

    def read(path: str) -> CatalogFile | None:
        resolved = view.tree.resolve_path(path)
        if resolved is None:
            return None
        content = view.read_files({None: [resolved]}, cap).get((None, resolved))
        return None if content is None else CatalogFile(path, content, None)

    return read


def _cold(
    source: ImageSource, keys: Sequence[str | None], options: SourceOptions
) -> tuple[Inventory, int]:
    """The inventory of an image whose inventory is not cached, and how many layers were read.

    Layers missing from the layer cache are read in parallel (`layerpool`),
    while their digests are checked by child processes started before any of
    them is read (`ImageSource.verify_ahead`): the inventory is assembled as
    the hashing finishes, and nothing read is kept in the cache or returned
    before every digest has been confirmed. When assembling fails, the digests
    are checked first, so a layer that is not what the image says is the error
    reported (as when each reader waited for its own layer's digest).
    """
    from seawall.pipeline.inventory import build_inventory
    from seawall.pipeline.layercache import LayerCache
    from seawall.pipeline.layerpool import usable_cores

    image = source.image
    wants = catalog_wants()
    cache = LayerCache(options.cache_dir)
    reduced, missing = _cached_layers(source, keys, cache)
    waiting = [layer for layer, _opener in missing]
    with source.verify_ahead(waiting, processes=usable_cores()) as ahead:
        progress = options.progress.task("Cataloging layers", total=len(image.layers))
        try:
            progress.advance(len(reduced))
            # Local sources open a fresh file handle per layer; a registry source
            # shares connections, which forked readers must not use.
            local = image.source_kind is not SourceKind.REGISTRY
            fresh = _read_layers(missing, wants, options, progress, fork_safe=local)
        finally:
            progress.close()
        reduced.update(fresh)
        try:
            inventory = build_inventory(
                [reduced[layer.index] for layer in image.layers],
                wants,
                options.limits,
                layered=True,
                platform=image.platform,
            )
        except Exception:
            ahead.check()
            raise
        ahead.check()
    for layer, key in zip(image.layers, keys, strict=True):
        if key is not None and layer.index in fresh:
            cache.store(key, fresh[layer.index])
    return inventory, len(missing)


def _cached_layers(
    source: ImageSource, keys: Sequence[str | None], cache: "LayerCache"
) -> "tuple[dict[int, ReducedLayer], list[tuple[Layer, LayerOpener]]]":
    """The layers the cache holds (and the foreign ones, which are never read) by index,
    and the others with their openers, bottom first. `keys` are in layer order."""
    openers = {layer.index: opener for layer, opener in source.layer_openers()}
    reduced: dict[int, ReducedLayer] = {}
    missing: list[tuple[Layer, LayerOpener]] = []
    for layer, key in zip(source.image.layers, keys, strict=True):
        opener = openers.get(layer.index)
        if opener is None:
            reduced[layer.index] = _foreign(layer)
        elif key is not None and (cached := cache.load(key)) is not None:
            reduced[layer.index] = cached
        else:
            missing.append((layer, opener))
    return reduced, missing


def _read_layers(
    missing: Sequence[tuple[Layer, LayerOpener]],
    wants: "Wants",
    options: SourceOptions,
    progress: "ProgressTask",
    *,
    fork_safe: bool,
) -> "dict[int, ReducedLayer]":
    """`missing` layers read and reduced, in parallel where it pays, by index."""
    from seawall.pipeline.layerpool import map_layers
    from seawall.pipeline.reduce import reduce_layer

    def work(layer: Layer, opener: LayerOpener) -> "ReducedLayer":
        return reduce_layer(layer, opener, wants, options.limits)

    fresh: dict[int, ReducedLayer] = {}
    for layer, reduced in map_layers(work, missing, fork_safe=fork_safe):
        fresh[layer.index] = reduced
        progress.advance(1)
    return fresh


def _foreign(layer: Layer) -> "ReducedLayer":
    """A non-distributable layer: not in the image, so not read; said so in the status."""
    from seawall.model.files import Problem
    from seawall.pipeline.reduce import ReducedLayer

    empty = b"\0" * 1024  # a tar holding nothing: just its end-of-archive marker
    problem = Problem(
        f"layer {layer.index} ({layer.digest})",
        "non-distributable (foreign) layer: its blob is not in the image; not cataloged",
    )
    return ReducedLayer(tar=empty, problems=(problem,))
