"""Building the Package values of one language ecosystem, each with that ecosystem's purl."""

from collections.abc import Callable
from dataclasses import dataclass

from seawall.model.package import Ecosystem, Location, Package


@dataclass(frozen=True, slots=True)
class PackageFactory:
    """Makes the packages of `ecosystem`; `purl(name, version)` spells each one's purl."""

    ecosystem: Ecosystem
    purl: Callable[[str, str], str]

    def __call__(
        self,
        name: str,
        version: str,
        cataloger: str,
        locations: tuple[Location, ...],
        licenses: tuple[str, ...] = (),
        checksums: tuple[tuple[str, str], ...] = (),
    ) -> Package:
        """The package `name` at `version`, found by `cataloger` at `locations`."""
        return Package(
            name=name,
            version=version,
            ecosystem=self.ecosystem,
            purl=self.purl(name, version),
            cataloger=cataloger,
            licenses=licenses,
            locations=locations,
            checksums=checksums,
        )
