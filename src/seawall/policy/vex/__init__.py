"""VEX in: OpenVEX, CycloneDX VEX and CSAF 2.0 VEX documents read into `VexStatement`s.

`load_vex(path)` detects the format; each reader maps its vocabulary onto
OpenVEX's statuses and justifications (the CISA VEX minimum requirements use
the same four statuses), so the engine applies every format the same way.

The names below load their module on first use (PEP 562): the policy engine
needs `statement` on every scan, the readers (pydantic) only when a VEX
document is given.
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.policy.vex.load import load_vex, parse_vex
    from seawall.policy.vex.statement import VexStatement, VexStatus

_HOMES = {
    "VexStatement": "statement",
    "VexStatus": "statement",
    "load_vex": "load",
    "parse_vex": "load",
}

__all__ = ["VexStatement", "VexStatus", "load_vex", "parse_vex"]


__getattr__ = lazy_names(__name__, _HOMES)
