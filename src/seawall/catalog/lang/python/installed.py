"""Installed Python distributions: `*.dist-info/METADATA` and `*.egg-info` (`PKG-INFO`).

The core metadata format (packaging.python.org, "Core metadata
specifications") is RFC 822 style: headers, a blank line, then an optional
long description as the body. Only the header block is read, with a small
parser of our own, so a multi-megabyte description costs one `find`, not a
parse. Licences, in order of preference: `License-Expression` (PEP 639, an
SPDX expression); else a one-line `License` (multi-line values are usually
the whole licence text and say nothing usable); else the last component of
each `License ::` trove classifier.
"""

from collections.abc import Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import DocumentError
from seawall.catalog.lang.python.names import pypi_package
from seawall.catalog.purls import PurlError

# Real METADATA files embed the README; the largest on PyPI run to a few MiB.
_MAX_BYTES = 16 * 1024 * 1024
# A `License` value longer than this on one line is prose, not a licence name.
_MAX_LICENSE_CHARS = 200
_UNKNOWN = frozenset({"", "unknown", "none"})


class InstalledCataloger:
    """Python distributions installed in site-packages/dist-packages (wheels and eggs)."""

    NAME: ClassVar[str] = "python/installed"
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        parent, _, base = path.rpartition("/")
        if base == "METADATA":
            return parent.endswith(".dist-info")
        if base == "PKG-INFO":
            # foo.egg-info/PKG-INFO, or foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO
            return parent.endswith((".egg-info", "/EGG-INFO"))
        # distutils-era installs write the egg-info as a single file
        return base.endswith(".egg-info")

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        for file, headers in out.documents(files, self.MAX_FILE_BYTES, _load_headers):
            name = _first(headers, "name")
            version = _first(headers, "version")
            if not name or not version:
                out.problem(file.path, "metadata has no Name or no Version header")
                continue
            try:
                package = pypi_package(
                    name, version, self.NAME, (locate(file),), _licenses(headers)
                )
            except PurlError as error:
                out.problem(file.path, str(error))
                continue
            out.add(package)
        return out.result()


def parse_headers(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """The header block of a core-metadata file as (lower-case name, value) pairs.

    Continuation lines (starting with whitespace) extend the previous value,
    joined with a newline. Like the email package, a line that is neither a
    header nor a continuation ends the header block. Returns an error message
    instead of headers when the first line is not a header at all.
    """
    headers: list[tuple[str, str]] = []
    pos = 0
    length = len(text)
    while pos < length:
        end = text.find("\n", pos)
        if end == -1:
            end = length
        line = text[pos:end].rstrip("\r")
        pos = end + 1
        if not line.strip():
            break
        if line[0] in " \t":
            if not headers:
                return [], "metadata starts with a continuation line"
            key, value = headers[-1]
            headers[-1] = (key, f"{value}\n{line.strip()}")
            continue
        key, sep, value = line.partition(":")
        if not sep or not key or any(c.isspace() for c in key):
            if not headers:
                return [], "not a core-metadata file (first line is not a header)"
            break
        headers.append((key.lower(), value.strip()))
    return headers, None


def _load_headers(content: bytes) -> list[tuple[str, str]]:
    """The header block of a metadata file (bytes that are not UTF-8 become U+FFFD)."""
    headers, error = parse_headers(content.decode("utf-8", errors="replace"))
    if error:
        raise DocumentError(error)
    return headers


def _first(headers: list[tuple[str, str]], key: str) -> str:
    for name, value in headers:
        if name == key:
            return value.strip()
    return ""


def _licenses(headers: list[tuple[str, str]]) -> tuple[str, ...]:
    expression = _first(headers, "license-expression")
    if expression:
        return (expression,)
    declared = _first(headers, "license")
    if (
        declared.lower() not in _UNKNOWN
        and "\n" not in declared
        and len(declared) <= _MAX_LICENSE_CHARS
    ):
        return (declared,)
    found: list[str] = []
    for name, value in headers:
        if name != "classifier":
            continue
        parts = [part.strip() for part in value.split("::")]
        # "License :: OSI Approved :: MIT License" -> "MIT License"; the bare
        # category "License :: OSI Approved" names no licence.
        if (
            parts[0] == "License"
            and len(parts) > 1
            and parts[-1] != "OSI Approved"
            and parts[-1] not in found
        ):
            found.append(parts[-1])
    return tuple(found)
