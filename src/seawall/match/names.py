"""Which `affected[]` entries of a record name the package being matched.

The store finds the records for a package; a record may name several packages
(a GHSA for both `django` and `djangorestframework`, a DSA for several
releases), so the matcher keeps only the entries whose ecosystem and name are
the package's. Names compare under the rule the store indexes by
(`seawall.model.names`).
"""

from seawall.model.names import normalize_name
from seawall.model.package import Ecosystem


def comparable_name(ecosystem: Ecosystem, name: str) -> str:
    """The name as `ecosystem` compares package names."""
    return normalize_name(ecosystem.value, name)


def same_ecosystem(package_ecosystem: Ecosystem, wanted: str, written: str) -> bool:
    """True when a record's `affected[].package.ecosystem` is the package's OSV ecosystem.

    A Red Hat image knows its release only (`Red Hat:enterprise_linux:9`);
    advisories name a stream under it (`…:9::appstream`), and every stream of
    the release applies (see seawall.model.advisory.AdvisoryStore).
    """
    if written == wanted:
        return True
    return package_ecosystem is Ecosystem.RED_HAT and written.startswith(wanted + ":")
