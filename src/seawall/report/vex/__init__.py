"""VEX out: triage decisions from a scan and its policy as OpenVEX, CycloneDX VEX or CSAF VEX.

Every vulnerability finding gets a statement: a finding an ignore or a VEX
statement suppressed is `not_affected` (or `fixed`) with its justification,
reason, author and time; one a VEX document called affected is `affected`
with the fix as its action; every other is `under_investigation` (a scanner
match is not a triage decision). CycloneDX VEX is `report.scan.cyclonedx`
with `vex=True`.

The names below load their module on first use (PEP 562): a scan writing
another format needs at most `VexOptions`.
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.report.vex.common import VexOptions
    from seawall.report.vex.csaf import render_csaf_vex, scan_to_csaf_vex
    from seawall.report.vex.openvex import render_openvex, scan_to_openvex

_HOMES = {
    "VexOptions": "common",
    "render_csaf_vex": "csaf",
    "render_openvex": "openvex",
    "scan_to_csaf_vex": "csaf",
    "scan_to_openvex": "openvex",
}

__all__ = [
    "VexOptions",
    "render_csaf_vex",
    "render_openvex",
    "scan_to_csaf_vex",
    "scan_to_openvex",
]


__getattr__ = lazy_names(__name__, _HOMES)
