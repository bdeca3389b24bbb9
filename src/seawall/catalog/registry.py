"""Every cataloger seawall runs, in the order it runs them (explicit; no self-registration).

Each reader (the catalogers and the distro detector) is declared here by what
the pipeline needs before reading any file: its NAME, VERSION and
MAX_FILE_BYTES (the per-layer cache key) and where its class lives
(`_DECLARED`); `path_hints` gives each a `PathHint` naming the files it can
possibly want. The class is imported only when one of those files turns up
(`LazyReader`), so a scan imports the parsers (YAML, TOML, zip, SQLite,
packaging …) of the ecosystems the image holds.

Start-up (docs/architecture.md): importing this module imports nothing else
of seawall's. A warm scan needs the declarations for its cache keys and
nothing more; the hints, which name functions of the parsers' modules
(`may_be_program`, `is_requirements_file` …), are built on first use
(`path_hints`, `HINTS`), and `PathHint`/`HintIndex` live in `catalog.hints`
(still importable from here).

Two rules keep the declarations true:

- NAME, VERSION and MAX_FILE_BYTES are checked against the class when it is
  loaded (a mismatch raises) and for every reader by the registry's tests:
  bump a VERSION in the cataloger *and* here.
- A hint may admit more paths than the reader wants, never fewer: a
  cataloger whose `wants` starts accepting new names needs its hint widened.
"""

from collections.abc import Callable, Sequence
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from seawall.catalog.base import CatalogContext, Cataloger, CatalogFile, CatalogResult
    from seawall.catalog.hints import HintIndex, PathHint

    HINTS: dict[str, PathHint]


class LazyReader:
    """A declared reader (the distro detector; `LazyCataloger` for a cataloger) whose
    module is imported on first real use.

    Subclassed once per declaration (`_declare`), so that NAME, VERSION and
    MAX_FILE_BYTES are class variables as the Cataloger protocol has them.
    `wants` asks the hint first: most paths never import anything.
    """

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    MAX_FILE_BYTES: ClassVar[int]
    HOME: ClassVar[str]
    """`module:Class` of the real reader."""

    def __init__(self) -> None:
        self._real: Any = None
        self._admits: Callable[[str], bool] | None = None

    @property
    def HINT(self) -> "PathHint":  # a class variable may stand in for it (tests do)
        """The reader's declared hint (`path_hints`)."""
        return path_hints()[self.NAME]

    def _loaded(self) -> Any:
        """The real reader (imported now if it was not yet), checked against the declaration."""
        if self._real is None:
            module, _, name = self.HOME.partition(":")
            real = getattr(import_module(module), name)()
            declared = (self.NAME, self.VERSION, self.MAX_FILE_BYTES)
            actual = (real.NAME, real.VERSION, real.MAX_FILE_BYTES)
            if declared != actual:
                # A stale declaration would key the layer cache on the wrong VERSION.
                raise RuntimeError(
                    f"catalog/registry.py declares {self.HOME} as {declared}, "
                    f"but the class says {actual}: update the declaration"
                )
            self._real = real
        return self._real

    def wants(self, path: str) -> bool:
        admits = self._admits
        if admits is None:
            admits = self._admits = self.HINT.compiled()
        if not admits(path):
            return False
        wanted: bool = self._loaded().wants(path)
        return wanted


_R = TypeVar("_R", bound=LazyReader)


class LazyCataloger(LazyReader):
    """A declared cataloger: a `LazyReader` that also catalogs."""

    def load(self) -> "Cataloger":
        """The real cataloger (imported now if it was not yet)."""
        real: Cataloger = self._loaded()
        return real

    def catalog(self, files: "Sequence[CatalogFile]", context: "CatalogContext") -> "CatalogResult":
        return self.load().catalog(files, context)


def _declare(kind: type[_R], name: str, version: int, max_file_bytes: int, home: str) -> _R:
    """An instance of a subclass of `kind` holding one declaration as its class variables."""
    attributes = {"NAME": name, "VERSION": version, "MAX_FILE_BYTES": max_file_bytes, "HOME": home}
    declared: _R = type(f"{kind.__name__}[{name}]", (kind,), attributes)()
    return declared


_MIB = 1024 * 1024
_LANG = "seawall.catalog.lang"

_DECLARED: tuple[tuple[str, int, int, str], ...] = (
    ("os/dpkg", 4, 64 * _MIB, "seawall.catalog.os.dpkg:DpkgCataloger"),
    ("os/apk", 2, 128 * _MIB, "seawall.catalog.os.apk:ApkCataloger"),
    ("os/rpm", 2, 256 * _MIB, "seawall.catalog.os.rpm:RpmCataloger"),
    ("python/installed", 1, 16 * _MIB, f"{_LANG}.python.installed:InstalledCataloger"),
    ("python/requirements", 2, 4 * _MIB, f"{_LANG}.python.requirements:RequirementsCataloger"),
    ("python/poetry-lock", 2, 32 * _MIB, f"{_LANG}.python.poetry:PoetryLockCataloger"),
    ("python/pipfile-lock", 2, 16 * _MIB, f"{_LANG}.python.pipfile:PipfileLockCataloger"),
    ("python/uv-lock", 2, 32 * _MIB, f"{_LANG}.python.uv:UvLockCataloger"),
    ("python/pdm-lock", 2, 32 * _MIB, f"{_LANG}.python.pdm:PdmLockCataloger"),
    ("python/conda-meta", 2, 16 * _MIB, f"{_LANG}.python.conda:CondaMetaCataloger"),
    (
        "javascript/node-modules",
        2,
        4 * _MIB,
        f"{_LANG}.javascript.node_modules:NodeModulesCataloger",
    ),
    (
        "javascript/package-lock",
        3,
        64 * _MIB,
        f"{_LANG}.javascript.package_lock:PackageLockCataloger",
    ),
    ("javascript/yarn-lock", 1, 64 * _MIB, f"{_LANG}.javascript.yarn_lock:YarnLockCataloger"),
    ("javascript/pnpm-lock", 2, 64 * _MIB, f"{_LANG}.javascript.pnpm:PnpmLockCataloger"),
    ("go/binary", 2, 512 * _MIB, f"{_LANG}.go.binary:GoBinaryCataloger"),
    ("go/mod", 3, 8 * _MIB, f"{_LANG}.go.gomod:GoModCataloger"),
    ("java/archive", 2, 512 * _MIB, f"{_LANG}.java.archive:JavaArchiveCataloger"),
    ("rust/cargo-lock", 2, 16 * _MIB, f"{_LANG}.rust.cargo_lock:CargoLockCataloger"),
    ("rust/auditable", 2, 512 * _MIB, f"{_LANG}.rust.auditable:RustAuditableCataloger"),
    ("ruby/gemspec", 2, 4 * _MIB, f"{_LANG}.ruby.gemspec:GemspecCataloger"),
    ("ruby/gemfile-lock", 1, 8 * _MIB, f"{_LANG}.ruby.gemfile_lock:GemfileLockCataloger"),
    ("php/composer-lock", 2, 32 * _MIB, f"{_LANG}.php.composer:ComposerLockCataloger"),
    ("php/installed-json", 2, 32 * _MIB, f"{_LANG}.php.composer:InstalledJsonCataloger"),
    ("dotnet/deps-json", 2, 32 * _MIB, f"{_LANG}.dotnet.nuget:DepsJsonCataloger"),
    ("dotnet/packages-lock", 2, 32 * _MIB, f"{_LANG}.dotnet.nuget:PackagesLockCataloger"),
    ("dotnet/packages-config", 2, 4 * _MIB, f"{_LANG}.dotnet.nuget:PackagesConfigCataloger"),
)
"""(NAME, VERSION, MAX_FILE_BYTES, `module:Class`) of each cataloger, in running order."""

RELEASE = _declare(LazyReader, "os/release", 1, 64 * 1024, "seawall.catalog.os.release:OsRelease")
"""Runs before the catalogers: its Distro goes to every cataloger's context."""

CATALOGERS: tuple[LazyCataloger, ...] = tuple(
    _declare(LazyCataloger, *declared) for declared in _DECLARED
)

FILE_LOCAL: frozenset[str] = frozenset({"go/binary", "rust/auditable", "java/archive"})
"""Catalogers that read each file on its own, needing no other file and no distro.

Their inputs are large (binaries, archives), so the per-layer cache keeps
what they found in each file instead of the file's bytes.
"""

EXECUTABLES_ONLY: frozenset[str] = frozenset({"go/binary", "rust/auditable"})
"""File-local catalogers that find nothing, not even a problem, in a file that does
not start like an executable (`binaries.looks_executable` is False): the pipeline
need not read such a file for them."""


@cache
def path_hints() -> "dict[str, PathHint]":
    """Every reader's path hint, by NAME (`RELEASE` first, then `CATALOGERS` in order),
    for the pipeline's combined prefilter; also the module's `HINTS`."""
    from seawall.catalog.hints import PathHint
    from seawall.catalog.lang.binaries import may_be_program
    from seawall.catalog.lang.paths import is_conda_meta_record, is_requirements_file
    from seawall.catalog.os.filelists import DPKG_INFO, DPKG_STATUS_D, is_dpkg_file_list
    from seawall.catalog.os.release import RELEASE_PATHS

    def named(*names: str) -> PathHint:
        return PathHint(names=frozenset(names))

    programs = PathHint(test=may_be_program)
    return {
        RELEASE.NAME: named(*(path.rpartition("/")[2] for path in RELEASE_PATHS)),
        "os/dpkg": PathHint(
            names=frozenset({"status", "copyright", "diversions"}),
            prefixes=(DPKG_STATUS_D, DPKG_INFO),
            lists=is_dpkg_file_list,
        ),
        "os/apk": named("installed"),
        "os/rpm": named("rpmdb.sqlite", "rpmdb.sqlite-wal", "Packages", "Packages.db"),
        "python/installed": PathHint(
            names=frozenset({"METADATA", "PKG-INFO"}), suffixes=(".egg-info",)
        ),
        "python/requirements": PathHint(suffixes=(".txt",), where=is_requirements_file),
        "python/poetry-lock": named("poetry.lock"),
        "python/pipfile-lock": named("Pipfile.lock"),
        "python/uv-lock": named("uv.lock"),
        "python/pdm-lock": named("pdm.lock"),
        "python/conda-meta": PathHint(suffixes=(".json",), where=is_conda_meta_record),
        "javascript/node-modules": named("package.json"),
        "javascript/package-lock": named("package-lock.json", "npm-shrinkwrap.json"),
        "javascript/yarn-lock": named("yarn.lock"),
        "javascript/pnpm-lock": named("pnpm-lock.yaml"),
        "go/binary": programs,
        "go/mod": named("go.mod", "go.sum"),
        "java/archive": PathHint(suffixes=(".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi")),
        "rust/cargo-lock": named("Cargo.lock"),
        "rust/auditable": programs,
        "ruby/gemspec": PathHint(suffixes=(".gemspec",)),
        "ruby/gemfile-lock": named("Gemfile.lock", "gems.locked"),
        "php/composer-lock": named("composer.lock"),
        "php/installed-json": named("installed.json"),
        "dotnet/deps-json": PathHint(suffixes=(".deps.json",)),
        "dotnet/packages-lock": named("packages.lock.json"),
        "dotnet/packages-config": named("packages.config"),
    }


__all__ = [
    "CATALOGERS",
    "EXECUTABLES_ONLY",
    "FILE_LOCAL",
    "HINTS",
    "RELEASE",
    "HintIndex",
    "LazyCataloger",
    "LazyReader",
    "PathHint",
    "path_hints",
]


def __getattr__(name: str) -> Any:
    # PEP 562: `HINTS`, and the hint types from their own module, on first use.
    if name == "HINTS":
        return path_hints()
    if name in ("PathHint", "HintIndex"):
        from seawall.catalog import hints

        value = getattr(hints, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
