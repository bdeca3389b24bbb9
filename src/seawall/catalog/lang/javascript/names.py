"""npm package names, purls (purl spec `npm` type) and declared licences."""

from functools import lru_cache
from typing import Any

from seawall.catalog.lang.packages import PackageFactory
from seawall.catalog.purls import spell_purl
from seawall.model.package import Ecosystem


@lru_cache(maxsize=16384)
def npm_purl(name: str, version: str) -> str:
    """`pkg:npm/name@ver`, or `pkg:npm/%40scope/name@ver`: the scope is the namespace.

    PurlError when the name has no bare part (`@scope/`, empty) or cannot be encoded.
    """
    scope, slash, bare = name.rpartition("/")
    return spell_purl("npm", bare, version, namespace=scope if slash else None)


npm_package = PackageFactory(Ecosystem.NPM, npm_purl)
"""An npm package: `npm_package(name, version, cataloger, locations, licenses=())`."""


def split_spec(spec: str) -> tuple[str, str]:
    """`@scope/name@range` -> (`@scope/name`, `range`); the name may itself start with `@`."""
    at = spec.find("@", 1)
    if at == -1:
        return spec, ""
    return spec[:at], spec[at + 1 :]


def declared_licenses(manifest: dict[str, Any]) -> tuple[str, ...]:
    """`license` (an SPDX expression, or the legacy `{type, url}` object) or legacy `licenses`.

    package.json documentation: `license` is an SPDX expression string; old
    packages use `license: {"type": …}` or `licenses: [{"type": …}, …]`.
    """
    found: list[str] = []
    for value in (manifest.get("license"), manifest.get("licenses")):
        items = value if isinstance(value, list) else [value]
        for item in items:
            kind = item.get("type") if isinstance(item, dict) else item
            if isinstance(kind, str) and kind.strip() and kind.strip() not in found:
                found.append(kind.strip())
    return tuple(found)
