"""Reading a VEX file: bounded, parsed as JSON, its format told by its own markers.

OpenVEX has an `@context` under `https://openvex.dev/ns`; CycloneDX has
`bomFormat: CycloneDX`; CSAF has `document.csaf_version`.
"""

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seawall.limits import Limits
from seawall.policy.errors import VexDocumentError
from seawall.policy.vex.statement import VexStatement

MAX_STATEMENTS = 1_000_000


def _read(path: Path, limit: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise VexDocumentError(path, "no such file") from None
    except IsADirectoryError:
        raise VexDocumentError(path, "is a directory, not a VEX document") from None
    except OSError as error:
        raise VexDocumentError(path, f"cannot read: {error.strerror}") from None
    if len(data) > limit:
        raise VexDocumentError(path, f"larger than {limit} bytes (SEAWALL_MAX_SBOM_BYTES)")
    return data


def _location(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return f"{where or 'document'}: {first['msg']}"


def parse_vex(document: Any, source: str) -> tuple[VexStatement, ...]:
    """The statements of a parsed JSON VEX document of any supported format."""
    if not isinstance(document, dict):
        raise VexDocumentError(source, "not a JSON object")
    try:
        context = document.get("@context")
        if isinstance(context, str) and context.startswith("https://openvex.dev/ns"):
            from seawall.policy.vex.openvex import read_openvex

            statements = read_openvex(document, source)
        elif document.get("bomFormat") == "CycloneDX":
            from seawall.policy.vex.cyclonedx import read_cyclonedx_vex

            statements = read_cyclonedx_vex(document, source)
        elif isinstance(document.get("document"), dict) and "csaf_version" in document["document"]:
            from seawall.policy.vex.csaf import read_csaf_vex

            statements = read_csaf_vex(document, source)
        else:
            raise VexDocumentError(
                source, "not OpenVEX, CycloneDX or CSAF (no @context, bomFormat or csaf_version)"
            )
    except ValidationError as error:
        raise VexDocumentError(source, _location(error)) from None
    if len(statements) > MAX_STATEMENTS:
        raise VexDocumentError(source, f"more than {MAX_STATEMENTS} statements")
    return statements


def load_vex(path: Path, limits: Limits | None = None) -> tuple[VexStatement, ...]:
    """Every statement of a VEX file; raises VexDocumentError naming the file and the problem."""
    limit = (limits or Limits()).max_sbom_bytes
    data = _read(path, limit)
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise VexDocumentError(path, f"not valid JSON: {error}") from None
    return parse_vex(document, str(path))
