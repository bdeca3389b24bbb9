"""Start-up: the CLI imports only what the command it runs needs."""

import subprocess
import sys

from seawall.cli.db import DEFAULT_MAX_AGE_DAYS
from seawall.vulndb.staleness import DEFAULT_MAX_AGE

# Stacks that no command needs before it runs (each command imports its own).
HEAVY = (
    "rich",
    "pydantic",
    "httpx",
    "yaml",
    "zstandard",
    "seawall.pipeline.sbom",
    "seawall.pipeline.scan",
    "seawall.catalog.registry",
    "seawall.vulndb.store",
    "seawall.analyze.secrets",
    "seawall.report.sbom.cyclonedx",
)


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_importing_the_cli_loads_no_command_stack() -> None:
    loaded = loaded_after("import seawall.cli.app")
    assert sorted(name for name in HEAVY if name in loaded) == []


def test_help_loads_no_command_stack() -> None:
    code = (
        "from seawall.cli.app import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = loaded_after(code)
    assert sorted(name for name in HEAVY if name in loaded) == []


def test_written_out_default_agrees_with_the_store() -> None:
    assert DEFAULT_MAX_AGE.days == DEFAULT_MAX_AGE_DAYS
