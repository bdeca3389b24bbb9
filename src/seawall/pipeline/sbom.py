"""`seawall sbom`: the package inventory of an image, a directory or an SBOM document.

Each layer is read once and reduced to what the catalogers need; reduced
layers are cached under the layer's digest (see `layercache`), so a second
scan of an image, or of another image sharing its base layers, reads only the
layers it has not seen.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from seawall.catalog.base import CatalogFile
from seawall.catalog.registry import CATALOGERS, EXECUTABLES_ONLY, FILE_LOCAL, HINTS, RELEASE
from seawall.fs import DirectoryView
from seawall.model.files import Problem
from seawall.model.image import Image, Layer, Platform, SourceKind
from seawall.model.package import Inventory
from seawall.pipeline.inventory import Lookup, build_inventory
from seawall.pipeline.inventorycache import InventoryCache, inventory_key
from seawall.pipeline.layercache import LayerCache, layer_key
from seawall.pipeline.reduce import ReducedLayer, Wants, reduce_directory, reduce_layer
from seawall.source.base import DirectorySource, ImageSource, SourceOptions
from seawall.source.registry import open_source
from seawall.source.sbom import read_sbom
from seawall.source.target import parse_target


@dataclass(frozen=True, slots=True)
class SbomResult:
    """An inventory and the image (or directory) it describes."""

    image: Image | None
    inventory: Inventory
    layers_read: int = 0
    """Layers read from the source in this run (the rest came from the cache)."""


def catalog_wants() -> Wants:
    """Every registered cataloger, split by how its inputs are kept."""
    content = [c for c in CATALOGERS if c.NAME not in FILE_LOCAL]
    local = [c for c in CATALOGERS if c.NAME in FILE_LOCAL]
    return Wants(
        content=content,
        file_local=local,
        context=[RELEASE],
        hints=HINTS,
        executables_only=EXECUTABLES_ONLY,
    )


def sbom(target: str, options: SourceOptions) -> SbomResult:
    """Catalog every package of `target` (any TARGET form, `sbom:PATH` included)."""
    parsed = parse_target(target, limits=options.limits)
    if parsed.kind is SourceKind.SBOM:
        assert parsed.path is not None
        inventory, image = read_sbom(parsed.path, options.limits)
        return SbomResult(image=image, inventory=inventory)
    wants = catalog_wants()
    with open_source(parsed, options) as source:
        if isinstance(source, DirectorySource):
            view = DirectoryView(source.root, options.limits)
            reduced = reduce_directory(view, wants)
            inventory = build_inventory(
                [reduced], wants, options.limits, layered=False, fallback=_reader(view, wants)
            )
            return SbomResult(image=source.image, inventory=inventory)
        image = source.image
        keys = [layer_key(layer, wants.readers, options.limits) for layer in image.layers]
        whole = _inventory_key(keys, image.platform, options)
        inventories = InventoryCache(options.cache_dir)
        cached = inventories.load(whole) if whole is not None else None
        if cached is not None:
            return SbomResult(image=image, inventory=cached)
        layers, read = _reduced_layers(source, keys, wants, options)
        inventory = build_inventory(
            layers, wants, options.limits, layered=True, platform=image.platform
        )
        if whole is not None:
            inventories.store(whole, inventory)
        return SbomResult(image=image, inventory=inventory, layers_read=read)


def _inventory_key(
    keys: Sequence[str | None], platform: Platform | None, options: SourceOptions
) -> str | None:
    """None when some layer cannot be cached (no digest) or caching is off."""
    if options.cache_dir is None or any(key is None for key in keys):
        return None
    return inventory_key([key for key in keys if key is not None], platform)


def _reader(view: DirectoryView, wants: Wants) -> Lookup:
    """Reads any file of a directory tree on demand, never following a link out of it."""
    cap = max(reader.MAX_FILE_BYTES for reader in wants.content)

    def read(path: str) -> CatalogFile | None:
        resolved = view.tree.resolve_path(path)
        if resolved is None:
            return None
        content = view.read_files({None: [resolved]}, cap).get((None, resolved))
        return None if content is None else CatalogFile(path, content, None)

    return read


def _reduced_layers(
    source: ImageSource, keys: Sequence[str | None], wants: Wants, options: SourceOptions
) -> tuple[list[ReducedLayer], int]:
    """Every layer reduced, bottom first, from the cache where it holds them.

    `keys` are the layers' cache keys (None: not cacheable), in layer order.
    """
    cache = LayerCache(options.cache_dir)
    openers = {layer.index: opener for layer, opener in source.layer_openers()}
    progress = options.progress.task("Cataloging layers", total=len(source.image.layers))
    reduced: list[ReducedLayer] = []
    read = 0
    try:
        for layer, key in zip(source.image.layers, keys, strict=True):
            opener = openers.get(layer.index)
            if opener is None:
                reduced.append(_foreign(layer))
            else:
                cached = cache.load(key) if key is not None else None
                if cached is None:
                    cached = reduce_layer(layer, opener, wants, options.limits)
                    read += 1
                    if key is not None:
                        cache.store(key, cached)
                reduced.append(cached)
            progress.advance(1)
    finally:
        progress.close()
    return reduced, read


def _foreign(layer: Layer) -> ReducedLayer:
    """A non-distributable layer: not in the image, so not read; said so in the status."""
    empty = b"\0" * 1024  # a tar holding nothing: just its end-of-archive marker
    problem = Problem(
        f"layer {layer.index} ({layer.digest})",
        "non-distributable (foreign) layer: its blob is not in the image; not cataloged",
    )
    return ReducedLayer(tar=empty, problems=(problem,))
