"""SBOM reporters: CycloneDX 1.6 JSON, SPDX 2.3 JSON, seawall's native JSON, and a table.

Each takes an Inventory, the subject Image (None when there is none) and
`SbomOptions`; the readers of these documents live in `seawall.source.sbom`.

The names below load their module on first use (PEP 562): a command writing
one format, or the layer cache reading native records, does not import the
other writers (packageurl, rich).
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.report.sbom.common import SbomOptions
    from seawall.report.sbom.cyclonedx import render_cyclonedx
    from seawall.report.sbom.native import render_native
    from seawall.report.sbom.spdx import render_spdx
    from seawall.report.sbom.table import sbom_table

_HOMES = {
    "SbomOptions": "common",
    "render_cyclonedx": "cyclonedx",
    "render_native": "native",
    "render_spdx": "spdx",
    "sbom_table": "table",
}

__all__ = ["SbomOptions", "render_cyclonedx", "render_native", "render_spdx", "sbom_table"]


__getattr__ = lazy_names(__name__, _HOMES)
