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
from seawall.catalog.lang.paths import is_conda_meta_record, is_requirements_file
from seawall.catalog.os.filelists import DPKG_INFO, is_dpkg_file_list
from seawall.catalog.os.release import RELEASE_PATHS, OsRelease


@dataclass(frozen=True, slots=True)
class PathHint:
    """A cheap superset of the paths a reader wants, for a combined prefilter.

    A path is admitted when its base name is one of `names`, its lower-cased
    base name ends with one of `suffixes`, it starts with one of `prefixes`,
    or `test` accepts it, and `where` (when given) accepts it too; the
    reader's own `wants` then decides. `where` keeps a wide suffix exact
    (`.txt` files that are requirements files) at no cost to other paths.

    `lists` (not part of admitting) marks the wanted paths that are an
    installed package's file list, one absolute path a line (dpkg's
    `info/<package>.list`): a reduced layer keeps of such a file only the
    lines naming a path some other cataloger wants, which is all its reader
    needs to say who owns a language package's files, at a fraction of the
    bytes (docs/accuracy.md, "Packages a distribution installed").
    """

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    test: Callable[[str], bool] | None = None
    where: Callable[[str], bool] | None = None
    lists: Callable[[str], bool] | None = None

    def admits(self, path: str) -> bool:
        base = path[path.rfind("/") + 1 :]
        return (
            base in self.names
            or base.lower().endswith(self.suffixes)
            or path.startswith(self.prefixes)
            or (self.test is not None and self.test(path))
        ) and (self.where is None or self.where(path))

    def compiled(self) -> Callable[[str], bool]:
        """`admits` reduced to the parts this hint has (most hints are a set of names)."""
        if self.where is not None:
            where = self.where
            broad = PathHint(self.names, self.suffixes, self.prefixes, self.test).compiled()

            def refined(path: str) -> bool:
                return broad(path) and where(path)

            return refined
        names, suffixes, prefixes, test = self.names, self.suffixes, self.prefixes, self.test
        if not (suffixes or prefixes or test):

            def by_name(path: str) -> bool:
                return path[path.rfind("/") + 1 :] in names

            return by_name
        if not (names or prefixes or test):

            def by_suffix(path: str) -> bool:
                return path[path.rfind("/") + 1 :].lower().endswith(suffixes)

            return by_suffix
        if test is not None and not (names or suffixes or prefixes):
            return test
        return self.admits


class HintIndex:
    """Which of many path hints admit a path, found with a few lookups instead of asking each.

    Hints are compiled once: base names into one dict, suffixes into a dict keyed
    by their last extension (`.json` for `.deps.json`), prefixes into one
    `startswith` tuple, and each distinct test called once. A path then costs a
    base-name lookup, an extension lookup, one prefix test and the tests, whatever
    the number of hints; a hint's `where` runs only on the paths the rest admits.
    `admitted` answers exactly what asking every hint's `admits` would, as
    positions into the sequence given (None: admits every path).
    """

    __slots__ = (
        "_always",
        "_by_extension",
        "_by_name",
        "_by_prefix",
        "_loose",
        "_prefixes",
        "_refined",
        "_tests",
    )

    def __init__(self, hints: Sequence[PathHint | None]) -> None:
        always: list[int] = []
        by_name: dict[str, list[int]] = {}
        by_suffix: dict[str, list[int]] = {}
        by_prefix: dict[str, list[int]] = {}
        by_test: dict[Callable[[str], bool], list[int]] = {}
        refined: dict[int, Callable[[str], bool]] = {}
        for position, hint in enumerate(hints):
            if hint is None:
                always.append(position)
                continue
            if hint.where is not None:
                refined[position] = hint.where
            for name in hint.names:
                by_name.setdefault(name, []).append(position)
            for suffix in hint.suffixes:
                by_suffix.setdefault(suffix, []).append(position)
            for prefix in hint.prefixes:
                by_prefix.setdefault(prefix, []).append(position)
            if hint.test is not None:
                by_test.setdefault(hint.test, []).append(position)
        self._always = tuple(always)
        self._by_name = {name: tuple(positions) for name, positions in by_name.items()}
        by_extension: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        loose: list[tuple[str, tuple[int, ...]]] = []
        for suffix, positions in by_suffix.items():
            dot = suffix.rfind(".")
            if dot < 0:
                # Without a dot the suffix has no extension to be found by.
                loose.append((suffix, tuple(positions)))
            else:
                by_extension.setdefault(suffix[dot:], []).append((suffix, tuple(positions)))
        self._by_extension = {ext: tuple(entries) for ext, entries in by_extension.items()}
        self._loose = tuple(loose)
        self._prefixes = tuple(by_prefix)
        self._by_prefix = tuple((prefix, tuple(p)) for prefix, p in by_prefix.items())
        self._tests = tuple((test, tuple(p)) for test, p in by_test.items())
        self._refined = refined

    def admitted(self, path: str) -> tuple[int, ...]:
        """Positions of the hints admitting `path`, in increasing order."""
        base = path[path.rfind("/") + 1 :]
        found = self._always + self._by_name.get(base, ())
        dot = base.rfind(".")
        if dot >= 0:
            entries = self._by_extension.get(base[dot:].lower())
            if entries is not None:
                lower = base.lower()
                for suffix, positions in entries:
                    if lower.endswith(suffix):
                        found += positions
        if self._loose:
            lower = base.lower()
            for suffix, positions in self._loose:
                if lower.endswith(suffix):
                    found += positions
        if path.startswith(self._prefixes):
            for prefix, positions in self._by_prefix:
                if path.startswith(prefix):
                    found += positions
        for test, positions in self._tests:
            if test(path):
                found += positions
        if len(found) > 1:
            found = tuple(sorted(set(found)))
        if found and self._refined:
            refined = self._refined
            found = tuple(p for p in found if (where := refined.get(p)) is None or where(path))
        return found


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
        self._admits = self.HINT.compiled()

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
        return self._admits(path) and self.load().wants(path)

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
        2,
        64 * _MIB,
        "seawall.catalog.os.dpkg:DpkgCataloger",
        PathHint(
            names=frozenset({"status", "copyright"}),
            prefixes=("/var/lib/dpkg/status.d/", DPKG_INFO),
            lists=is_dpkg_file_list,
        ),
    ),
    ("os/apk", 2, 128 * _MIB, "seawall.catalog.os.apk:ApkCataloger", _names("installed")),
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
        PathHint(suffixes=(".txt",), where=is_requirements_file),
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
        PathHint(suffixes=(".json",), where=is_conda_meta_record),
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
