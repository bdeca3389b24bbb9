"""Package names as the store indexes them (the rule is `seawall.model.names`), and
which ecosystems match by release prefix."""

from seawall.model.names import base_ecosystem, normalize_name

__all__ = ["base_ecosystem", "normalize_name", "prefix_matched"]


def prefix_matched(ecosystem: str) -> bool:
    """True when a release in `ecosystem` also names every stream under it.

    Red Hat advisories name CPE-like streams (`Red Hat:enterprise_linux:9::appstream`);
    an image knows only its release (`Red Hat:enterprise_linux:9`), so the
    lookup takes every ecosystem that starts with the release and a colon.
    """
    return base_ecosystem(ecosystem) == "Red Hat" and ":" in ecosystem
