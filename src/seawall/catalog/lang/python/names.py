"""Python package names and purls (PEP 503 normalisation, purl-spec `pypi` and `conda` types)."""

from functools import lru_cache

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from seawall.model.package import Ecosystem, Location, Package


def normalize(name: str) -> str:
    """PEP 503: lower-case, every run of `-`, `_` and `.` becomes one `-`."""
    return canonicalize_name(name)


@lru_cache(maxsize=16384)
def pypi_purl(name: str, version: str) -> str:
    """`pkg:pypi/NAME@VERSION`; the purl spec requires the PEP 503 name."""
    return PackageURL(type="pypi", name=normalize(name), version=version).to_string()


def pypi_package(
    name: str,
    version: str,
    cataloger: str,
    locations: tuple[Location, ...],
    licenses: tuple[str, ...] = (),
) -> Package:
    """A PyPI package found at `locations`."""
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem.PYPI,
        purl=pypi_purl(name, version),
        cataloger=cataloger,
        licenses=licenses,
        locations=locations,
    )
