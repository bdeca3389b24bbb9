"""Where the stages meet: the CLI (and later the server and worker) call these functions.

Stages never import each other; the pipeline hands one stage's output to the
next (DESIGN.md §2).
"""

from seawall.pipeline.inspect import inspect
from seawall.pipeline.sbom import SbomResult, sbom

__all__ = ["SbomResult", "inspect", "sbom"]
