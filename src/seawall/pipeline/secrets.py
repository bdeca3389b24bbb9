"""`seawall secrets`: leaked credentials in every layer, the image config and history, a
directory tree, or a git repository's history.

Images. Every file of every layer is scanned, visible or not: a file a later
layer deleted or overwrote is still in the image for anyone who pulls it.
Each layer is read once (a `LayerView`) and its result cached under the
layer's digest, the rules version and the scan settings: the findings with
their paths, the file counts, and the layer's *claims* (the paths it writes,
its whiteouts and opaque directories). Visibility is not cached, because it
depends on the layers above, which another image may not share; it is
decided at assembly from the claims of the current image's later layers,
with the squashing rules of `fs.walk.ImageWalk` (OCI image spec layer.md):
a later layer hides a file when it writes or whites out the path, whites out
or makes opaque an ancestor, puts a non-directory at an ancestor, or makes
the path a directory. A warm scan reads no layer at all, and reads the claims
(thousands of paths per layer, kept in a cache entry of their own) only when
some layer below holds a hit.

The same secret at the same path in several layers (one fingerprint) is one
finding: the lowest layer that holds it, still present unless every copy is
hidden, in which case `removed_in` is the layer that hid the topmost copy.

Allow rules and the baseline apply after the cache (config.py), so editing
them needs no rescan.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zstandard

from seawall.analyze.secrets import (
    EngineSettings,
    FileScan,
    Outcome,
    SecretsConfig,
    builtin_rules,
    builtin_version,
)
from seawall.limits import Limits
from seawall.model.files import FileKind, Problem
from seawall.model.finding import SecretFinding, SecretLocation, SecretSource, Severity
from seawall.model.image import Image, Layer, LayerOpener, SourceKind
from seawall.model.secrets import SecretsResult, SecretsStatus
from seawall.pipeline.cachefiles import CacheFiles
from seawall.source.base import DirectorySource, SourceOptions
from seawall.source.registry import open_source

if TYPE_CHECKING:
    from seawall.analyze.secrets import RuleSet, SecretEngine

# The engine and the file views are imported where a layer is read: a scan answered
# from the cache needs neither (start-up time).

CACHE_FORMAT = 3
"""2: hits carry the archive member (`!/…`) they were found in; 3: a layer's claims are
an entry of their own (`.secrets-claims`)."""
_MAX_ENTRY_BYTES = 1 << 30


# ---------------------------------------------------------------- per-layer results

# Every dataclass here has a docstring: for one without, `dataclass` writes one from
# the class's signature (`inspect.signature`), start-up time on every run.


@dataclass(frozen=True, slots=True)
class LayerHit:
    """One secret a layer's file holds, as cached (redacted: no value)."""

    path: str
    """The file of the layer (visibility is decided on it)."""
    rule_id: str
    line: int | None
    preview: str
    fingerprint: str
    member: str = ""
    """Inside an archive: `!/inner/config.properties`, appended to `path` when reported."""


def _parent_of(path: str) -> str:
    """The parent of a normalised path, as `seawall.fs.paths.parent_of` gives it (`/` is its
    own parent); written here so that assembling a warm scan imports no file view."""
    cut = path.rfind("/")
    return path[:cut] if cut > 0 else "/"


@dataclass(frozen=True, slots=True)
class LayerClaims:
    """What a layer does to the paths of the layers below it."""

    files: frozenset[str]
    """Every non-directory entry (regular files, links, devices)."""
    dirs: frozenset[str]
    whiteouts: frozenset[str]
    opaque: frozenset[str]

    def hides(self, path: str, implied: frozenset[str]) -> bool:
        """True when this layer hides a regular file at `path` written by a lower layer."""
        if path in self.files or path in self.dirs or path in self.whiteouts or path in implied:
            return True
        ancestor = path
        while ancestor != "/":
            ancestor = _parent_of(ancestor)
            if ancestor in self.files or ancestor in self.whiteouts or ancestor in self.opaque:
                return True
        return False

    def implied(self) -> frozenset[str]:
        """Directories the layer's entries imply (a lower non-directory there is hidden)."""
        found: set[str] = set()
        for path in (*self.files, *self.dirs):
            parent = _parent_of(path)
            while parent != "/" and parent not in found:
                found.add(parent)
                parent = _parent_of(parent)
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class LayerFindings:
    """What every scan of an image needs from a layer: its hits, counts and problems."""

    hits: tuple[LayerHit, ...]
    counts: dict[str, int]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class LayerSecrets:
    """One layer's result: the findings, and the claims that decide their visibility."""

    findings: LayerFindings
    claims: LayerClaims


def scan_layer(
    layer: Layer, opener: LayerOpener, engine: SecretEngine, limits: Limits
) -> LayerSecrets:
    """Read one layer once: every regular file through the engine, every entry into claims."""
    from seawall.fs import LayerView

    view = LayerView(layer, opener, limits)
    hits: list[LayerHit] = []
    tally = dict.fromkeys(Outcome, 0)
    opened = skipped = 0
    files: set[str] = set()
    dirs: set[str] = set()
    directory = FileKind.DIRECTORY
    excluded = Outcome.EXCLUDED
    excludes = engine.excludes
    scan_reader = engine.scan_reader
    # The loop body runs for every entry of every layer: locals, no per-file calls
    # beyond the engine's, nothing built for the common file without hits, and a
    # file the engine would not read is not opened.
    for entry in view:
        info = entry.info
        path = info.path
        if info.kind is directory:
            dirs.add(path)
            continue
        files.add(path)
        if not entry.readable:
            continue
        if excludes(path):
            tally[excluded] += 1
            continue
        with entry.open() as reader:
            scan = scan_reader(reader.read, path, info.size)
        tally[scan.outcome] += 1
        if scan.hits:
            hits.extend(
                LayerHit(path, h.rule_id, h.line, h.preview, h.fingerprint, h.member)
                for h in scan.hits
            )
        if scan.archives_opened or scan.archives_skipped:
            opened += scan.archives_opened
            skipped += scan.archives_skipped
    counts = {outcome.value: count for outcome, count in tally.items()}
    if opened:
        counts[_OPENED] = opened
    if skipped:
        counts[_SKIPPED] = skipped
    claims = LayerClaims(
        frozenset(files), frozenset(dirs), frozenset(view.whiteouts), frozenset(view.opaque_dirs)
    )
    return LayerSecrets(LayerFindings(tuple(hits), counts, tuple(view.problems)), claims)


# ---------------------------------------------------------------- the cache


def secrets_layer_key(layer: Layer, engine: SecretEngine, limits: Limits) -> str | None:
    """The cache key of a layer's secrets: digest, rules version, settings, limits."""
    return _key(
        "layer", layer.digest or layer.diff_id, engine.rules.version, engine.settings, limits
    )


def _key(
    what: str, identity: str | None, rules: str, settings: EngineSettings, limits: Limits
) -> str | None:
    if identity is None:
        return None
    material = {
        "format": CACHE_FORMAT,
        what: identity,
        "rules": rules,
        "settings": dataclasses.asdict(settings),
        "limits": dataclasses.asdict(limits),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class SecretsCache:
    """Per-layer secret results under `<cache>/layers/` (beside the SBOM's `.layer`
    entries, same write-then-rename discipline); a None root caches nothing.

    A layer's findings (`<key>.secrets`) and its claims (`<key>.secrets-claims`)
    are separate entries: every scan reads the first, few need the second.
    Entries hold previews and fingerprints, never a secret value."""

    def __init__(self, root: Path | None) -> None:
        directory = root / "layers" if root is not None else None
        self._findings = CacheFiles(directory, ".secrets")
        self._claims = CacheFiles(directory, ".secrets-claims")
        self._configs = CacheFiles(directory, ".config-secrets")

    def load(self, key: str) -> LayerFindings | None:
        return self._findings.load(key, lambda data: _decode_findings(_unpack(data)))

    def load_claims(self, key: str) -> LayerClaims | None:
        return self._claims.load(key, lambda data: _decode_claims(_unpack(data)))

    def store(self, key: str, result: LayerSecrets) -> None:
        # Claims first: a findings entry is never there without its claims, unless
        # the claims entry was removed since (then the layer is read again).
        self._claims.store(key, _pack(_encode_claims(result.claims)))
        self._findings.store(key, _pack(_encode_findings(result.findings)))

    def load_config(self, key: str) -> list[SecretFinding] | None:
        """The findings in an image's config and history (keyed by the config's digest)."""
        return self._configs.load(
            key, lambda data: [_config_finding(item) for item in _unpack(data)["findings"]]
        )

    def store_config(self, key: str, findings: list[SecretFinding]) -> None:
        document = {
            "findings": [
                [
                    f.rule_id,
                    f.title,
                    f.severity.value,
                    f.location.source.value,
                    f.location.field,
                    f.location.history_index,
                    f.preview,
                    f.fingerprint,
                ]
                for f in findings
            ]
        }
        self._configs.store(key, _pack(document))


def _pack(document: Any) -> bytes:
    return zstandard.ZstdCompressor(level=3).compress(json.dumps(document).encode())


def _unpack(data: bytes) -> Any:
    return json.loads(
        zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_ENTRY_BYTES)
    )


def _encode_findings(findings: LayerFindings) -> dict[str, Any]:
    return {
        "hits": [
            [h.path, h.rule_id, h.line, h.preview, h.fingerprint, h.member] for h in findings.hits
        ],
        "counts": findings.counts,
        "problems": [[p.where, p.message] for p in findings.problems],
    }


def _encode_claims(claims: LayerClaims) -> dict[str, Any]:
    # Unsorted: the order of a set is all the decoder needs, and sorting costs.
    return {
        "files": list(claims.files),
        "dirs": list(claims.dirs),
        "whiteouts": list(claims.whiteouts),
        "opaque": list(claims.opaque),
    }


def _config_finding(item: list[Any]) -> SecretFinding:
    rule_id, title, severity, source, field, history_index, shown, mark = item
    location = SecretLocation(
        SecretSource(source),
        field=None if field is None else str(field),
        history_index=None if history_index is None else int(history_index),
    )
    return SecretFinding(
        str(rule_id), str(title), Severity(severity), location, str(shown), str(mark)
    )


def _decode_findings(document: dict[str, Any]) -> LayerFindings:
    return LayerFindings(
        hits=tuple(
            LayerHit(str(p), str(r), None if n is None else int(n), str(v), str(f), str(m))
            for p, r, n, v, f, m in document["hits"]
        ),
        counts={str(k): int(v) for k, v in document["counts"].items()},
        problems=tuple(Problem(str(a), str(b)) for a, b in document["problems"]),
    )


def _decode_claims(document: dict[str, Any]) -> LayerClaims:
    return LayerClaims(
        frozenset(map(str, document["files"])),
        frozenset(map(str, document["dirs"])),
        frozenset(map(str, document["whiteouts"])),
        frozenset(map(str, document["opaque"])),
    )


# ---------------------------------------------------------------- assembly


def assemble(
    results: dict[int, LayerFindings], claims: dict[int, LayerClaims], rules: RuleSet
) -> list[SecretFinding]:
    """Findings from per-layer results, with `removed_in` decided by the later layers.

    `claims` must hold every layer above the lowest one with a hit.
    """
    implied_cache: dict[int, frozenset[str]] = {}

    def hider(layer: int, path: str) -> int | None:
        for index in sorted(i for i in claims if i > layer):
            if index not in implied_cache:
                implied_cache[index] = claims[index].implied()
            if claims[index].hides(path, implied_cache[index]):
                return index
        return None

    # Same fingerprint in several layers: one finding (see the module docstring).
    groups: dict[str, list[tuple[int, LayerHit, int | None]]] = {}
    for index in sorted(results):
        for hit in results[index].hits:
            groups.setdefault(hit.fingerprint, []).append((index, hit, hider(index, hit.path)))
    findings: list[SecretFinding] = []
    for copies in groups.values():
        first_layer, first, _ = copies[0]
        visible = any(hidden is None for _, _, hidden in copies)
        gone = None if visible else copies[-1][2]
        rule = rules.get(first.rule_id)
        location = SecretLocation(
            SecretSource.FILE,
            path=first.path + first.member,
            line=first.line,
            layer=first_layer,
            removed_in=gone,
        )
        findings.append(
            SecretFinding(
                rule.id, rule.title, rule.severity, location, first.preview, first.fingerprint
            )
        )
    return findings


# ---------------------------------------------------------------- entry points


def make_engine(config: SecretsConfig) -> SecretEngine:
    """The engine the configuration asks for (rules less the disabled ones, file size limit)."""
    from seawall.analyze.secrets import SecretEngine

    return SecretEngine(builtin_rules().without(config.disable_rules), _settings(config))


def _settings(config: SecretsConfig) -> EngineSettings:
    default = EngineSettings()
    return EngineSettings(
        max_file_bytes=config.max_file_bytes or default.max_file_bytes,
        skip_paths=not config.scan_all_paths,
    )


class _LazyEngine:
    """The engine, built on first use: a scan answered wholly from the cache needs only
    the rules' version (`builtin_version`), not the parsed and compiled rules."""

    def __init__(self, config: SecretsConfig) -> None:
        self.config = config
        self.settings = _settings(config)
        self.version = builtin_version(config.disable_rules)
        self._engine: SecretEngine | None = None

    def get(self) -> SecretEngine:
        if self._engine is None:
            self._engine = make_engine(self.config)
        return self._engine

    def rules(self) -> RuleSet:
        """The rules, for titles and severities: no engine needed."""
        return builtin_rules().without(self.config.disable_rules)


@dataclass(frozen=True, slots=True)
class _Layers:
    """Every layer's findings, and what deciding their visibility needs."""

    findings: dict[int, LayerFindings]
    claims: dict[int, LayerClaims] | None
    """The claims `assemble` needs, or None when no layer holds a hit."""
    problems: list[Problem]
    read: int


def _read_layers(
    image: Image,
    openers: dict[int, LayerOpener],
    cache: SecretsCache,
    lazy: _LazyEngine,
    options: SourceOptions,
) -> _Layers:
    """Each layer's findings, from the cache or read once; and the claims visibility needs."""
    limits = options.limits
    findings: dict[int, LayerFindings] = {}
    claims: dict[int, LayerClaims] = {}
    keys: dict[int, str | None] = {}
    problems: list[Problem] = []
    read = 0

    def scan(layer: Layer, opener: LayerOpener, key: str | None) -> LayerFindings:
        return keep(layer, key, scan_layer(layer, opener, lazy.get(), limits))

    def keep(layer: Layer, key: str | None, result: LayerSecrets) -> LayerFindings:
        nonlocal read
        read += 1
        if key is not None:
            cache.store(key, result)
        claims[layer.index] = result.claims
        return result.findings

    present: list[tuple[Layer, LayerOpener]] = []
    missing: list[tuple[Layer, LayerOpener]] = []
    progress = options.progress.task("Scanning layers for secrets", total=len(image.layers))
    try:
        for layer in image.layers:
            opener = openers.get(layer.index)
            if opener is None:
                problems.append(
                    Problem(
                        f"layer {layer.index} ({layer.digest})",
                        "non-distributable (foreign) layer: its blob is not in the image; "
                        "not scanned",
                    )
                )
                progress.advance(1)
                continue
            present.append((layer, opener))
            key = _key("layer", layer.digest or layer.diff_id, lazy.version, lazy.settings, limits)
            keys[layer.index] = key
            cached = cache.load(key) if key is not None else None
            if cached is None:
                missing.append((layer, opener))
                continue
            findings[layer.index] = cached
            progress.advance(1)
        if missing:
            from seawall.pipeline.layerpool import map_layers

            engine = lazy.get()  # compiled once, before workers fork and inherit it

            def work(layer: Layer, opener: LayerOpener) -> LayerSecrets:
                return scan_layer(layer, opener, engine, limits)

            # Local sources open a fresh file handle per layer; a registry shares connections.
            local = image.source_kind is not SourceKind.REGISTRY
            for layer, result in map_layers(work, missing, fork_safe=local):
                findings[layer.index] = keep(layer, keys[layer.index], result)
                progress.advance(1)
    finally:
        progress.close()
    with_hits = [index for index, result in findings.items() if result.hits]
    if not with_hits:
        return _Layers(findings, None, problems, read)
    # Visibility of a hit depends on every layer above it (module docstring).
    lowest = min(with_hits)
    for layer, opener in present:
        if layer.index <= lowest or layer.index in claims:
            continue
        key = keys[layer.index]
        loaded = cache.load_claims(key) if key is not None else None
        if loaded is None:  # the claims entry is gone: read the layer again
            findings[layer.index] = scan(layer, opener, key)
        else:
            claims[layer.index] = loaded
    return _Layers(findings, claims, problems, read)


def secrets(
    target: str, options: SourceOptions, config: SecretsConfig | None = None
) -> SecretsResult:
    """Every secret in `target`: each layer's files, the image config and history, or a tree."""
    config = config or SecretsConfig()
    lazy = _LazyEngine(config)
    limits = options.limits
    with open_source(target, options) as source:
        image = source.image
        if isinstance(source, DirectorySource):
            scanned = _scan_directory(source.root, lazy.get(), options)
            return _finish(target, image, scanned, config, lazy.version)
        cache = SecretsCache(options.cache_dir)
        openers = {layer.index: opener for layer, opener in source.layer_openers()}
        layers = _read_layers(image, openers, cache, lazy, options)
    # The config is content-addressed too: its findings are cached under its digest.
    config_key = _key("config", image.config_digest, lazy.version, lazy.settings, limits)
    in_config = cache.load_config(config_key) if config_key is not None else None
    if in_config is None:
        from seawall.analyze.secrets import scan_image_config

        in_config = scan_image_config(image, lazy.get())
        if config_key is not None:
            cache.store_config(config_key, in_config)
    results = layers.findings
    in_layers = assemble(results, layers.claims, lazy.rules()) if layers.claims is not None else []
    counts = _sum_counts(r.counts for r in results.values())
    problems = [*layers.problems, *(p for r in results.values() for p in r.problems)]
    scanned = _Scanned(in_layers + in_config, counts, tuple(problems), layers_read=layers.read)
    return _finish(target, image, scanned, config, lazy.version)


def secrets_in_git(repository: Path, config: SecretsConfig | None = None) -> SecretsResult:
    """Every secret in the history of a git repository, each at the first commit holding it.

    Each blob is scanned once (the first commit and path where it appears),
    and a secret found in several versions of the same file (one fingerprint)
    is reported once, with the oldest commit.
    """
    config = config or SecretsConfig()
    from seawall.source.git import GitHistory  # only --git needs it (start-up time)

    engine = make_engine(config)
    history = GitHistory(repository)
    findings: dict[str, SecretFinding] = {}
    scans: list[FileScan] = []
    large = 0
    for blob, content in history.blobs(engine.settings.max_file_bytes):
        if content is None:
            large += 1
            continue
        scan = engine.scan_bytes(content, "/" + blob.path, kind="git")
        scans.append(scan)
        for hit in scan.hits:
            if hit.fingerprint in findings:
                continue
            rule = engine.rules.get(hit.rule_id)
            location = SecretLocation(
                SecretSource.GIT, path=blob.path + hit.member, line=hit.line, commit=blob.commit
            )
            findings[hit.fingerprint] = SecretFinding(
                rule.id, rule.title, rule.severity, location, hit.preview, hit.fingerprint
            )
    counts: dict[str, int] = {}
    for scan in scans:
        _count(counts, scan)
    counts[Outcome.TOO_LARGE.value] = counts.get(Outcome.TOO_LARGE.value, 0) + large
    scanned = _Scanned(list(findings.values()), counts, (), commits=history.commits)
    return _finish(f"git:{repository}", None, scanned, config, engine.rules.version)


@dataclass(frozen=True, slots=True)
class _Scanned:
    """What a scan of an image, a tree or a history found, before the allow rules."""

    findings: list[SecretFinding]
    counts: dict[str, int]
    problems: tuple[Problem, ...]
    layers_read: int = 0
    commits: int = 0


def _scan_directory(root: Path, engine: SecretEngine, options: SourceOptions) -> _Scanned:
    from seawall.fs import DirectoryView, UnreadableFileError

    view = DirectoryView(root, options.limits)
    findings: list[SecretFinding] = []
    counts = dict.fromkeys((o.value for o in Outcome), 0)
    for entry in view:
        if not entry.readable:
            continue
        if engine.excludes(entry.path):  # not read: not opened either
            counts[Outcome.EXCLUDED.value] += 1
            continue
        try:
            with entry.open() as reader:
                scan = engine.scan_reader(reader.read, entry.path, entry.info.size)
        except UnreadableFileError:
            continue  # recorded in view.problems
        _count(counts, scan)
        for hit in scan.hits:
            rule = engine.rules.get(hit.rule_id)
            location = SecretLocation(
                SecretSource.FILE, path=entry.path + hit.member, line=hit.line
            )
            findings.append(
                SecretFinding(
                    rule.id, rule.title, rule.severity, location, hit.preview, hit.fingerprint
                )
            )
    return _Scanned(findings, counts, tuple(view.problems))


_OPENED = "archives-opened"
_SKIPPED = "archives-skipped"


def _count(counts: dict[str, int], scan: FileScan) -> None:
    """Add one file's outcome and archive counts to `counts`."""
    counts[scan.outcome.value] = counts.get(scan.outcome.value, 0) + 1
    if scan.archives_opened:
        counts[_OPENED] = counts.get(_OPENED, 0) + scan.archives_opened
    if scan.archives_skipped:
        counts[_SKIPPED] = counts.get(_SKIPPED, 0) + scan.archives_skipped


def _sum_counts(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for name, count in part.items():
            total[name] = total.get(name, 0) + count
    return total


def _order(finding: SecretFinding) -> tuple[Any, ...]:
    location = finding.location
    return (
        -finding.severity.rank,
        location.source.value,
        location.path or location.field or "",
        location.history_index or 0,
        location.line or 0,
        finding.rule_id,
        finding.fingerprint,
    )


def _finish(
    target: str,
    image: Image | None,
    scanned: _Scanned,
    config: SecretsConfig,
    rules_version: str,
) -> SecretsResult:
    kept = [f for f in scanned.findings if not config.suppressed(f)]
    counts = scanned.counts
    status = SecretsStatus(
        files_scanned=counts.get(Outcome.SCANNED.value, 0),
        skipped_binary=counts.get(Outcome.BINARY.value, 0),
        skipped_large=counts.get(Outcome.TOO_LARGE.value, 0),
        skipped_excluded=counts.get(Outcome.EXCLUDED.value, 0),
        archives_opened=counts.get(_OPENED, 0),
        archives_skipped=counts.get(_SKIPPED, 0),
        layers_read=scanned.layers_read,
        commits=scanned.commits,
        suppressed=len(scanned.findings) - len(kept),
        problems=scanned.problems,
        rules_version=rules_version,
    )
    return SecretsResult(target, image, tuple(sorted(kept, key=_order)), status)
