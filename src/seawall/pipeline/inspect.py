"""`seawall inspect`: an image's description plus counts from reading every layer once."""

from seawall.fs import DirectoryView, ImageWalk, LayerStats
from seawall.model.files import FileKind
from seawall.model.image import Layer
from seawall.model.inspection import Inspection, LayerSummary
from seawall.source.base import DirectorySource, SourceOptions
from seawall.source.registry import open_source


def inspect(target: str, options: SourceOptions) -> Inspection:
    """Describe an image and count what its layers and squashed filesystem hold.

    Every layer is read (decompressed and digest-verified) once; file contents
    are skipped, not kept.
    """
    with open_source(target, options) as source:
        if isinstance(source, DirectorySource):
            directory = DirectoryView(source.root, options.limits)
            entries = files = 0
            for entry in directory:
                entries += 1
                files += entry.info.kind is FileKind.REGULAR
            return Inspection(
                image=source.image,
                layers=(),
                squashed_entries=entries,
                squashed_files=files,
                problems=tuple(directory.problems),
            )

        walk = ImageWalk(source.layer_openers(), options.limits)
        progress = options.progress.task("Reading layers", total=len(walk.layers))
        visible_entries = visible_files = finished_layers = 0
        try:
            for entry in walk:
                if entry.visible:
                    visible_entries += 1
                    visible_files += entry.info.kind is FileKind.REGULAR
                if len(walk.stats) != finished_layers:
                    progress.advance(len(walk.stats) - finished_layers)
                    finished_layers = len(walk.stats)
        finally:
            progress.close()
        stats = {layer_stats.layer: layer_stats for layer_stats in walk.stats}
        return Inspection(
            image=source.image,
            layers=tuple(_summary(layer, stats.get(layer.index)) for layer in source.image.layers),
            squashed_entries=visible_entries,
            squashed_files=visible_files,
            problems=tuple(walk.problems),
        )


def _summary(layer: Layer, stats: LayerStats | None) -> LayerSummary:
    if stats is None:  # a foreign layer: its blob is not part of the image
        return LayerSummary(layer=layer, entries=0, files=0, uncompressed_size=0)
    return LayerSummary(
        layer=layer,
        entries=stats.entries + stats.whiteouts,
        files=stats.regular_files,
        uncompressed_size=stats.tar_bytes,
    )
