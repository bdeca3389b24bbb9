"""Package names as each ecosystem compares them (one rule shared by the store, the
matcher and the inventory's duplicate merging).

Only rules the ecosystem itself applies are used: folding two names the
registry keeps apart would report one package's advisories against another.

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


def base_ecosystem(ecosystem: str) -> str:
    """The ecosystem without its release: `Debian:12` → `Debian`, `PyPI` → `PyPI`."""
    return ecosystem.split(":", 1)[0]


def normalize_name(ecosystem: str, name: str) -> str:
    """The name as `ecosystem` (an OSV ecosystem name, release allowed) compares it."""
    base = base_ecosystem(ecosystem)
    if base == "PyPI":
        return pep503_name(name)
    if base == "crates.io":
        return name.lower().replace("_", "-")
    if base in ("NuGet", "Packagist"):
        return name.lower()
    return name


def pep503_name(name: str) -> str:
    """PEP 503's normalised name: `re.sub(r"[-_.]+", "-", name).lower()`.

    What `packaging.utils.canonicalize_name` returns, written out: importing
    packaging.utils imports its wheel-tag machinery (sysconfig, ELF readers),
    which every scan that merges or matches names would pay at start-up.
    """
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value
