"""What a configuration analyzer returns for one file: findings, and problems instead of raising."""

from dataclasses import dataclass

from seawall.model.files import Problem
from seawall.model.finding import MisconfigFinding

MAX_CONFIG_FILE_BYTES = 2 * 1024 * 1024
"""Dockerfiles and manifests larger than this are not parsed (recorded as a problem)."""


@dataclass(frozen=True, slots=True)
class ConfigResult:
    """The findings of one configuration file, and why it could not be (fully) read."""

    path: str
    kind: str
    """`dockerfile` or `kubernetes`."""
    findings: tuple[MisconfigFinding, ...] = ()
    problems: tuple[Problem, ...] = ()
