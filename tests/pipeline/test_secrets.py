"""The secrets pipeline on images built by the tests: every layer, deleted files, config,
history, the per-layer cache, and visibility recomputed for each image."""

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from seawall.analyze.secrets import AllowRule, SecretsConfig
from seawall.fs import ImageWalk
from seawall.model.files import FileKind
from seawall.model.finding import SecretFinding, SecretSource
from seawall.pipeline.secrets import (
    SecretsCache,
    make_engine,
    scan_layer,
    secrets,
    secrets_layer_key,
)
from seawall.source.base import SourceOptions
from seawall.source.registry import open_source
from tests.analyze.secrets.archivebuild import tar_bytes, zip_bytes
from tests.analyze.secrets.samples import aws_key_id, aws_secret, github_token, pem_key, rnd
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    EmptyStep,
    File,
    ImageSpec,
    LayerSpec,
    Opaque,
    Whiteout,
    build_image,
    write_oci_layout,
)

GH = github_token("ghp")
AWS_ID, AWS_SECRET = aws_key_id(), aws_secret()
KEY = pem_key()
ENV_TOKEN = github_token("gho")
BUILD_ARG = "Tz8!" + rnd("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12)
OPAQUE_TOKEN = github_token("ghu")
PLANTED = [GH, AWS_ID, AWS_SECRET, KEY, ENV_TOKEN, BUILD_ARG, OPAQUE_TOKEN]

DECOYS = [
    File("srv/app/tests/fixtures/creds.env", f"TOKEN={github_token('ghp')}\n".encode()),
    File("srv/app/example.env", b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\npassword=changeme\n"),
    File(
        "srv/app/package-lock.json",
        b'{"packages": {"node_modules/js-tokens": {"integrity": "sha512-' + b"Q" * 86 + b'=="}}}\n',
    ),
    File("srv/app/README.md", b"export GITHUB_TOKEN=<token>\nDB_PASSWORD=xxxxxxxx\n"),
]


def secret_image() -> Any:
    return build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [Dir("srv"), Dir("srv/app"), Dir("srv/app/tests"), Dir("etc"), *DECOYS],
                    created_by="ADD rootfs.tar /",
                ),
                LayerSpec(
                    [
                        Dir("root"),
                        File("root/.git-credentials", f"https://ci:{GH}@github.com\n".encode()),
                        File(
                            "srv/app/aws.ini",
                            f"[default]\naws_access_key_id = {AWS_ID}\n"
                            f"aws_secret_access_key = {AWS_SECRET}\n".encode(),
                        ),
                        Dir("cache"),
                        File("cache/server.key", KEY.encode()),
                    ],
                    created_by="COPY creds /",
                ),
                EmptyStep("ENV GH_TOKEN=redacted-by-builder"),
                LayerSpec(
                    [Whiteout("root/.git-credentials"), Opaque("cache")],
                    created_by=f"RUN |1 DB_PASSWORD={BUILD_ARG} /bin/sh -c rm -f /root/.git-credentials",  # noqa: E501
                ),
                LayerSpec(
                    [Dir("opt"), File("opt/token.txt", f"tok {OPAQUE_TOKEN}\n".encode())],
                    created_by="COPY token /opt/",
                ),
                LayerSpec([Opaque("opt")], created_by="RUN rm -rf /opt/*"),
            ],
            config=ConfigSpec(env=("PATH=/usr/bin", f"GH_TOKEN={ENV_TOKEN}")),
        )
    )


def scan(tmp_path: Path, image: Any, cache: Path | None, tag: str = "v1") -> Any:
    layout = tmp_path / f"layout-{tag}"
    write_oci_layout(layout, [(image, tag)])
    return secrets(f"oci-dir:{layout}:{tag}", SourceOptions(cache_dir=cache))


def by_path(findings: tuple[SecretFinding, ...]) -> dict[str, SecretFinding]:
    return {f.location.path: f for f in findings if f.location.path}


def test_every_planted_secret_no_decoy(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = scan(tmp_path, secret_image(), tmp_path / "cache")
    files = by_path(result.findings)
    assert set(files) == {
        "/root/.git-credentials",
        "/srv/app/aws.ini",
        "/cache/server.key",
        "/opt/token.txt",
    }

    creds = files["/root/.git-credentials"]
    assert (creds.rule_id, creds.location.layer, creds.location.removed_in) == ("github-pat", 1, 2)
    assert creds.still_extractable and creds.location.line == 1
    assert files["/cache/server.key"].location.removed_in == 2  # the opaque directory hid it
    assert files["/opt/token.txt"].location.removed_in == 4
    assert files["/srv/app/aws.ini"].location.removed_in is None
    rules = {f.rule_id for f in result.findings}
    assert {"aws-access-key-id", "aws-secret-access-key", "private-key"} <= rules
    env = [f for f in result.findings if f.location.source is SecretSource.CONFIG]
    assert [(f.rule_id, f.location.field) for f in env] == [
        ("github-oauth-token", "Env[1] GH_TOKEN")
    ]
    history = [f for f in result.findings if f.location.source is SecretSource.HISTORY]
    assert [(f.rule_id, f.location.history_index) for f in history] == [("generic-password", 3)]
    assert result.status.skipped_excluded == 1 and result.status.layers_read == 5

    # The image value holds the config as written (the model keeps it for analyzers);
    # what the scan made must not hold any secret.
    everything = repr(result.findings) + repr(result.status) + caplog.text
    for value in PLANTED:
        assert value not in everything


def test_warm_scan_reads_no_layer_and_agrees(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    image = secret_image()
    cold = scan(tmp_path, image, cache)
    warm = scan(tmp_path, image, cache)
    assert warm.status.layers_read == 0
    assert warm.findings == cold.findings
    assert list((cache / "layers").glob("*.secrets"))
    for entry in (cache / "layers").glob("*.secrets"):
        data = entry.read_bytes()
        assert all(value.encode() not in data for value in PLANTED)


def test_claims_are_read_only_above_the_lowest_hit(tmp_path: Path) -> None:
    """A layer's claims are a cache entry of their own: a warm scan reads them only for
    the layers above the lowest one with a hit, and reads a layer again if they are gone."""
    cache = tmp_path / "cache"
    image = secret_image()
    cold = scan(tmp_path, image, cache)
    claims = sorted((cache / "layers").glob("*.secrets-claims"))
    assert len(claims) == 5
    for entry in claims:
        data = entry.read_bytes()
        assert all(value.encode() not in data for value in PLANTED)
        entry.unlink()
    warm = scan(tmp_path, image, cache)
    # The lowest hit is in layer 1: visibility needs the claims of layers 2, 3 and 4.
    assert warm.status.layers_read == 3
    assert warm.findings == cold.findings
    assert len(list((cache / "layers").glob("*.secrets-claims"))) == 3


def test_removed_in_is_recomputed_for_each_image(tmp_path: Path) -> None:
    """Layer 1 cached under image A (where layer 2 deletes the file) is reused by image B,
    where nothing deletes it: B must report the file as present."""
    cache = tmp_path / "cache"
    scan(tmp_path, secret_image(), cache, "a")
    spec = secret_image().spec
    other = build_image(ImageSpec(steps=list(spec.steps[:2]), config=spec.config))
    result = scan(tmp_path, other, cache, "b")
    assert result.status.layers_read == 0
    creds = by_path(result.findings)["/root/.git-credentials"]
    assert creds.location.removed_in is None


def test_claims_agree_with_the_image_walk(tmp_path: Path) -> None:
    """The cached claims decide visibility exactly as ImageWalk does, entry by entry."""
    layout = tmp_path / "layout"
    write_oci_layout(layout, [(secret_image(), "v1")])
    engine = make_engine(SecretsConfig())
    with open_source(f"oci-dir:{layout}:v1", SourceOptions()) as source:
        pairs = source.layer_openers()
        limits = SourceOptions().limits
        results = {
            layer.index: scan_layer(layer, opener, engine, limits) for layer, opener in pairs
        }
        claims = {i: r.claims for i, r in results.items()}
        checked = 0
        for entry in ImageWalk(pairs):
            if entry.info.kind is not FileKind.REGULAR:
                continue
            layer = entry.info.layer
            assert layer is not None
            hider = next(
                (
                    i
                    for i in sorted(claims)
                    if i > layer and claims[i].hides(entry.path, claims[i].implied())
                ),
                None,
            )
            assert hider == entry.hidden_by, entry
            checked += 1
        assert checked >= 8


def test_cache_key_changes_with_rules(tmp_path: Path) -> None:
    image = secret_image()
    layout = tmp_path / "layout"
    write_oci_layout(layout, [(image, "v1")])
    default = make_engine(SecretsConfig())
    fewer = make_engine(SecretsConfig(disable_rules=frozenset({"jwt"})))
    with open_source(f"oci-dir:{layout}:v1", SourceOptions()) as source:
        layer = source.image.layers[0]
        limits = SourceOptions().limits
        assert secrets_layer_key(layer, default, limits) != secrets_layer_key(layer, fewer, limits)
        result = scan_layer(layer, source.layer_openers()[0][1], default, limits)
    SecretsCache(None).store("never-written", result)  # a None root caches nothing
    assert SecretsCache(None).load("never-written") is None


def test_allow_rules_and_baseline(tmp_path: Path) -> None:
    image = secret_image()
    first = scan(tmp_path, image, None)
    creds = by_path(first.findings)["/root/.git-credentials"]
    config = SecretsConfig(
        allow=(AllowRule(paths=(re.compile(r"^/opt/"),)),),
        baseline={creds.fingerprint: "rotated"},
    )
    layout = tmp_path / "layout-v1"
    result = secrets(f"oci-dir:{layout}:v1", SourceOptions(), config)
    paths = set(by_path(result.findings))
    assert "/root/.git-credentials" not in paths and "/opt/token.txt" not in paths
    assert result.status.suppressed == 2


def test_directory_target(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "app").mkdir(parents=True)
    (root / "app" / ".env").write_text(f"GITHUB_TOKEN={GH}\n")
    (root / "app" / "blob.bin").write_bytes(b"\0\1" + GH.encode())
    result = secrets(f"dir:{root}", SourceOptions())
    assert [(f.rule_id, f.location.path, f.location.layer) for f in result.findings] == [
        ("github-pat", "/app/.env", None)
    ]
    assert result.status.skipped_binary == 1


ARCHIVE_TOKEN = github_token("ghs")
NESTED_TOKEN = github_token("ghr")


def archive_image() -> Any:
    inner = tar_bytes({"./etc/deploy.env": f"TOKEN={NESTED_TOKEN}\n".encode()}, compress=True)
    jar = zip_bytes(
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
            "BOOT-INF/classes/application.properties": f"gh.token={ARCHIVE_TOKEN}\n".encode(),
            "BOOT-INF/classes/example.properties": b"aws.key=AKIAIOSFODNN7EXAMPLE\n",
            "BOOT-INF/lib/deploy.tar.gz": inner,
        }
    )
    return build_image(
        ImageSpec(
            steps=[
                LayerSpec([Dir("app"), File("app/app.jar", jar)], created_by="COPY app.jar /app/"),
                LayerSpec([Whiteout("app/app.jar")], created_by="RUN rm /app/app.jar"),
            ]
        )
    )


def test_secrets_in_a_deleted_jar_and_an_archive_inside_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    # One build for both scans: a jar written twice differs when the clock's
    # two-second zip timestamp ticks in between, and so would the layer's digest.
    image = archive_image()
    cold = scan(tmp_path, image, cache)
    found = {
        (f.location.path, f.location.line, f.location.layer, f.location.removed_in)
        for f in cold.findings
    }
    assert found == {
        ("/app/app.jar!/BOOT-INF/classes/application.properties", 1, 0, 1),
        ("/app/app.jar!/BOOT-INF/lib/deploy.tar.gz!/etc/deploy.env", 1, 0, 1),
    }
    assert all(f.still_extractable for f in cold.findings)
    assert (cold.status.archives_opened, cold.status.archives_skipped) == (2, 0)
    warm = scan(tmp_path, image, cache)
    assert warm.status.layers_read == 0
    assert warm.findings == cold.findings
    assert warm.status.archives_opened == 2
    for entry in (cache / "layers").glob("*.secrets"):
        data = entry.read_bytes()
        assert ARCHIVE_TOKEN.encode() not in data and NESTED_TOKEN.encode() not in data
    shown = repr(cold)
    assert ARCHIVE_TOKEN not in shown and NESTED_TOKEN not in shown


def test_warm_scan_of_a_clean_image_needs_no_rules(tmp_path: Path) -> None:
    from seawall.analyze.secrets import builtin_rules

    cache = tmp_path / "cache"
    clean = build_image(
        ImageSpec(
            steps=[LayerSpec([Dir("etc"), File("etc/motd", b"hello\n")])],
            config=ConfigSpec(env=("PATH=/usr/bin",)),
        )
    )
    cold = scan(tmp_path, clean, cache)
    assert cold.findings == () and cold.status.layers_read == 1
    assert len(list((cache / "layers").glob("*.config-secrets"))) == 1
    for entry in (cache / "layers").glob("*.secrets-claims"):
        entry.unlink()  # no hit anywhere: a warm scan needs no claims
    builtin_rules.cache_clear()
    warm = scan(tmp_path, clean, cache)
    assert warm.status.layers_read == 0 and warm.findings == ()
    assert builtin_rules.cache_info().currsize == 0  # answered from the cache alone
    assert warm.status.rules_version == cold.status.rules_version


def test_warm_scan_imports_no_engine(tmp_path: Path) -> None:
    """A scan answered from the cache imports neither the engine, YAML, archive readers
    nor the file views (start-up time of every warm run); with hits to report, it
    needs the rules' titles and severities, not the engine."""
    import subprocess
    import sys

    layout = tmp_path / "layout"
    write_oci_layout(layout, [(secret_image(), "v1")])
    target, cache = f"oci-dir:{layout}:v1", tmp_path / "cache"
    cold = secrets(target, SourceOptions(cache_dir=cache))
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from seawall.pipeline.secrets import secrets\n"
        "from seawall.source.base import SourceOptions\n"
        f"result = secrets({target!r}, SourceOptions(cache_dir=Path({str(cache)!r})))\n"
        "print(result.status.layers_read, len(result.findings))\n"
        "print(' '.join(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    counts, modules = done.stdout.splitlines()
    assert counts == f"0 {len(cold.findings)}"
    loaded = set(modules.split())
    for heavy in (
        "seawall.analyze.secrets.engine",
        "seawall.analyze.secrets.archives",
        "seawall.fs",
        "ahocorasick_rs",
        "yaml",
        "zipfile",
    ):
        assert heavy not in loaded, heavy
