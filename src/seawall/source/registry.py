"""The source kinds seawall reads, and the one place a TARGET becomes an open source.

Each kind's module is imported when a target of that kind is opened, so a run
loads only the reader it uses (the registry client brings httpx and auth).
"""

from collections.abc import Callable

from seawall.model.image import SourceKind
from seawall.source.base import ImageSource, SourceOptions
from seawall.source.errors import TargetError
from seawall.source.target import Target, parse_target


def _docker_archive(target: Target, options: SourceOptions) -> ImageSource:
    from seawall.source.docker_archive import open_docker_archive

    assert target.path is not None
    return open_docker_archive(target.path, target.selector, options)


def _oci_dir(target: Target, options: SourceOptions) -> ImageSource:
    from seawall.source.oci_layout import open_oci_dir

    assert target.path is not None
    return open_oci_dir(target.path, target.selector, options)


def _oci_archive(target: Target, options: SourceOptions) -> ImageSource:
    from seawall.source.oci_layout import open_oci_archive

    assert target.path is not None
    return open_oci_archive(target.path, target.selector, options)


def _registry(target: Target, options: SourceOptions) -> ImageSource:
    from seawall.source.remote import open_registry_image

    assert target.reference is not None
    return open_registry_image(target.reference, options)


def _directory(target: Target, options: SourceOptions) -> ImageSource:
    from seawall.source.directory import open_directory

    assert target.path is not None
    return open_directory(target.path, options)


SOURCES: dict[SourceKind, Callable[[Target, SourceOptions], ImageSource]] = {
    SourceKind.DOCKER_ARCHIVE: _docker_archive,
    SourceKind.OCI_DIR: _oci_dir,
    SourceKind.OCI_ARCHIVE: _oci_archive,
    SourceKind.REGISTRY: _registry,
    SourceKind.DIRECTORY: _directory,
}
"""Every source kind and how it is opened (explicit; no self-registration)."""


def open_source(target: Target | str, options: SourceOptions | None = None) -> ImageSource:
    """Opens what `target` names (a TARGET string or a parsed `Target`)."""
    options = options or SourceOptions()
    parsed = parse_target(target, limits=options.limits) if isinstance(target, str) else target
    opener = SOURCES.get(parsed.kind)
    if opener is None:
        raise TargetError(
            f"{parsed.text}: an SBOM document holds packages, not an image; "
            "`seawall sbom` and `seawall scan` read it"
        )
    return opener(parsed, options)
