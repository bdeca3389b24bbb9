"""Every cataloger seawall runs, in the order it runs them (explicit; no self-registration).

Each cataloger is declared here by what the pipeline needs before reading any
file: its NAME, VERSION and MAX_FILE_BYTES (the per-layer cache key), where
its class lives, and a `PathHint` naming the files it can possibly want. The
class is imported only when one of those files turns up (`LazyCataloger`), so
a scan imports the parsers (YAML, TOML, zip, SQLite, packaging …) of the
ecosystems the image holds, and a warm scan almost none (docs/architecture.md,
"Start-up").

Two rules keep the declarations true:

- NAME, VERSION and MAX_FILE_BYTES are checked against the class when it is
  loaded (a mismatch raises) and for every cataloger by the registry's tests:
  bump a VERSION in the cataloger *and* here.
- A hint may admit more paths than the cataloger wants, never fewer: a
  cataloger whose `wants` starts accepting new names needs its hint widened.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import ClassVar

from seawall.catalog.base import CatalogContext, Cataloger, CatalogFile, CatalogResult
from seawall.catalog.lang.binaries import may_be_program
from seawall.catalog.os.release import RELEASE_PATHS, OsRelease


@dataclass(frozen=True, slots=True)
class PathHint:
    """A cheap superset of the paths a reader wants, for a combined prefilter.

    A path is admitted when its base name is one of `names`, its lower-cased
    base name ends with one of `suffixes`, it starts with one of `prefixes`,
    or `test` accepts it; the reader's own `wants` then decides.
    """

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    test: Callable[[str], bool] | None = None

    def admits(self, path: str) -> bool:
        base = path[path.rfind("/") + 1 :]
        return (
            base in self.names
            or base.lower().endswith(self.suffixes)
            or path.startswith(self.prefixes)
            or (self.test is not None and self.test(path))
        )


def _names(*names: str) -> PathHint:
    return PathHint(names=frozenset(names))


class LazyCataloger:
    """A declared cataloger whose module is imported on first real use.

    Subclassed once per declaration (`_declare`), so that NAME, VERSION and
    MAX_FILE_BYTES are class variables as the Cataloger protocol has them.
    `wants` asks the hint first: most paths never import anything.
    """

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    MAX_FILE_BYTES: ClassVar[int]
    HOME: ClassVar[str]
    """`module:Class` of the real cataloger."""
    HINT: ClassVar[PathHint]

    def __init__(self) -> None:
        self._real: Cataloger | None = None

    def load(self) -> Cataloger:
        """The real cataloger (imported now if it was not yet)."""
        if self._real is None:
            module, _, name = self.HOME.partition(":")
            real: Cataloger = getattr(import_module(module), name)()
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
        return self.HINT.admits(path) and self.load().wants(path)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        return self.load().catalog(files, context)


def _declare(
    name: str, version: int, max_file_bytes: int, home: str, hint: PathHint
) -> LazyCataloger:
    class Declared(LazyCataloger):
        NAME = name
        VERSION = version
        MAX_FILE_BYTES = max_file_bytes
        HOME = home
        HINT = hint

    Declared.__name__ = Declared.__qualname__ = f"LazyCataloger[{name}]"
    return Declared()


_MIB = 1024 * 1024
_LANG = "seawall.catalog.lang"

_DECLARED: tuple[tuple[str, int, int, str, PathHint], ...] = (
    (
        "os/dpkg",
        1,
        64 * _MIB,
        "seawall.catalog.os.dpkg:DpkgCataloger",
        PathHint(names=frozenset({"status", "copyright"}), prefixes=("/var/lib/dpkg/status.d/",)),
    ),
    ("os/apk", 1, 128 * _MIB, "seawall.catalog.os.apk:ApkCataloger", _names("installed")),
    (
        "os/rpm",
        1,
        256 * _MIB,
        "seawall.catalog.os.rpm:RpmCataloger",
        _names("rpmdb.sqlite", "rpmdb.sqlite-wal", "Packages", "Packages.db"),
    ),
    (
        "python/installed",
        1,
        16 * _MIB,
        f"{_LANG}.python.installed:InstalledCataloger",
        PathHint(names=frozenset({"METADATA", "PKG-INFO"}), suffixes=(".egg-info",)),
    ),
    (
        "python/requirements",
        1,
        4 * _MIB,
        f"{_LANG}.python.requirements:RequirementsCataloger",
        PathHint(suffixes=(".txt",)),
    ),
    (
        "python/poetry-lock",
        1,
        32 * _MIB,
        f"{_LANG}.python.poetry:PoetryLockCataloger",
        _names("poetry.lock"),
    ),
    (
        "python/pipfile-lock",
        1,
        16 * _MIB,
        f"{_LANG}.python.pipfile:PipfileLockCataloger",
        _names("Pipfile.lock"),
    ),
    ("python/uv-lock", 1, 32 * _MIB, f"{_LANG}.python.uv:UvLockCataloger", _names("uv.lock")),
    ("python/pdm-lock", 1, 32 * _MIB, f"{_LANG}.python.pdm:PdmLockCataloger", _names("pdm.lock")),
    (
        "python/conda-meta",
        1,
        16 * _MIB,
        f"{_LANG}.python.conda:CondaMetaCataloger",
        PathHint(suffixes=(".json",)),
    ),
    (
        "javascript/node-modules",
        1,
        4 * _MIB,
        f"{_LANG}.javascript.node_modules:NodeModulesCataloger",
        _names("package.json"),
    ),
    (
        "javascript/package-lock",
        2,
        64 * _MIB,
        f"{_LANG}.javascript.package_lock:PackageLockCataloger",
        _names("package-lock.json", "npm-shrinkwrap.json"),
    ),
    (
        "javascript/yarn-lock",
        1,
        64 * _MIB,
        f"{_LANG}.javascript.yarn_lock:YarnLockCataloger",
        _names("yarn.lock"),
    ),
    (
        "javascript/pnpm-lock",
        2,
        64 * _MIB,
        f"{_LANG}.javascript.pnpm:PnpmLockCataloger",
        _names("pnpm-lock.yaml"),
    ),
    (
        "go/binary",
        2,
        512 * _MIB,
        f"{_LANG}.go.binary:GoBinaryCataloger",
        PathHint(test=may_be_program),
    ),
    ("go/mod", 2, 8 * _MIB, f"{_LANG}.go.gomod:GoModCataloger", _names("go.mod", "go.sum")),
    (
        "java/archive",
        1,
        512 * _MIB,
        f"{_LANG}.java.archive:JavaArchiveCataloger",
        PathHint(suffixes=(".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi")),
    ),
    (
        "rust/cargo-lock",
        1,
        16 * _MIB,
        f"{_LANG}.rust.cargo_lock:CargoLockCataloger",
        _names("Cargo.lock"),
    ),
    (
        "rust/auditable",
        1,
        512 * _MIB,
        f"{_LANG}.rust.auditable:RustAuditableCataloger",
        PathHint(test=may_be_program),
    ),
    (
        "ruby/gemspec",
        1,
        4 * _MIB,
        f"{_LANG}.ruby.gemspec:GemspecCataloger",
        PathHint(suffixes=(".gemspec",)),
    ),
    (
        "ruby/gemfile-lock",
        1,
        8 * _MIB,
        f"{_LANG}.ruby.gemfile_lock:GemfileLockCataloger",
        _names("Gemfile.lock", "gems.locked"),
    ),
    (
        "php/composer-lock",
        1,
        32 * _MIB,
        f"{_LANG}.php.composer:ComposerLockCataloger",
        _names("composer.lock"),
    ),
    (
        "php/installed-json",
        1,
        32 * _MIB,
        f"{_LANG}.php.composer:InstalledJsonCataloger",
        _names("installed.json"),
    ),
    (
        "dotnet/deps-json",
        1,
        32 * _MIB,
        f"{_LANG}.dotnet.nuget:DepsJsonCataloger",
        PathHint(suffixes=(".deps.json",)),
    ),
    (
        "dotnet/packages-lock",
        1,
        32 * _MIB,
        f"{_LANG}.dotnet.nuget:PackagesLockCataloger",
        _names("packages.lock.json"),
    ),
    (
        "dotnet/packages-config",
        1,
        4 * _MIB,
        f"{_LANG}.dotnet.nuget:PackagesConfigCataloger",
        _names("packages.config"),
    ),
)

RELEASE = OsRelease()
"""Runs before the catalogers: its Distro goes to every cataloger's context."""

CATALOGERS: tuple[LazyCataloger, ...] = tuple(_declare(*declared) for declared in _DECLARED)

FILE_LOCAL: frozenset[str] = frozenset({"go/binary", "rust/auditable", "java/archive"})
"""Catalogers that read each file on its own, needing no other file and no distro.

Their inputs are large (binaries, archives), so the per-layer cache keeps
what they found in each file instead of the file's bytes.
"""

EXECUTABLES_ONLY: frozenset[str] = frozenset({"go/binary", "rust/auditable"})
"""File-local catalogers that find nothing, not even a problem, in a file that does
not start like an executable (`binaries.looks_executable` is False): the pipeline
need not read such a file for them."""

HINTS: dict[str, PathHint] = {
    RELEASE.NAME: PathHint(names=frozenset(path.rpartition("/")[2] for path in RELEASE_PATHS)),
    **{cataloger.NAME: cataloger.HINT for cataloger in CATALOGERS},
}
"""Every reader's path hint, by NAME, for the pipeline's combined prefilter."""
