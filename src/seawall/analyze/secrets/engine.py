"""The secret engine: bytes in (streamed in chunks), redacted hits out.

Per file: the size limit, the decoy paths and the rule file's `skip_paths`
(trees of third-party software, docs/secrets.md) are checked before anything
is read, with one path test for both; the first chunk is probed for a NUL
byte (binary files are skipped, as git and trivy do); then each chunk is
lower-cased once and searched for every rule's keywords in one Aho-Corasick
pass, and only the rules whose keywords occur run their regex. Most files
therefore cost one pass and no regex at all, and a file without hits costs
no allocation beyond its chunks (the results without hits are shared).

Chunks overlap by `overlap_bytes` (more than any rule's longest match), and a
chunk reports only the matches that start before the next chunk's accepted
region, so a secret across a chunk boundary is found exactly once, with the
same value, line and fingerprint as if the file had been read whole.

Archives (zip, tar, gzip'd tar, recognised by their first bytes) are read in
memory by `archives.expand`, within its bounds, and each member is scanned
as a file of its own whose path is `<file>!/<member>`; a `Hit` in a member
carries that suffix in `member`.

The secret value lives only in local variables of `_accept`: what leaves the
engine is a `Hit` (rule, line, preview, fingerprint). Nothing here logs.
"""

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import ahocorasick_rs

from seawall.analyze.secrets.archives import (
    SUFFIXES,
    ArchiveBudget,
    ArchiveKind,
    archive_kind,
    expand,
)
from seawall.analyze.secrets.builtin import builtin_rules
from seawall.analyze.secrets.paths import either
from seawall.analyze.secrets.redact import entropy, fingerprint, preview
from seawall.analyze.secrets.rules import Rule, RuleSet
from seawall.analyze.secrets.validators import VALIDATORS
from seawall.analyze.secrets.values import EngineSettings, FileScan, Hit, KiB, Outcome

Read = Callable[[int], bytes]


def _reader(data: bytes) -> Read:
    """A `read(n)` over bytes in memory."""
    position = 0

    def read(size: int) -> bytes:
        nonlocal position
        chunk = data[position : position + size]
        position += len(chunk)
        return chunk

    return read


_PROBE_FIRST_BYTES = 64 * KiB
"""Files larger than this are read in two steps: the binary probe, then the chunk."""

_SCANNED = FileScan(Outcome.SCANNED)
_BINARY = FileScan(Outcome.BINARY)
_TOO_LARGE = FileScan(Outcome.TOO_LARGE)
_EXCLUDED = FileScan(Outcome.EXCLUDED)
"""The results without hits, shared (they are frozen): most files end in one of them."""

_WINDOW = 2048
"""Bytes after a keyword searched by an anchored rule (longer than any anchored match)."""

_CONTEXT = 256
"""Bytes kept before a chunk's accepted region, so look-behinds see real context."""


@dataclass(slots=True)
class _FileState:
    """What one file's scan has accepted so far (file coordinates)."""

    path: str | None
    kind: str
    where: str
    span_starts: list[int] = field(default_factory=list)
    span_ends: list[int] = field(default_factory=list)
    """The claimed byte spans, disjoint and sorted by start (so their ends are sorted too):
    an overlap check is one bisection, not a pass over every span claimed so far (a file
    of a secret repeated thousands of times claims thousands)."""
    hits: list[tuple[int, Hit]] = field(default_factory=list)
    """(priority of the rule, hit)."""
    fingerprints: set[str] = field(default_factory=set)
    eligible: dict[int, bool] = field(default_factory=dict)
    generic_excluded: bool | None = None
    """Whether the decoys' generic path list excludes the file (asked once per file)."""


class SecretEngine:
    """Scans files and texts with a `RuleSet`. Thread-compatible; no state between files."""

    def __init__(self, rules: RuleSet | None = None, settings: EngineSettings | None = None):
        self.rules = rules or builtin_rules()
        self.settings = settings or EngineSettings()
        self._by_id = {rule.id: rule for rule in self.rules.rules}
        # Rules limited to some paths (.netrc, kubeconfig ...) are checked per file by
        # path first; only the others feed the shared keyword automaton, so that a
        # path rule's very common keyword (`$`) costs nothing on other files.
        free = [rule for rule in self.rules.rules if rule.path is None]
        self._path_rules = [rule for rule in self.rules.rules if rule.path is not None]
        # One test tells whether any path rule can apply (almost never): a prefilter.
        self._any_path_rule = (
            either([rule.path for rule in self._path_rules]) if self._path_rules else None
        )
        # Decoy paths and skipped trees end alike (not read, counted as excluded):
        # one test per file for both.
        excluded = [self.rules.decoys.path_exclude]
        if self.settings.skip_paths:
            excluded.append(self.rules.skip_paths)
        present = [test for test in excluded if test is not None]
        self._excluded_paths = either(present) if present else None
        keywords = sorted({k for rule in free for k in rule.keywords})
        self._keyword_rules: list[tuple[int, ...]] = [
            tuple(
                n
                for n, rule in enumerate(self.rules.rules)
                if rule.path is None and k in rule.keywords
            )
            for k in keywords
        ]
        # A DFA: larger to build (milliseconds, once) but twice as fast to run as the
        # default NFA, and this search runs over every byte of every text file.
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            keywords, implementation=ahocorasick_rs.Implementation.DFA
        )
        self._requires: dict[int, str] = {
            rule.priority: rule.requires
            for rule in self.rules.rules
            if rule.requires is not None and self._by_id[rule.requires].priority < rule.priority
        }
        """Rules that need an earlier rule's match in the same file (key pairs)."""
        index_of = {keyword: n for n, keyword in enumerate(keywords)}
        self._rule_keywords: dict[int, tuple[int, ...]] = {
            rule.priority: tuple(index_of[k] for k in rule.keywords if k in index_of)
            for rule in self.rules.rules
        }
        self._rule_list = self.rules.rules

    # ------------------------------------------------------------------ entry points

    def excludes(self, path: str) -> bool:
        """True when the file at `path` is not read at all (a decoy path or a skipped tree):
        `scan_reader` answers `Outcome.EXCLUDED` for it. Callers that must open a file
        to scan it ask this first."""
        excluded = self._excluded_paths
        return excluded is not None and excluded.search(path)

    def scan_reader(
        self, read: Read, path: str, size: int | None = None, kind: str = "file"
    ) -> FileScan:
        """Scan one file given a `read(n)` function; `path` is absolute in its view."""
        return self._scan(read, path, size, kind, self.settings.archives.max_depth > 0)

    def _scan(self, read: Read, path: str, size: int | None, kind: str, archives: bool) -> FileScan:
        settings = self.settings
        excluded = self._excluded_paths
        if excluded is not None and excluded.search(path):
            return _EXCLUDED
        too_large = size is not None and size > settings.max_file_bytes
        if too_large and not (
            archives
            and size is not None
            and size <= settings.archives.max_archive_bytes
            and path.lower().endswith(SUFFIXES)
        ):
            return _TOO_LARGE
        if size == 0:
            return _SCANNED
        probe = settings.binary_probe_bytes
        # Larger files are probed before the rest of the chunk is read: most are
        # binaries, which then cost a few KiB of copying instead of a chunk.
        probe_first = size is None or size > _PROBE_FIRST_BYTES
        buffer = read(probe if probe_first else settings.chunk_bytes)
        # Zip, tar and gzip headers all hold a NUL within their first bytes, so text
        # files never pay for the archive probe. (`find` with bounds: no copy.)
        if buffer.find(b"\0", 0, probe) >= 0:
            archive = archive_kind(buffer) if archives else None
            if archive is not None:
                return self._scan_archive(archive, buffer, read, path, kind)
            return _TOO_LARGE if too_large else _BINARY
        if too_large:
            return _TOO_LARGE
        if probe_first and len(buffer) == probe:
            buffer += read(settings.chunk_bytes - probe)
        state = _FileState(path, kind, path)
        any_path_rule = self._any_path_rule
        path_rules = (
            [rule for rule in self._path_rules if rule.path and rule.path.search(path)]
            if any_path_rule is not None and any_path_rule.search(path)
            else []
        )
        base = 0  # file offset of buffer[0]
        accept_from = 0  # matches starting before this were handled by the previous chunk
        lines_before = 0  # newlines in the file before buffer[0]
        total = len(buffer)
        while True:
            following = read(settings.chunk_bytes) if buffer else b""
            total += len(following)
            if total > settings.max_file_bytes:
                return _TOO_LARGE
            final = not following
            accept_until = None if final else base + len(buffer) - settings.overlap_bytes
            self._scan_chunk(
                buffer, base, accept_from, accept_until, lines_before, state, path_rules
            )
            if final:
                break
            assert accept_until is not None
            keep_from = accept_until - _CONTEXT - base
            lines_before += buffer.count(b"\n", 0, keep_from)
            base += keep_from
            accept_from = accept_until
            buffer = buffer[keep_from:] + following
        return FileScan(Outcome.SCANNED, self._finish(state)) if state.hits else _SCANNED

    def scan_bytes(self, data: bytes, path: str, kind: str = "file") -> FileScan:
        """Scan a file held in memory (same rules, limits and chunking as a stream)."""
        return self._scan(
            _reader(data), path, len(data), kind, self.settings.archives.max_depth > 0
        )

    def _scan_archive(
        self, archive: ArchiveKind, head: bytes, read: Read, path: str, kind: str
    ) -> FileScan:
        """Every member of an archive (nested ones too) scanned as a file of its own."""
        limits = self.settings.archives
        parts = [head]
        held = len(head)
        while held <= limits.max_archive_bytes:
            part = read(self.settings.chunk_bytes)
            if not part:
                break
            parts.append(part)
            held += len(part)
        if held > limits.max_archive_bytes:
            return FileScan(Outcome.ARCHIVE, archives_skipped=1)
        budget = ArchiveBudget.of(limits)
        hits: list[Hit] = []
        for label, content in expand(archive, b"".join(parts), path, limits, budget):
            member = label[len(path) :]
            scan = self._scan(_reader(content), label, len(content), kind, archives=False)
            hits.extend(dataclasses.replace(hit, member=member) for hit in scan.hits)
        return FileScan(Outcome.ARCHIVE, tuple(hits), budget.opened, budget.skipped)

    def scan_text(self, text: str, kind: str, where: str) -> tuple[Hit, ...]:
        """Scan a config value or a history line: no path rules, no path exclusions.

        Hits have no line; their fingerprint is keyed by `kind` and `where`
        (e.g. `config`, `Env[API_TOKEN]`).
        """
        data = text.encode("utf-8", "surrogateescape")
        if len(data) > self.settings.max_file_bytes:
            return ()
        state = _FileState(None, kind, where)
        self._scan_chunk(data, 0, 0, None, 0, state, [])
        return tuple(
            Hit(hit.rule_id, None, hit.preview, hit.fingerprint) for hit in self._finish(state)
        )

    # ------------------------------------------------------------------ internals

    def _scan_chunk(
        self,
        buffer: bytes,
        base: int,
        accept_from: int,
        accept_until: int | None,
        lines_before: int,
        state: _FileState,
        path_rules: list[Rule],
    ) -> None:
        lowered = buffer.lower()
        starts: dict[int, list[int]] = {}
        for index, start, _ in self._automaton.find_matches_as_indexes(lowered, overlapping=True):
            positions = starts.get(index)
            if positions is None:
                starts[index] = [start]
            else:
                positions.append(start)
        candidates: set[int] = set()
        for index in starts:
            candidates.update(self._keyword_rules[index])
        rules = [self._rule_list[n] for n in candidates]
        rules.extend(rule for rule in path_rules if any(k in lowered for k in rule.keywords))
        if not rules:
            return
        rules.sort(key=lambda rule: rule.priority)
        # When the chunk is the whole file, a rule whose required rule has not matched
        # cannot be reported (`_finish` drops it): skip its regex, often a costly one.
        whole = accept_from == 0 and accept_until is None
        for rule in rules:
            required = self._requires.get(rule.priority) if whole else None
            if required is not None and not any(hit.rule_id == required for _, hit in state.hits):
                continue
            if not self._eligible(rule, state):
                continue
            for match in self._matches(rule, starts, buffer):
                start = base + match.start()
                if start < accept_from:
                    continue
                if accept_until is not None and start >= accept_until:
                    break
                self._accept(rule, match, buffer, base, lines_before, state)

    def _matches(
        self, rule: Rule, starts: dict[int, list[int]], buffer: bytes
    ) -> Iterator[re.Match[bytes]]:
        """The rule's matches in the chunk, in order, as `finditer` over the chunk gives them.

        An anchored rule's match starts at most `anchor` bytes before one of its
        keyword occurrences (rules.yaml), so only those starting positions are
        tried, each with `match` bounded `_WINDOW` bytes after the keyword (longer
        than any anchored match): a few attempts per keyword instead of a regex
        search over the whole chunk. As with `finditer`, matches never overlap.
        """
        anchor = rule.anchor
        if anchor is None:
            yield from rule.regex.finditer(buffer)
            return
        size = len(buffer)
        match_at = rule.regex.match
        positions = sorted(
            {
                position
                for index in self._rule_keywords[rule.priority]
                for position in starts.get(index, ())
            }
        )
        done = 0  # where the previous match ended: later matches start there or after
        for position in positions:
            end = min(size, position + _WINDOW)
            start = max(done, position - anchor)
            while start <= position:
                match = match_at(buffer, start, end)
                if match is None:
                    start += 1
                    continue
                yield match
                done = max(match.end(), start + 1)
                start = done

    def _eligible(self, rule: Rule, state: _FileState) -> bool:
        known = state.eligible.get(rule.priority)
        if known is not None:
            return known
        path = state.path
        ok = True
        if path is not None:
            if rule.generic:
                if state.generic_excluded is None:
                    generic = self.rules.decoys.generic_path_exclude
                    state.generic_excluded = generic is not None and generic.search(path)
                ok = not state.generic_excluded
            if ok and rule.path_exclude is not None:
                ok = not rule.path_exclude.search(path)
        state.eligible[rule.priority] = ok
        return ok

    def _accept(
        self,
        rule: Rule,
        match: re.Match[bytes],
        buffer: bytes,
        base: int,
        lines_before: int,
        state: _FileState,
    ) -> None:
        group = "secret" if "secret" in rule.regex.groupindex else 0
        start, end = match.span(group)
        if start < 0:
            return
        first, last = base + start, base + end
        # Of disjoint spans sorted by start, the last one starting before `last` ends latest.
        place = bisect_left(state.span_starts, last)
        if place and state.span_ends[place - 1] > first:
            return  # an earlier (more specific) rule already claimed these bytes
        value = buffer[start:end].decode("utf-8", "surrogateescape")
        if not self._credible(rule, value, match):
            return
        if rule.generic and not self._quoted_enough(match, state.path):
            return
        mark = fingerprint(rule.id, value, state.kind, state.where)
        state.span_starts.insert(place, first)
        state.span_ends.insert(place, last)
        if mark in state.fingerprints:
            return  # the same secret again in the same file: one finding
        state.fingerprints.add(mark)
        line = lines_before + buffer.count(b"\n", 0, start) + 1 if state.path is not None else None
        state.hits.append((rule.priority, Hit(rule.id, line, preview(value), mark)))

    def _credible(self, rule: Rule, value: str, match: re.Match[bytes]) -> bool:
        """False for decoys: documented examples, placeholders, low entropy, bad checksums."""
        decoys = self.rules.decoys
        if value in decoys.example_values or decoys.placeholders.get().search(value):
            return False
        if rule.generic and decoys.generic_placeholders.get().search(value):
            return False
        if rule.entropy is not None and entropy(value) < rule.entropy:
            return False
        if rule.validator is not None and not VALIDATORS[rule.validator](value):
            return False
        text = match.group(0)
        return not any(allow.search(text) for allow in rule.allow)

    def _quoted_enough(self, match: re.Match[bytes], path: str | None) -> bool:
        """A generic match in source code needs a quoted value; configuration need not."""
        if path is None or "q" not in match.re.groupindex or match.group("q"):
            return True
        unquoted = self.rules.decoys.generic_unquoted_paths
        return unquoted is not None and unquoted.search(path)

    def _finish(self, state: _FileState) -> tuple[Hit, ...]:
        matched = {hit.rule_id for _, hit in state.hits}
        kept = [
            hit
            for _, hit in state.hits
            if (required := self._by_id[hit.rule_id].requires) is None or required in matched
        ]
        return tuple(sorted(kept, key=lambda hit: (hit.line or 0, hit.rule_id)))
