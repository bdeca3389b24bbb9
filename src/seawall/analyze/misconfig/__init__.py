"""Misconfiguration checks over images, Dockerfiles and Kubernetes manifests (DESIGN.md §2).

The catalogue (`data/checks.yaml`) says what each check is; the modules here
decide whether it fails. Inputs are handed over by the pipeline: an `Image`,
an `Inventory` and `FileEvidence` gathered from a file view, or a file's bytes.
Nothing here imports a source, a file view or the pipeline.
"""

from seawall.analyze.misconfig.catalogue import (
    Check,
    CheckKind,
    catalogue,
    checks_of,
    fingerprint,
    make_finding,
)
from seawall.analyze.misconfig.detect import is_dockerfile_name, is_yaml_name, looks_like_manifest
from seawall.analyze.misconfig.dockerfile import analyze_dockerfile
from seawall.analyze.misconfig.files import FileEvidence
from seawall.analyze.misconfig.files import wants as file_wanted
from seawall.analyze.misconfig.history import own_layer_start
from seawall.analyze.misconfig.image import analyze_image
from seawall.analyze.misconfig.kubernetes import analyze_manifest
from seawall.analyze.misconfig.results import MAX_CONFIG_FILE_BYTES, ConfigResult

__all__ = [
    "MAX_CONFIG_FILE_BYTES",
    "Check",
    "CheckKind",
    "ConfigResult",
    "FileEvidence",
    "analyze_dockerfile",
    "analyze_image",
    "analyze_manifest",
    "catalogue",
    "checks_of",
    "file_wanted",
    "fingerprint",
    "is_dockerfile_name",
    "is_yaml_name",
    "looks_like_manifest",
    "make_finding",
    "own_layer_start",
]
