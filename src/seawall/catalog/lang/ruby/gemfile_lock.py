"""`ruby/gemfile-lock`: gems locked by Bundler's Gemfile.lock.

Bundler's lockfile (Bundler::LockfileParser): sections start at column 0 (`GEM`,
`GIT`, `PATH`, `PLATFORMS`, `DEPENDENCIES`, `BUNDLED WITH` …). In the source
sections, `specs:` lists one gem per line at four spaces, `name (version)`, where the
version may end in a platform (`1.16.3-x86_64-linux`: RubyGems versions never hold
`-`, so the first `-` starts the platform); lines at six spaces under a gem are its
dependencies, `name` or `name (requirement)`, which become relationships to every
locked variant of that gem.
"""

import re
from collections.abc import Sequence
from typing import ClassVar

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.collector import Findings, gather
from seawall.catalog.lang.ruby.gemspec import gem_purl
from seawall.catalog.purls import PurlError
from seawall.model.package import Ecosystem, Location, Package, Relationship

NAME = "ruby/gemfile-lock"
_SPEC = re.compile(r"^    (\S+) \(([^)\s]+)\)$")
_DEPENDENCY = re.compile(r"^      (\S+)(?: \(.*\))?$")
_SOURCE_SECTIONS = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})


class GemfileLockCataloger:
    """Ruby gems and their dependencies from Gemfile.lock."""

    NAME: ClassVar[str] = NAME
    VERSION: ClassVar[int] = 1
    MAX_FILE_BYTES: ClassVar[int] = 8 * 1024 * 1024
    """Large applications lock a few hundred gems: well under 1 MiB."""

    def wants(self, path: str) -> bool:
        return path.endswith(("/Gemfile.lock", "/gems.locked"))

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return gather(files, _find)


def _find(file: CatalogFile) -> Findings:
    try:
        text = file.content.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [], [f"not UTF-8 text ({error.reason})"]
    problems: list[str] = []
    found, edges = _parse(text, Location(file.path, file.layer), problems)
    if not found and "specs:" not in text:
        problems.append("no `specs:` section: not a Bundler lockfile")
    return found, edges, problems


def _parse(
    text: str, location: Location, problems: list[str]
) -> tuple[list[Package], list[Relationship]]:
    """The locked gems and their edges; a gem that spells no purl is added to `problems`."""
    packages: list[Package] = []
    wanted: list[tuple[str, str]] = []  # (parent purl, dependency name)
    section = ""
    parent: str | None = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            section, parent = line.strip(), None
            continue
        if section not in _SOURCE_SECTIONS:
            continue
        spec = _SPEC.match(line)
        if spec:
            name, locked = spec.groups()
            version, _, platform = locked.partition("-")
            try:
                parent = gem_purl(name, version, platform or None)
            except PurlError as error:
                problems.append(str(error))
                parent = None
                continue
            packages.append(
                Package(
                    name=name,
                    version=version,
                    ecosystem=Ecosystem.RUBYGEMS,
                    purl=parent,
                    cataloger=NAME,
                    locations=(location,),
                )
            )
            continue
        dependency = _DEPENDENCY.match(line)
        if dependency and parent is not None:
            wanted.append((parent, dependency.group(1)))
        elif not line.startswith("      "):
            parent = None
    variants: dict[str, list[str]] = {}
    for package in packages:
        variants.setdefault(package.name, []).append(package.purl)
    relationships = [
        Relationship(parent_purl, child)
        for parent_purl, name in wanted
        for child in variants.get(name, ())
    ]
    return packages, relationships
