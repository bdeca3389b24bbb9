"""The inventory as a rich table: name, version, ecosystem, source package, first location.

rich is imported when a table is built, not with this module: the pipeline
imports `seawall.report.sbom` (for the layer cache's records) and must not
load a UI library for it.
"""

from typing import TYPE_CHECKING

from seawall.model.package import Inventory, Package

if TYPE_CHECKING:
    from rich.table import Table


def _location(package: Package) -> str:
    if not package.locations:
        return ""
    first = package.locations[0]
    text = first.path if first.layer is None else f"{first.path} (layer {first.layer})"
    more = len(package.locations) - 1
    return f"{text} +{more}" if more else text


def _source(package: Package) -> str:
    if package.source_name is None or (
        package.source_name == package.name and package.source_version == package.version
    ):
        return ""
    if package.source_version and package.source_version != package.version:
        return f"{package.source_name} {package.source_version}"
    return package.source_name


def sbom_table(inventory: Inventory) -> "Table":
    """One row per package, in inventory order; the caption says when the scan was partial."""
    from rich.table import Table

    from seawall.report.cells import text_cell

    caption = f"{len(inventory.packages)} packages"
    if inventory.distro is not None:
        distro = inventory.distro
        caption += f" on {distro.pretty_name or distro.id}"
    if inventory.partial:
        caption += " (partial: some files could not be read)"
    # Names come from the image: plain text cells, never markup (seawall.report.cells).
    table = Table(caption=text_cell(caption))
    for column in ("name", "version", "ecosystem", "source", "location"):
        table.add_column(column, overflow="fold")
    for package in inventory.packages:
        table.add_row(
            text_cell(package.name),
            text_cell(package.version),
            text_cell(package.osv_ecosystem),
            text_cell(_source(package)),
            text_cell(_location(package)),
        )
    return table
