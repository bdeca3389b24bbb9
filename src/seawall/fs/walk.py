"""The image walk: every entry of every layer, read once, with its squashed visibility.

Layers are read top-down (last layer first) so that when an entry of layer i
is seen, everything the layers above did is already known. An entry is
visible unless a higher layer wrote the same path, whited it out (OCI image
spec layer.md "Whiteouts"), made an ancestor opaque, or replaced an ancestor
with a non-directory (overlayfs stops merging at a non-directory). A layer's
whiteouts apply to lower layers only, never to the layer itself, so what a
layer does is recorded as it is read and applied once the layer is finished.

The walk fills a `FileTree` of the squashed image and per-layer `LayerStats`.
`SquashedView` is the same walk restricted to visible entries.
"""

from collections.abc import Collection, Iterator, Mapping, Sequence

from seawall.errors import LimitExceededError
from seawall.fs.entry import Entry, LayerStats
from seawall.fs.layer import LayerReader, read_members
from seawall.fs.paths import MarkerKind, parent_of
from seawall.fs.tree import FileTree
from seawall.limits import Limits
from seawall.model.files import FileKind, Problem
from seawall.model.image import Layer, LayerOpener


class _Claims:
    """What the layers above the current one did to each path: the lowest such layer.

    `exact`: a layer wrote or whited out the path itself (hides it below).
    `subtree`: a layer whited the path out, wrote a non-directory there, or made
    the directory opaque (hides everything under it below).
    `implied`: a layer wrote something under the path, so it is a directory
    there (hides non-directories below).
    """

    __slots__ = ("exact", "implied", "subtree")

    def __init__(self) -> None:
        self.exact: dict[str, int] = {}
        self.subtree: dict[str, int] = {}
        self.implied: dict[str, int] = {}

    def merge(self, layer: "_Claims") -> None:
        # Layers are merged top-down, so a later merge is always a lower layer.
        self.exact.update(layer.exact)
        self.subtree.update(layer.subtree)
        self.implied.update(layer.implied)


class ImageWalk:
    """All entries of an image's layers, top layer first, each layer decompressed once.

    Iterate once. Each `Entry` has `info.layer` set, `visible`, and when hidden
    `hidden_by`: the lowest higher layer that deleted, overwrote or hid it.
    Readable entries' `open()` is valid until the walk advances. During and
    after iteration: `problems`, `tree` (visible entries) and `stats` (one per
    finished layer, in walk order).
    """

    def __init__(
        self,
        layers: Sequence[tuple[Layer, LayerOpener]],
        limits: Limits | None = None,
    ) -> None:
        self._layers = sorted(layers, key=lambda pair: pair[0].index, reverse=True)
        self._limits = limits or Limits()
        self.problems: list[Problem] = []
        self.tree = FileTree(self._limits)
        self.stats: list[LayerStats] = []
        self.complete = False
        self._started = False

    @property
    def layers(self) -> Mapping[int, tuple[Layer, LayerOpener]]:
        return {layer.index: (layer, opener) for layer, opener in self._layers}

    def __iter__(self) -> Iterator[Entry]:
        if self._started:
            raise RuntimeError("an ImageWalk can be iterated only once; make a new one")
        self._started = True
        above = _Claims()
        total_entries = 0
        total_bytes = 0
        for layer, opener in self._layers:
            with opener() as stream:
                reader = LayerReader(layer, stream, self._limits, self.problems)
                own = _Claims()
                ancestor_cache: dict[str, int | None] = {}
                for entry in reader:
                    if not isinstance(entry, Entry):
                        own.subtree[entry.target] = layer.index
                        if entry.kind is MarkerKind.WHITEOUT:
                            own.exact[entry.target] = layer.index
                        continue
                    total_entries += 1
                    if total_entries > self._limits.max_image_entries:
                        raise LimitExceededError(
                            f"the image's layers hold more than {self._limits.max_image_entries} "
                            "entries",
                            "max_image_entries",
                            self._limits.max_image_entries,
                        )
                    yield self._place(entry, layer.index, above, own, ancestor_cache)
                stats = reader.stats()
            self.stats.append(stats)
            total_bytes += stats.tar_bytes
            if total_bytes > self._limits.max_image_bytes:
                raise LimitExceededError(
                    "the image's uncompressed layers",
                    "max_image_bytes",
                    self._limits.max_image_bytes,
                )
            above.merge(own)
        self.complete = True

    def _place(
        self,
        entry: Entry,
        index: int,
        above: _Claims,
        own: _Claims,
        ancestor_cache: dict[str, int | None],
    ) -> Entry:
        """Decide the entry's visibility from the layers above and record what it does."""
        info = entry.info
        path = info.path
        parent = parent_of(path)
        hidden_by = self._ancestor_hider(parent, above, ancestor_cache)
        exact = above.exact.get(path)
        if exact is not None and (hidden_by is None or exact < hidden_by):
            hidden_by = exact
        if info.kind is not FileKind.DIRECTORY:
            implied = above.implied.get(path)
            if implied is not None and (hidden_by is None or implied < hidden_by):
                hidden_by = implied
            own.subtree[path] = index
        own.exact[path] = index
        while parent != "/" and parent not in own.implied:
            own.implied[parent] = index
            parent = parent_of(parent)
        if hidden_by is None:
            self.tree.add(info)
            return entry
        return entry.hidden(hidden_by)

    def _ancestor_hider(
        self, directory: str, above: _Claims, cache: dict[str, int | None]
    ) -> int | None:
        """The lowest higher layer hiding everything under `directory`, if any."""
        if directory in cache:
            return cache[directory]
        # Walk up to the nearest cached ancestor, then fill the cache back down.
        chain: list[str] = []
        current = directory
        found: int | None = None
        while True:
            if current in cache:
                found = cache[current]
                break
            chain.append(current)
            if current == "/":
                break
            current = parent_of(current)
        for path in reversed(chain):
            layer = above.subtree.get(path)
            if layer is not None and (found is None or layer < found):
                found = layer
            cache[path] = found
        return found

    def read_files(
        self, wanted: Mapping[int | None, Collection[str]], max_file_bytes: int
    ) -> dict[tuple[int | None, str], bytes]:
        """A second pass over only the layers named in `wanted`, for the paths listed."""
        layers = self.layers
        found: dict[tuple[int | None, str], bytes] = {}
        for index, paths in wanted.items():
            if index is None or index not in layers or not paths:
                continue
            layer, opener = layers[index]
            for path, content in read_members(
                layer, opener, paths, max_file_bytes, self._limits
            ).items():
                found[(index, path)] = content
        return found


class SquashedView:
    """The visible entries of an image, as a container would see its filesystem.

    Each entry's `info.layer` is the layer that last wrote it. The view is one
    `ImageWalk` (each layer decompressed once); `problems`, `tree` and `stats`
    are the walk's.
    """

    def __init__(
        self,
        layers: Sequence[tuple[Layer, LayerOpener]],
        limits: Limits | None = None,
    ) -> None:
        self.walk = ImageWalk(layers, limits)

    @property
    def problems(self) -> list[Problem]:
        return self.walk.problems

    @property
    def tree(self) -> FileTree:
        return self.walk.tree

    @property
    def stats(self) -> list[LayerStats]:
        return self.walk.stats

    def __iter__(self) -> Iterator[Entry]:
        return (entry for entry in self.walk if entry.visible)

    def read_files(
        self, wanted: Mapping[int | None, Collection[str]], max_file_bytes: int
    ) -> dict[tuple[int | None, str], bytes]:
        """See `ImageWalk.read_files`."""
        return self.walk.read_files(wanted, max_file_bytes)
