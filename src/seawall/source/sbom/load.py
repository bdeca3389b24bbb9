"""Reading an SBOM file: bounded by size before parsing, parsed as JSON, and its format told.

The size is checked twice: `stat` refuses an oversized regular file before
anything is read, and the read itself stops one byte past the limit, so a
file that grows, or a FIFO, cannot slip through. JSON nesting deep enough to
exhaust Python's recursion and numbers too long to convert are reported as
malformed input, not crashes.
"""

import json
import os
import stat
from enum import Enum
from pathlib import Path
from typing import Any

from seawall.errors import InputError, LimitExceededError
from seawall.limits import Limits
from seawall.model.sbom_fields import NATIVE_SCHEMA_ID


class SbomDocumentError(InputError):
    """An SBOM file that cannot be read as CycloneDX, SPDX or seawall JSON."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"SBOM {path}: {problem}")
        self.path = path
        self.problem = problem


class SbomFormat(Enum):
    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"
    NATIVE = "seawall"


CYCLONEDX_VERSIONS = frozenset({"1.4", "1.5", "1.6"})
SPDX_VERSIONS = frozenset({"SPDX-2.2", "SPDX-2.3"})


def read_bounded(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refusing more than `limits.max_sbom_bytes`."""
    limit = limits.max_sbom_bytes
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise SbomDocumentError(path, "is a directory, not an SBOM file")
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise LimitExceededError(
                    f"SBOM {path} ({info.st_size} bytes)", "max_sbom_bytes", limit
                )
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise SbomDocumentError(path, "is a directory, not an SBOM file") from None
    except FileNotFoundError:
        raise SbomDocumentError(path, "no such file") from None
    except PermissionError:
        raise SbomDocumentError(path, "permission denied") from None
    except OSError as error:
        raise SbomDocumentError(path, f"cannot be read ({error.strerror or error})") from None
    if len(data) > limit:
        raise LimitExceededError(f"SBOM {path}", "max_sbom_bytes", limit)
    return data


def parse_json(path: Path, data: bytes) -> dict[str, Any]:
    """The top-level JSON object of the document."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SbomDocumentError(path, f"is not UTF-8 text (byte {error.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SbomDocumentError(
            path, f"is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise SbomDocumentError(path, "is not usable JSON: nested too deeply") from None
    except ValueError as error:
        # Integers longer than sys.get_int_max_str_digits() digits.
        raise SbomDocumentError(path, f"is not usable JSON: {error}") from None
    if not isinstance(document, dict):
        raise SbomDocumentError(
            path, f"top level is a JSON {type(document).__name__}, not an object"
        )
    return document


def detect(path: Path, document: dict[str, Any]) -> SbomFormat:
    """CycloneDX 1.4 to 1.6, SPDX 2.2/2.3 or seawall native JSON; anything else is refused."""
    if document.get("bomFormat") == "CycloneDX":
        version = document.get("specVersion")
        if version not in CYCLONEDX_VERSIONS:
            raise SbomDocumentError(
                path, f"CycloneDX specVersion {str(version)[:20]!r} is not supported (1.4 to 1.6)"
            )
        return SbomFormat.CYCLONEDX
    if "spdxVersion" in document:
        version = document.get("spdxVersion")
        if version not in SPDX_VERSIONS:
            raise SbomDocumentError(
                path, f"spdxVersion {str(version)[:20]!r} is not supported (SPDX-2.2, SPDX-2.3)"
            )
        return SbomFormat.SPDX
    if document.get("schema") == NATIVE_SCHEMA_ID:
        return SbomFormat.NATIVE
    raise SbomDocumentError(
        path,
        "is neither CycloneDX JSON, SPDX JSON nor a seawall SBOM (no bomFormat, "
        "spdxVersion or schema field)",
    )
