"""Python package names and purls (PEP 503 normalisation, purl-spec `pypi` and `conda` types)."""

from functools import lru_cache

from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import spell_purl
from seawall.model.names import pep503_name
from seawall.model.package import Ecosystem


def normalize(name: str) -> str:
    """PEP 503: lower-case, every run of `-`, `_` and `.` becomes one `-`."""
    return pep503_name(name)


@lru_cache(maxsize=16384)
def pypi_purl(name: str, version: str) -> str:
    """`pkg:pypi/NAME@VERSION`; the purl spec requires the PEP 503 name (PurlError if none)."""
    return spell_purl("pypi", normalize(name), version)


pypi_package = PackageFactory(Ecosystem.PYPI, pypi_purl)
"""A PyPI package: `pypi_package(name, version, cataloger, locations, licenses=())`."""
