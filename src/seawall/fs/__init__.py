"""Read-only file views over image layers and directories (DESIGN.md §2, "file views").

A view yields `Entry` values (metadata, visibility, streamed contents) and
records problems instead of raising for a single bad entry. Nothing is
extracted to disk; memory holds metadata per entry, never whole layers.

- `ImageWalk`: every entry of every layer, top layer first, with `visible` and `hidden_by`.
- `SquashedView`: the visible entries only, as a container sees its filesystem.
- `LayerView`: every entry of one layer, including files a later layer deletes.
- `DirectoryView`: a root filesystem on disk, never followed out of the root.
- `FileTree`: path lookups and symlink resolution inside the root.
- `collect`: the wanted files' contents in one pass, for catalogers.
"""

from seawall.fs.collect import CollectableView, CollectedFile, CollectResult, collect
from seawall.fs.directory import DirectoryView
from seawall.fs.entry import ContentReader, Entry, LayerStats, StaleEntryError, UnreadableFileError
from seawall.fs.layer import LayerView, layer_name
from seawall.fs.tree import FileTree
from seawall.fs.walk import ImageWalk, SquashedView

__all__ = [
    "CollectResult",
    "CollectableView",
    "CollectedFile",
    "ContentReader",
    "DirectoryView",
    "Entry",
    "FileTree",
    "ImageWalk",
    "LayerStats",
    "LayerView",
    "SquashedView",
    "StaleEntryError",
    "UnreadableFileError",
    "collect",
    "layer_name",
]
