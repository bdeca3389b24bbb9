"""The engine's streaming: chunk boundaries, binary and large files, config texts, user config."""

import logging
from pathlib import Path

import pytest

from seawall.analyze.secrets import (
    EngineSettings,
    Outcome,
    SecretEngine,
    load_config,
    scan_image_config,
)
from seawall.errors import InputError
from seawall.model.finding import SecretSource
from seawall.model.image import HistoryEntry, Image, ImageConfig, SourceKind
from tests.analyze.secrets.samples import github_token, pem_key

SMALL = EngineSettings(max_file_bytes=1 << 20, chunk_bytes=4096, overlap_bytes=1024)


@pytest.mark.parametrize("offset", range(4096 - 60, 4096 + 5, 7))
def test_secret_across_a_chunk_boundary_is_found_once(offset: int) -> None:
    token = github_token("ghp")
    filler = b"a" * (offset - 1) + b"\n"
    data = filler + f"t {token}\n".encode() + b"b" * 10000
    whole = SecretEngine().scan_bytes(data, "/f")
    chunked = SecretEngine(settings=SMALL).scan_bytes(data, "/f")
    assert [h.rule_id for h in chunked.hits] == ["github-pat"]
    assert chunked.hits == whole.hits
    assert chunked.hits[0].line == 2


def test_long_private_key_across_chunks() -> None:
    key = pem_key().encode()
    data = b"x\n" * 1800 + key
    hits = SecretEngine(settings=SMALL).scan_bytes(data, "/k").hits
    assert [h.rule_id for h in hits] == ["private-key"]
    assert hits[0].line == 1802  # the key material starts on the line after BEGIN


def test_binary_and_large_files_are_skipped() -> None:
    engine = SecretEngine(settings=SMALL)
    token = github_token("ghp").encode()
    assert engine.scan_bytes(b"\0ELF" + token, "/bin/x").outcome is Outcome.BINARY
    assert engine.scan_bytes(b"a" * (2 << 20) + token, "/big").outcome is Outcome.TOO_LARGE
    assert engine.scan_bytes(token, "/srv/tests/x").outcome is Outcome.EXCLUDED


def test_image_config_and_history(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = github_token("ghp")
    image = Image(
        source_kind=SourceKind.OCI_DIR,
        reference="x",
        config=ImageConfig(
            env=(("PATH", "/usr/bin"), ("GH_TOKEN", token)),
            labels=(("note", "db password is changeme"),),
            cmd=("run", "--password", "Zq7!Kx2#Lm9@"),
        ),
        history=(HistoryEntry(created_by="RUN |1 DB_PASSWORD=Hk3$Qz8!Wm2v /bin/sh -c make"),),
    )
    findings = scan_image_config(image, SecretEngine())
    where = sorted((f.location.source.value, f.location.field or "", f.rule_id) for f in findings)
    assert ("config", "Env[1] GH_TOKEN", "github-pat") in where
    assert ("history", "", "generic-password") in where
    assert not any("Labels" in w[1] for w in where)
    assert all(token not in repr(f) for f in findings)
    assert token not in caplog.text
    history = [f for f in findings if f.location.source is SecretSource.HISTORY]
    assert history[0].location.history_index == 0


def test_config_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "baseline:\n  - fingerprint: " + "a" * 64 + "\n    reason: rotated\n"
    )
    path = tmp_path / "seawall-secrets.yaml"
    path.write_text(
        "disable_rules: [jwt]\nallow:\n  - rules: [generic-secret]\n    paths: ['^/srv/it/']\n"
        "baseline_file: base.yaml\n"
    )
    config = load_config(path, frozenset({"jwt", "generic-secret"}))
    assert config.baseline == {"a" * 64: "rotated"}
    assert config.disable_rules == {"jwt"}
    path.write_text("allow:\n  - paths: ['(']\n")
    with pytest.raises(InputError, match="invalid regular expression"):
        load_config(path)
    path.write_text("baseline:\n  - fingerprint: nothex\n    reason: x\n")
    with pytest.raises(InputError, match=str(path)):
        load_config(path)
    path.write_text("disable_rules: [no-such-rule]\n")
    with pytest.raises(InputError, match="unknown rule"):
        load_config(path, frozenset({"jwt"}))
