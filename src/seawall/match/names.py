"""Which `affected[]` entries of a record name the package being matched.

The store finds the records for a package; a record may name several packages
(a GHSA for both `django` and `djangorestframework`, a DSA for several
releases), so the matcher keeps only the entries whose ecosystem and name are
the package's. Names compare under the same rules the store indexes by
(seawall.vulndb.names; restated here because stage packages do not import
each other): PEP 503 for PyPI, case and `-`/`_` folded for crates.io, case
folded for NuGet and Packagist, everything else as written.
"""

from packaging.utils import canonicalize_name

from seawall.model.package import Ecosystem


def comparable_name(ecosystem: Ecosystem, name: str) -> str:
    """The name as `ecosystem` compares package names."""
    if ecosystem is Ecosystem.PYPI:
        return canonicalize_name(name)
    if ecosystem is Ecosystem.CRATES_IO:
        return name.lower().replace("_", "-")
    if ecosystem in (Ecosystem.NUGET, Ecosystem.PACKAGIST):
        return name.lower()
    return name


def same_ecosystem(package_ecosystem: Ecosystem, wanted: str, written: str) -> bool:
    """True when a record's `affected[].package.ecosystem` is the package's OSV ecosystem.

    A Red Hat image knows its release only (`Red Hat:enterprise_linux:9`);
    advisories name a stream under it (`…:9::appstream`), and every stream of
    the release applies (see seawall.model.advisory.AdvisoryStore).
    """
    if written == wanted:
        return True
    return package_ecosystem is Ecosystem.RED_HAT and written.startswith(wanted + ":")
