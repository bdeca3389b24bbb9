"""Package names as each ecosystem compares them, so lookups find every spelling.

The store indexes `affected[].package.name` in this form and the lookup
normalises the asked name the same way. Only rules the ecosystem itself
applies are used: folding two names the registry keeps apart would report
one package's advisories against another.
"""

from packaging.utils import canonicalize_name


def base_ecosystem(ecosystem: str) -> str:
    """The ecosystem without its release: `Debian:12` → `Debian`, `PyPI` → `PyPI`."""
    return ecosystem.split(":", 1)[0]


def normalize_name(ecosystem: str, name: str) -> str:
    """The name as `ecosystem` compares it.

    - PyPI: PEP 503 (lower case, runs of `-`, `_`, `.` become `-`).
    - crates.io: lower case and `_` → `-`; crates.io refuses a new crate whose
      name differs from an existing one only by case or `-`/`_`, and Cargo
      resolves them alike.
    - NuGet: package ids are case-insensitive (NuGet docs, "Package ID").
    - Packagist: Composer names are case-insensitive; Packagist lower-cases them.
    - npm: as written. New names must be lower case, but legacy packages with
      capitals (`JSONStream`) are distinct registry entries.
    - Go (module paths), Maven (`group:artifact`), RubyGems, Hex, Pub and every
      distribution (source package names): case-sensitive, as written.
    """
    base = base_ecosystem(ecosystem)
    if base == "PyPI":
        return canonicalize_name(name)
    if base == "crates.io":
        return name.lower().replace("_", "-")
    if base in ("NuGet", "Packagist"):
        return name.lower()
    return name


def prefix_matched(ecosystem: str) -> bool:
    """True when a release in `ecosystem` also names every stream under it.

    Red Hat advisories name CPE-like streams (`Red Hat:enterprise_linux:9::appstream`);
    an image knows only its release (`Red Hat:enterprise_linux:9`), so the
    lookup takes every ecosystem that starts with the release and a colon.
    """
    return base_ecosystem(ecosystem) == "Red Hat" and ":" in ecosystem
