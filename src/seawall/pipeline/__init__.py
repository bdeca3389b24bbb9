"""Where the stages meet: the CLI (and later the server and worker) call these functions.

Stages never import each other; the pipeline hands one stage's output to the
next (DESIGN.md §2).
"""

from seawall.pipeline.inspect import inspect
from seawall.pipeline.sbom import SbomResult, sbom
from seawall.pipeline.scan import ScanSettings, scan

__all__ = ["SbomResult", "ScanSettings", "inspect", "sbom", "scan"]
