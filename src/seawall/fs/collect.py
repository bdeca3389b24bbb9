"""Collect the files catalogers want: one pass over a view, returning their contents.

`want(path)` is asked of every visible entry. Wanted regular files are read
during the pass (up to a per-file cap). Wanted symlinks are resolved inside
the root once the pass has built the tree, and wanted hard links point at
their target; when that content was not kept during the pass, a second pass
reads only the layers that hold it, only for those files.
"""

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from seawall.fs.entry import Entry, UnreadableFileError
from seawall.fs.tree import FileTree
from seawall.model.files import FileInfo, FileKind, Problem


class CollectableView(Protocol):
    """What `collect` needs of a view: `SquashedView` and `DirectoryView` both provide it."""

    @property
    def tree(self) -> FileTree: ...

    def __iter__(self) -> Iterator[Entry]: ...

    def read_files(
        self, wanted: Mapping[int | None, Collection[str]], max_file_bytes: int
    ) -> dict[tuple[int | None, str], bytes]: ...


@dataclass(frozen=True, slots=True)
class CollectedFile:
    """A wanted file's contents."""

    path: str
    """The path that was wanted (a symlink's or hard link's own path when it was one)."""
    content: bytes
    layer: int | None
    """The layer that wrote the contents (None for a directory view)."""
    source_path: str
    """Where the contents live: `path` itself, or the link's resolved target."""


@dataclass(frozen=True, slots=True)
class CollectResult:
    """The wanted files by path, and the wanted files that could not be read."""

    files: Mapping[str, CollectedFile]
    problems: tuple[Problem, ...]


def collect(
    view: CollectableView, want: Callable[[str], bool], max_file_bytes: int
) -> CollectResult:
    """Read every visible file `want` accepts, following links inside the root.

    `view` must not have been iterated yet; it is consumed (its `tree`,
    `problems` and, for images, `stats` are filled as usual). Files larger
    than `max_file_bytes` are left out and reported.
    """
    files: dict[str, CollectedFile] = {}
    links: list[FileInfo] = []
    problems: list[Problem] = []
    for entry in view:
        info = entry.info
        if not want(info.path):
            continue
        if info.kind is FileKind.REGULAR:
            collected = _read(entry, max_file_bytes, problems)
            if collected is not None:
                files[info.path] = collected
        elif info.kind in (FileKind.SYMLINK, FileKind.HARDLINK):
            links.append(info)
    _follow_links(view, links, files, max_file_bytes, problems)
    return CollectResult(files=files, problems=tuple(problems))


def _where(info: FileInfo) -> str:
    return info.path if info.layer is None else f"layer {info.layer} {info.path}"


def _read(entry: Entry, max_file_bytes: int, problems: list[Problem]) -> CollectedFile | None:
    info = entry.info
    if not entry.readable:
        problems.append(Problem(_where(info), "wanted, but its contents cannot be read"))
        return None
    if info.size > max_file_bytes:
        problems.append(_too_large(info, max_file_bytes))
        return None
    try:
        with entry.open() as reader:
            content = reader.read(max_file_bytes + 1)
    except UnreadableFileError:
        return None  # the view recorded why
    if len(content) > max_file_bytes:  # a file on disk can grow after its stat
        problems.append(_too_large(info, max_file_bytes))
        return None
    return CollectedFile(info.path, content, info.layer, info.path)


def _too_large(info: FileInfo, max_file_bytes: int) -> Problem:
    return Problem(_where(info), f"wanted, but larger than {max_file_bytes} bytes; skipped")


def _follow_links(
    view: CollectableView,
    links: list[FileInfo],
    files: dict[str, CollectedFile],
    max_file_bytes: int,
    problems: list[Problem],
) -> None:
    """Give each wanted link its target's contents, reading again only what was not kept."""
    sources: dict[str, tuple[int | None, str]] = {}
    for info in links:
        source = _link_source(view.tree, info, problems)
        if source is not None:
            sources[info.path] = source
    missing: dict[int | None, set[str]] = {}
    for layer, source_path in sources.values():
        kept = files.get(source_path)
        if kept is None or kept.layer != layer or kept.source_path != source_path:
            missing.setdefault(layer, set()).add(source_path)
    reread = view.read_files(missing, max_file_bytes) if missing else {}
    for path, (layer, source_path) in sources.items():
        kept = files.get(source_path)
        if kept is not None and kept.layer == layer and kept.source_path == source_path:
            content: bytes | None = kept.content
        else:
            content = reread.get((layer, source_path))
        if content is None:
            problems.append(
                Problem(
                    path if layer is None else f"layer {layer} {path}",
                    f"wanted link to {source_path!r}, whose contents could not be read "
                    f"(missing, not regular, or larger than {max_file_bytes} bytes)",
                )
            )
            continue
        files[path] = CollectedFile(path, content, layer, source_path)


def _link_source(
    tree: FileTree, info: FileInfo, problems: list[Problem]
) -> tuple[int | None, str] | None:
    """The (layer, path) holding a link's contents, or None (recorded) if there is none."""
    if info.kind is FileKind.HARDLINK:
        assert info.link_target is not None
        return info.layer, info.link_target
    resolved = tree.resolve_path(info.path)
    target = tree.get(resolved) if resolved is not None else None
    if target is None:
        problems.append(Problem(_where(info), "wanted symlink leads nowhere inside the root"))
        return None
    if target.kind is FileKind.HARDLINK and target.link_target is not None:
        return target.layer, target.link_target
    if target.kind is not FileKind.REGULAR:
        problems.append(
            Problem(_where(info), f"wanted symlink leads to a {target.kind.value}, not a file")
        )
        return None
    return target.layer, target.path
