"""Errors of the policy stage: `InputError`s naming the file and, where it can, the line."""

from pathlib import Path

from seawall.errors import InputError


class PolicyFileError(InputError):
    """A policy file that cannot be used: not YAML, or not the shape docs/policy.md describes.

    The message lists each problem as `FILE:LINE:COLUMN: where: what`.
    """

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        listing = "\n  ".join(problems)
        super().__init__(f"policy {path}: {len(problems)} problem(s):\n  {listing}")


class VexDocumentError(InputError):
    """A VEX document that cannot be read as OpenVEX, CycloneDX VEX or CSAF VEX."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"VEX {path}: {problem}")
