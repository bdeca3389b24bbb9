"""Where the stages meet: the CLI (and later the server and worker) call these functions.

Stages never import each other; the pipeline hands one stage's output to the
next (DESIGN.md §2). Each command's stack is imported on first use, so
`seawall inspect` does not pay for the vulnerability store's imports.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seawall.pipeline.inspect import inspect
    from seawall.pipeline.sbom import SbomResult, sbom
    from seawall.pipeline.scan import ScanSettings, scan

_WHERE = {
    "inspect": "seawall.pipeline.inspect",
    "SbomResult": "seawall.pipeline.sbom",
    "sbom": "seawall.pipeline.sbom",
    "ScanSettings": "seawall.pipeline.scan",
    "scan": "seawall.pipeline.scan",
}

__all__ = ["SbomResult", "ScanSettings", "inspect", "sbom", "scan"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'seawall.pipeline' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
