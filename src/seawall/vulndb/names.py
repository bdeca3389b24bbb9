"""Package names as the store indexes them (the rule is `seawall.model.names`), which
ecosystems match by release prefix, and under which ecosystem a package is stamped."""

from seawall.model.names import base_ecosystem, normalize_name

__all__ = ["base_ecosystem", "normalize_name", "prefix_matched", "stamped_ecosystem"]


def prefix_matched(ecosystem: str) -> bool:
    """True when a release in `ecosystem` also names every stream under it.

    Red Hat advisories name CPE-like streams (`Red Hat:enterprise_linux:9::appstream`);
    an image knows only its release (`Red Hat:enterprise_linux:9`), so the
    lookup takes every ecosystem that starts with the release and a colon.
    """
    return base_ecosystem(ecosystem) == "Red Hat" and ":" in ecosystem


def stamped_ecosystem(ecosystem: str) -> str:
    """The ecosystem a package of `ecosystem` is stamped under (seawall.vulndb.schema, `stamps`).

    The ecosystem as written, which a match looks up exactly (`Debian:12`), except for
    Red Hat, whose streams a match takes by prefix: all of Red Hat shares one stamp.
    """
    base = base_ecosystem(ecosystem)
    return base if base == "Red Hat" else ecosystem
