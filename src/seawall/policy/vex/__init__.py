"""VEX in: OpenVEX, CycloneDX VEX and CSAF 2.0 VEX documents read into `VexStatement`s.

`load_vex(path)` detects the format; each reader maps its vocabulary onto
OpenVEX's statuses and justifications (the CISA VEX minimum requirements use
the same four statuses), so the engine applies every format the same way.
"""

from seawall.policy.vex.load import load_vex, parse_vex
from seawall.policy.vex.statement import VexStatement, VexStatus

__all__ = ["VexStatement", "VexStatus", "load_vex", "parse_vex"]
