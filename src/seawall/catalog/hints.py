"""Path hints: a cheap superset of the paths a reader wants, and an index over many of them.

The registry declares one `PathHint` per reader (`catalog.registry.path_hints`);
the pipeline compiles them into one `HintIndex`, its prefilter for every path
of every layer. Apart from the registry so that a run which only needs the
readers' NAME:VERSION (a warm scan's cache keys) does not build them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass


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
        self._by_name = {name: (*always, *positions) for name, positions in by_name.items()}
        """Positions admitting a base name, those admitting every path included."""
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
        found = self._by_name.get(base, self._always)
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
