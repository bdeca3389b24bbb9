"""`seawall config` results as JSON (`seawall.config/v1`).

Takes any value with `path`, `kind`, `findings` and `problems` (the
analyzer's `ConfigResult` has them) so reporters need not import the analyzer.
"""

import json
from collections.abc import Sequence
from typing import Any, Protocol

from seawall import __version__
from seawall.model.files import Problem
from seawall.model.finding import MisconfigFinding
from seawall.report.compliance.common import misconfig_order, misconfig_record

SCHEMA_ID = "seawall.config/v1"


class ConfigFileResult(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def findings(self) -> tuple[MisconfigFinding, ...]: ...

    @property
    def problems(self) -> tuple[Problem, ...]: ...


def config_to_dict(results: Sequence[ConfigFileResult]) -> dict[str, Any]:
    files = []
    for result in sorted(results, key=lambda r: r.path):
        files.append(
            {
                "path": result.path,
                "kind": result.kind,
                "findings": [
                    misconfig_record(f) for f in sorted(result.findings, key=misconfig_order)
                ],
                "problems": [str(problem) for problem in result.problems],
            }
        )
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "seawall", "version": __version__},
        "files": files,
    }


def render_config_json(results: Sequence[ConfigFileResult]) -> str:
    return json.dumps(config_to_dict(results), indent=2, ensure_ascii=False)


def render_misconfigurations_json(findings: Sequence[MisconfigFinding]) -> str:
    """A scan's misconfiguration findings alone (for evidence bundles)."""
    records = [misconfig_record(f) for f in sorted(findings, key=misconfig_order)]
    return json.dumps({"misconfigurations": records}, indent=2, ensure_ascii=False)
