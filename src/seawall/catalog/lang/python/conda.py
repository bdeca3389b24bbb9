"""conda environments: one `conda-meta/*.json` record per installed conda package.

The record is conda's PrefixRecord: `name`, `version`, `build`, `subdir`,
`channel`, `fn`, `license`, `depends` (match specs `name [version [build]]`).
The purl follows the purl spec's `conda` type: `pkg:conda/NAME@VERSION` with
`build`, `channel`, `subdir` and `type` (`conda` or `tar.bz2`) qualifiers;
`channel` is the channel's name (`conda-forge`, `main`), not its URL, for
the public Anaconda hosts, and the URL (without the subdir) for others.
Records of the pseudo-channel `pypi` (pip installs that conda noticed) are
not conda packages and are skipped: python/installed reports them.
Relationships link packages of the same environment (same conda-meta directory).
"""

import posixpath
from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar
from urllib.parse import urlsplit

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Collector, locate
from seawall.catalog.lang.documents import load_json_object
from seawall.catalog.lang.paths import is_conda_meta_record
from seawall.catalog.lang.python.locked import text
from seawall.catalog.purls import PurlError, spell_purl
from seawall.model.package import Ecosystem, Package

_MAX_BYTES = 16 * 1024 * 1024
_NAME_HOSTS = frozenset({"conda.anaconda.org"})
_PKGS_HOSTS = frozenset({"repo.anaconda.com", "repo.continuum.io"})


class CondaMetaCataloger:
    """Packages installed in conda environments."""

    NAME: ClassVar[str] = "python/conda-meta"
    VERSION: ClassVar[int] = 2
    MAX_FILE_BYTES: ClassVar[int] = _MAX_BYTES

    def wants(self, path: str) -> bool:
        return is_conda_meta_record(path)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        out = Collector()
        # environment directory -> name -> purls, and the edges to resolve in it
        environments: dict[str, dict[str, list[str]]] = {}
        edges: list[tuple[str, str, str]] = []
        load = partial(load_json_object, kind="conda-meta record")
        for file, record in out.documents(files, self.MAX_FILE_BYTES, load):
            try:
                package = self._package(record, file, out)
            except PurlError as error:
                out.problem(file.path, str(error))
                continue
            if package is None:
                if text(record.get("name")) is None or text(record.get("version")) is None:
                    out.problem(file.path, "conda-meta record has no name or version")
                continue
            out.add(package)
            environment = posixpath.dirname(file.path)
            environments.setdefault(environment, {}).setdefault(package.name, []).append(
                package.purl
            )
            depends = record.get("depends")
            for spec in depends if isinstance(depends, list) else ():
                if isinstance(spec, str) and spec.split():
                    edges.append((environment, package.purl, spec.split()[0]))
        for environment, parent, name in edges:
            for child in environments[environment].get(name, ()):
                out.relate(parent, child)
        return out.result()

    def _package(self, record: dict[str, Any], file: CatalogFile, out: Collector) -> Package | None:
        """The record's package; None without a name or version, PurlError when its
        fields spell no purl. A channel URL that does not parse is left out of the
        purl, with a problem."""
        name, version = text(record.get("name")), text(record.get("version"))
        if name is None or version is None:
            return None
        subdir = text(record.get("subdir"))
        channel_url = text(record.get("channel"))
        if channel_url is not None and channel_url.rstrip("/").endswith("/pypi"):
            return None
        channel = _channel_name(channel_url, subdir) if channel_url else None
        if channel_url and channel is None:
            out.problem(file.path, "channel is not a valid URL (left out of the purl)")
        qualifiers = {
            "build": text(record.get("build")),
            "channel": channel,
            "subdir": subdir,
            "type": _package_type(text(record.get("fn"))),
        }
        purl = spell_purl(
            "conda",
            name,
            version,
            qualifiers={key: value for key, value in qualifiers.items() if value},
        )
        license_ = text(record.get("license"))
        return Package(
            name=name,
            version=version,
            ecosystem=Ecosystem.CONDA,
            purl=purl,
            cataloger=self.NAME,
            licenses=(license_,) if license_ and license_ != "None" else (),
            locations=(locate(file),),
        )


def _channel_name(channel: str, subdir: str | None) -> str | None:
    """`https://conda.anaconda.org/conda-forge/linux-64` -> `conda-forge`; None for a URL
    that does not parse."""
    stripped = channel.rstrip("/")
    if subdir and stripped.endswith("/" + subdir):
        stripped = stripped[: -len(subdir) - 1]
    if "://" not in stripped:
        return stripped
    try:
        parts = urlsplit(stripped)
        port = parts.port
    except ValueError:
        # A bracketed host that is not an IPv6 address, or a port that is not a
        # number: no channel can be named (and the URL, which may hold a
        # credential, is not repeated in the problem).
        return None
    path = parts.path.strip("/")
    path = _without_token(path)
    if parts.hostname in _NAME_HOSTS and path:
        return path
    if parts.hostname in _PKGS_HOSTS and path.startswith("pkgs/"):
        return path.removeprefix("pkgs/")
    # Private mirrors: the URL itself, without credentials (conda may keep a token in it).
    netloc = parts.hostname or ""
    if port:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}/{path}".rstrip("/")


def _without_token(path: str) -> str:
    """Drop conda's token-in-path segment pair `t/<TOKEN>`: a token is never kept."""
    segments = path.split("/")
    kept: list[str] = []
    index = 0
    while index < len(segments):
        if segments[index] == "t" and index + 1 < len(segments):
            index += 2
            continue
        kept.append(segments[index])
        index += 1
    return "/".join(kept)


def _package_type(filename: str | None) -> str | None:
    if filename is None:
        return None
    if filename.endswith(".conda"):
        return "conda"
    if filename.endswith(".tar.bz2"):
        return "tar.bz2"
    return None
