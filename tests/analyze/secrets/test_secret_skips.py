"""The skip list: trees of third-party software are not read, unless asked; nothing else is
lost, and every entry is documented."""

import re
from pathlib import Path

import pytest

from seawall.analyze.secrets import (
    EngineSettings,
    Outcome,
    SecretEngine,
    builtin_rules,
    load_config,
)
from seawall.analyze.secrets.rules import RulesError, parse_rules
from seawall.errors import InputError
from tests.analyze.secrets.samples import github_token

TOKEN = github_token("ghp")
TEXT = f"export GITHUB_TOKEN={TOKEN}\n".encode()
DOCS = Path(__file__).resolve().parents[3] / "docs" / "secrets.md"

# One path inside each entry of `skip_paths` (rules.yaml), by entry id.
SKIPPED = {
    "usr-share": "/usr/share/doc/tool/README",
    "usr-lib": "/usr/lib/python3/dist-packages/pkg/settings.py",
    "usr-include": "/usr/include/openssl/x509.h",
    "python-local": "/usr/local/lib/python3.11/site-packages/pkg/conf.py",
    "go-toolchain": "/usr/local/go/src/net/http/x.go",
    "yarn-distribution": "/opt/yarn-v1.22.19/lib/cli.js",
    "wordpress-core": "/usr/src/wordpress/wp-includes/x.php",
    "node-modules": "/srv/app/node_modules/pkg/index.js",
    "vendored": "/app/vendor/github.com/x/y/z.go",
    "dist-info": "/opt/venv/lib/python3.11/site-packages/x-1.0.dist-info/METADATA",
    "locales": "/srv/app/locales/en.json",
}

# Where images' owners put their own files, inside or next to those trees: read.
KEPT = [
    "/usr/share/nginx/html/config.js",
    "/usr/share/kibana/config/kibana.yml",
    "/usr/share/logstash/pipeline/out.conf",
    "/usr/share/grafana/conf/custom.ini",
    "/usr/lib/cgi-bin/deploy.cgi",
    "/usr/local/bin/deploy.sh",
    "/usr/local/lib/node/x.js",
    "/opt/venv/lib/python3.11/site-packages/app/settings.py",
    "/srv/app/.env",
    "/srv/app/vendor.js",
    "/usr/libexec/tool/run.sh",
    "/root/.git/config",
    "/srv/app/package-lock.json",
    "/srv/app/README.md",
]


def test_every_skip_entry_has_a_sample() -> None:
    assert set(builtin_rules().skip_ids) == set(SKIPPED)


@pytest.mark.parametrize("path", sorted(SKIPPED.values()))
def test_skipped_trees_are_not_read_unless_asked(path: str) -> None:
    def read(size: int) -> bytes:
        raise AssertionError("a skipped file was read")

    assert SecretEngine().scan_reader(read, path, len(TEXT)).outcome is Outcome.EXCLUDED
    everything = SecretEngine(settings=EngineSettings(skip_paths=False))
    hits = everything.scan_bytes(TEXT, path).hits
    assert [hit.rule_id for hit in hits] == ["github-pat"]


@pytest.mark.parametrize("path", KEPT)
def test_owners_files_are_read(path: str) -> None:
    scan = SecretEngine().scan_bytes(TEXT, path)
    assert scan.outcome is Outcome.SCANNED
    assert [hit.rule_id for hit in scan.hits] == ["github-pat"]


def test_members_of_archives_follow_the_same_list() -> None:
    engine = SecretEngine()
    assert engine.scan_bytes(TEXT, "/app/x.jar!/node_modules/a/b.js").outcome is Outcome.EXCLUDED
    assert engine.scan_bytes(TEXT, "/app/x.jar!/BOOT-INF/app.properties").hits


def test_every_skip_entry_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", DOCS.read_text(), re.MULTILINE))
    assert set(builtin_rules().skip_ids) <= documented


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("skip_paths: x\n", "must be a list"),
        ("skip_paths:\n  - {id: a-b}\n", "`id` and `path`"),
        ("skip_paths:\n  - {id: A, path: x}\n", "lower-case"),
        ("skip_paths:\n  - {id: ab, path: x}\n  - {id: ab, path: y}\n", "duplicate"),
        ("skip_paths:\n  - {id: ab, path: '('}\n", "invalid regular expression"),
    ],
)
def test_malformed_skip_lists_are_refused(entries: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(f"version: 1\nrules: []\n{entries}".encode())


def test_the_configuration_turns_the_list_off(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text("scan_all_paths: true\n")
    assert load_config(path).scan_all_paths
    path.write_text("max_file_bytes: 1024\n")
    assert not load_config(path).scan_all_paths
    path.write_text("scan_all_paths: sometimes\n")
    with pytest.raises(InputError, match="scan_all_paths"):
        load_config(path)
