"""Misconfiguration checks for a scan: the image's config, history and files, or a tree's files.

Image checks read the image config, its history, the inventory and file
metadata (setuid bits, world-writable directories); a `dir:` target has its
Dockerfiles and Kubernetes manifests checked instead.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from seawall.analyze.misconfig import FileEvidence, analyze_image, file_wanted
from seawall.fs import SquashedView
from seawall.model.files import FileInfo
from seawall.model.finding import MisconfigFinding
from seawall.model.package import Inventory
from seawall.pipeline.config import config_files
from seawall.source.base import DirectorySource, ImageSource, SourceOptions


@dataclass(frozen=True, slots=True)
class MisconfigResult:
    findings: tuple[MisconfigFinding, ...]
    kinds: frozenset[str]
    """What was checked: `image`, `dockerfile`, `kubernetes`."""
    problems: tuple[str, ...] = ()


def file_evidence(infos: Iterable[FileInfo]) -> FileEvidence:
    """The file metadata the image checks need, from a view's entries."""
    evidence = FileEvidence()
    for info in infos:
        if file_wanted(info):
            evidence.observe(info)
    return evidence


def image_misconfigurations(
    source: ImageSource,
    inventory: Inventory,
    *,
    options: SourceOptions,
    today: datetime.date,
    files: FileEvidence | None = None,
    base_layers: int | None = None,
) -> tuple[MisconfigFinding, ...]:
    """Every image check on an opened image; walks the squashed view unless `files` is given."""
    if files is None:
        view = SquashedView(source.layer_openers(), options.limits)
        progress = options.progress.task("Checking the filesystem", total=None)
        try:
            files = file_evidence(entry.info for entry in view)
        finally:
            progress.close()
    return analyze_image(source.image, inventory, files, today=today, base_layers=base_layers)


def misconfigurations(
    source: ImageSource,
    inventory: Inventory,
    *,
    options: SourceOptions,
    today: datetime.date,
    base_layers: int | None = None,
) -> MisconfigResult:
    """The checks that fit the source: image checks, or the config files of a tree."""
    if isinstance(source, DirectorySource):
        configs = config_files(source.root, options.limits)
        return MisconfigResult(
            findings=tuple(f for c in configs for f in c.findings),
            kinds=frozenset(c.kind for c in configs),
            problems=tuple(str(p) for c in configs for p in c.problems),
        )
    findings = image_misconfigurations(
        source, inventory, options=options, today=today, base_layers=base_layers
    )
    return MisconfigResult(findings=findings, kinds=frozenset({"image"}))
