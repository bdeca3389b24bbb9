"""The registry's declarations: true to the catalogers, lazy, and a prefilter that loses nothing."""

import os
import subprocess
import sys
from importlib import import_module
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.catalog.base import Cataloger
from seawall.catalog.lang.binaries import may_be_program
from seawall.catalog.os.release import OsRelease
from seawall.catalog.registry import (
    CATALOGERS,
    EXECUTABLES_ONLY,
    FILE_LOCAL,
    HINTS,
    RELEASE,
    HintIndex,
    LazyCataloger,
    LazyReader,
    PathHint,
    path_hints,
)
from seawall.pipeline.reduce import Wants
from seawall.pipeline.sbom import catalog_wants

# Paths each cataloger wants, and near misses, so every hint is exercised on
# both sides; the walk below adds the real trees of this machine.
EXAMPLES = [
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status.d/base",
    "/var/lib/dpkg/status.d/libc6.md5sums",
    "/usr/share/doc/libc6/copyright",
    "/usr/share/doc/libc6/extra/copyright",
    "/lib/apk/db/installed",
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/rpmdb.sqlite-wal",
    "/usr/lib/sysimage/rpm/Packages.db",
    "/var/lib/rpm/Packages",
    "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
    "/usr/lib/python3/site-packages/six-1.16.0.egg-info/PKG-INFO",
    "/usr/lib/python3/site-packages/old-1.0-py3.11.egg/EGG-INFO/PKG-INFO",
    "/usr/lib/python3/site-packages/argparse-1.2.egg-info",
    "/srv/app/requirements.txt",
    "/srv/app/requirements-dev.txt",
    "/srv/app/requirements/base.txt",
    "/srv/app/constraints.txt",
    "/srv/app/notes.TXT",
    "/srv/app/poetry.lock",
    "/srv/app/Pipfile.lock",
    "/srv/app/uv.lock",
    "/srv/app/pdm.lock",
    "/opt/conda/conda-meta/numpy-1.26.4-py311h.json",
    "/srv/app/node_modules/left-pad/package.json",
    "/srv/app/node_modules/@scope/name/package.json",
    "/srv/app/node_modules/.bin/package.json",
    "/srv/app/node_modules/a/node_modules/b/package.json",
    "/srv/app/package-lock.json",
    "/srv/app/npm-shrinkwrap.json",
    "/srv/app/node_modules/x/package-lock.json",
    "/srv/app/yarn.lock",
    "/srv/app/pnpm-lock.yaml",
    "/usr/local/bin/app",
    "/usr/bin/tool.exe",
    "/app/App.EXE",
    "/srv/go/go.mod",
    "/srv/go/go.sum",
    "/opt/app/lib/guava-33.jar",
    "/opt/app/App.WAR",
    "/opt/app/plugin.hpi",
    "/srv/rust/Cargo.lock",
    "/usr/local/bundle/specifications/rails-7.1.gemspec",
    "/srv/ruby/Gemfile.lock",
    "/srv/ruby/gems.locked",
    "/srv/php/composer.lock",
    "/srv/php/vendor/composer/installed.json",
    "/app/App.deps.json",
    "/app/packages.lock.json",
    "/app/packages.config",
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/redhat-release",
]


def corpus() -> list[str]:
    found = list(EXAMPLES)
    roots = ["/usr", "/etc", "/var/lib", "/opt", sys.prefix, str(Path(__file__).parents[1])]
    for root in roots:
        walked = (f"{directory}/{name}" for directory, _, names in os.walk(root) for name in names)
        found.extend(islice(walked, 8_000))
    return found


@pytest.fixture(scope="module")
def paths() -> list[str]:
    return corpus()


def real(cataloger: LazyReader) -> Cataloger:
    module, _, name = cataloger.HOME.partition(":")
    made: Cataloger = getattr(import_module(module), name)()
    return made


@pytest.mark.parametrize("declared", [RELEASE, *CATALOGERS], ids=lambda c: c.NAME)
def test_declarations_match_the_catalogers(declared: LazyReader) -> None:
    actual = real(declared)
    assert (declared.NAME, declared.VERSION, declared.MAX_FILE_BYTES) == (
        actual.NAME,
        actual.VERSION,
        actual.MAX_FILE_BYTES,
    )


def test_names_are_unique_and_file_local_ones_are_declared() -> None:
    names = [c.NAME for c in CATALOGERS]
    assert len(names) == len(set(names))
    assert set(names) >= FILE_LOCAL
    assert EXECUTABLES_ONLY <= FILE_LOCAL
    assert set(HINTS) == {*names, RELEASE.NAME}


@pytest.mark.parametrize("declared", CATALOGERS, ids=lambda c: c.NAME)
def test_hints_admit_every_path_the_cataloger_wants(
    declared: LazyCataloger, paths: list[str]
) -> None:
    actual = real(declared)
    hint = HINTS[declared.NAME]
    wanted = [path for path in paths if actual.wants(path)]
    assert [path for path in wanted if not hint.admits(path)] == []
    assert [path for path in paths if declared.wants(path) != actual.wants(path)] == []


def test_release_hint_admits_every_release_file(paths: list[str]) -> None:
    hint = HINTS[RELEASE.NAME]
    actual = OsRelease()
    assert [p for p in paths if actual.wants(p) and not hint.admits(p)] == []
    assert [p for p in paths if RELEASE.wants(p) != actual.wants(p)] == []


def test_the_combined_prefilter_agrees_with_asking_every_reader(paths: list[str]) -> None:
    wants = catalog_wants()
    plain = Wants(content=wants.content, file_local=wants.file_local, context=wants.context)
    for path in paths:
        cap, kept, local = wants.wanted(path)
        naive_kept = [r for r in (*plain.context, *plain.content) if r.wants(path)]
        naive_local = [c for c in plain.file_local if c.wants(path)]
        assert [r.NAME for r in kept] == [r.NAME for r in naive_kept], path
        assert [c.NAME for c in local] == [c.NAME for c in naive_local], path
        assert cap == max((r.MAX_FILE_BYTES for r in naive_kept), default=0), path
        assert plain.wanted(path) == (cap, kept, local)


def test_a_stale_declaration_is_refused() -> None:
    class Stale(LazyCataloger):
        NAME = "os/apk"
        VERSION = 99
        MAX_FILE_BYTES = 128 * 1024 * 1024
        HOME = "seawall.catalog.os.apk:ApkCataloger"
        HINT = PathHint(names=frozenset({"installed"}))

    with pytest.raises(RuntimeError, match="update the declaration"):
        Stale().wants("/lib/apk/db/installed")
    assert Stale().wants("/elsewhere") is False  # the hint alone answers: nothing loaded


def test_program_test_is_shared_by_the_executable_catalogers() -> None:
    tests = {HINTS[name].test for name in EXECUTABLES_ONLY}
    assert tests == {may_be_program}


def test_importing_the_registry_imports_no_cataloger() -> None:
    # Not even the catalogers' shared types or the hints' predicates: a warm scan needs
    # only the declarations (its cache keys). The hints import no cataloger either.
    probe = (
        "import sys, seawall.catalog.registry as registry\n"
        "keys = [(r.NAME, r.VERSION, r.MAX_FILE_BYTES) for r in (registry.RELEASE,\n"
        "    *registry.CATALOGERS)]\n"
        "heavy = ('yaml', 'packaging', 'zipfile', 'tomllib', 'sqlite3', 'packageurl',\n"
        "    'xml.etree.ElementTree')\n"
        "print(sorted(m for m in sys.modules if m.startswith('seawall.') or m in\n"
        "    (*heavy, 'dataclasses', 'struct')))\n"
        "registry.HINTS\n"
        "print(sorted(m for m in sys.modules if m.startswith('seawall.catalog.lang.')\n"
        "    and m.rsplit('.', 1)[-1] not in ('binaries', 'paths') or m in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["['seawall.catalog', 'seawall.catalog.registry']", "[]"]


def test_hints_are_the_same_object_however_reached() -> None:
    assert HINTS is path_hints()
    assert CATALOGERS[0].HINT is HINTS[CATALOGERS[0].NAME]


# --- the compiled hints ------------------------------------------------------------------

_PIECES = ["a", "b", "A", ".", "txt", "TXT", "json", "deps", "lock", "bin", "conda-meta", "x.y"]
_words = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map("".join)


def _suffix(word: str) -> str:
    """Suffixes with and without a dot, some with several (`.x.y`), some upper-case."""
    return word if word[0] in ".A" else "." + word


_tests = st.sampled_from([may_be_program, lambda path: "b" in path])
_hints = st.builds(
    PathHint,
    names=st.frozensets(_words, max_size=3),
    suffixes=st.lists(_words.map(_suffix), max_size=3).map(tuple),
    prefixes=st.lists(_words.map(lambda w: "/" + w), max_size=2).map(tuple),
    test=st.none() | _tests,
    where=st.none() | st.sampled_from([lambda path: "a" in path, lambda path: len(path) % 2 == 0]),
)
_paths = st.lists(_words, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | _hints, max_size=6), st.lists(_paths, min_size=1, max_size=20))
def test_hint_index_agrees_with_every_hint(hints: list[PathHint | None], paths: list[str]) -> None:
    index = HintIndex(hints)
    for path in paths:
        expected = tuple(i for i, hint in enumerate(hints) if hint is None or hint.admits(path))
        assert index.admitted(path) == expected, path
        for hint in hints:
            if hint is not None:
                assert hint.compiled()(path) == hint.admits(path), (hint, path)


def test_the_real_index_agrees_with_every_hint(paths: list[str]) -> None:
    hints = list(HINTS.values())
    index = HintIndex(hints)
    compiled = [hint.compiled() for hint in hints]
    for path in paths:
        expected = tuple(i for i, hint in enumerate(hints) if hint.admits(path))
        assert index.admitted(path) == expected, path
        assert tuple(i for i, admits in enumerate(compiled) if admits(path)) == expected, path


def test_documentation_text_files_import_no_python_cataloger() -> None:
    """A wide hint (`*.txt`, `*.json`) imported the parsers, and `packaging`, for every
    Debian image; the hints now say which of those files the catalogers want."""
    probe = (
        "import sys\n"
        "from seawall.pipeline.sbom import catalog_wants\n"
        "wants = catalog_wants()\n"
        "for path in ('/usr/share/doc/mount/mount.txt', '/usr/share/doc/x/changes.json',\n"
        "             '/usr/lib/node/x.json', '/etc/notes.txt'):\n"
        "    assert wants.wanted(path) == (0, [], []), path\n"
        "print(sorted(m for m in sys.modules if m.startswith('seawall.catalog.lang.python')))\n"
        "print(wants.wanted('/srv/app/requirements-dev.txt')[1][0].NAME)\n"
        "print(wants.wanted('/opt/conda/conda-meta/zlib-1.2-h0.json')[1][0].NAME)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "python/requirements", "python/conda-meta"]
