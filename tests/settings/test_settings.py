"""seawall.yaml and SEAWALL_* variables: discovery, precedence, paths, errors at the line."""

import subprocess
import sys
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.model.policy import BusinessContext, Criticality, DataClass
from seawall.settings import (
    CONTEXT_ENV_NAMES,
    ENV_NAMES,
    MAX_CONFIG_BYTES,
    Settings,
    SettingsError,
    find_config_file,
    load_settings,
)
from seawall.settings.document import SettingsDocument

FULL = """\
version: 1
cache_dir: ~/seawall-cache
db: db/seawall.db
scanners: [vuln, secret, misconfig]
severity: critical,high
fail_on: high
ignore_unfixed: true
offline: false
platform: linux/arm64/v8
insecure_registries: [localhost:5000, "[::1]:5001"]
policy: seawall-policy.yaml
vex: [vex/app.openvex.json, /abs/other.json]
context: {internet_facing: true, data: [payment, personal], criticality: high}
"""


def write(directory: Path, text: str, name: str = "seawall.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_file_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = write(tmp_path / "project", FULL)
    home = tmp_path / "home"
    settings = load_settings(path, environ={"HOME": str(home)})
    assert settings.source == path
    assert settings.db == tmp_path / "project" / "db" / "seawall.db"
    assert settings.policy == tmp_path / "project" / "seawall-policy.yaml"
    assert settings.vex == (
        tmp_path / "project" / "vex" / "app.openvex.json",
        Path("/abs/other.json"),
    )
    assert settings.cache_dir is not None and settings.cache_dir.name == "seawall-cache"
    assert not str(settings.cache_dir).startswith("~")
    assert settings.scanners == ("vuln", "secret", "misconfig")
    assert settings.severity == ("critical", "high")
    assert (settings.fail_on, settings.ignore_unfixed, settings.offline) == ("high", True, False)
    assert settings.platform == "linux/arm64/v8"
    assert settings.insecure_registries == ("localhost:5000", "[::1]:5001")
    assert settings.context == BusinessContext(
        internet_facing=True,
        data_classes=frozenset({DataClass.PAYMENT, DataClass.PERSONAL}),
        criticality=Criticality.HIGH,
    )


def test_nothing_set_is_the_empty_settings(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert load_settings(cwd=tmp_path, environ=env) == Settings()
    assert load_settings(write(tmp_path, ""), environ=env) == Settings(
        source=tmp_path / "seawall.yaml"
    )


def test_discovery_order(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    cwd = tmp_path / "work"
    cwd.mkdir()
    env = {"XDG_CONFIG_HOME": str(xdg)}
    assert find_config_file(cwd=cwd, environ=env) is None
    user = write(xdg / "seawall", "offline: true\n")
    assert find_config_file(cwd=cwd, environ=env) == user
    local = write(cwd, "offline: false\n")
    assert find_config_file(cwd=cwd, environ=env) == local
    named = write(tmp_path, "offline: true\n", "named.yaml")
    assert find_config_file(cwd=cwd, environ={**env, "SEAWALL_CONFIG": str(named)}) == named
    explicit = tmp_path / "explicit.yaml"
    assert (
        find_config_file(explicit, cwd=cwd, environ={**env, "SEAWALL_CONFIG": str(named)})
        == explicit
    )
    assert load_settings(cwd=cwd, environ=env).offline is False


def test_xdg_default_is_dot_config_under_home(tmp_path: Path) -> None:
    user = write(tmp_path / "home" / ".config" / "seawall", "platform: linux/amd64\n")
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": ""}
    # Path.home() reads $HOME on POSIX.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path / "home"))
        assert find_config_file(cwd=tmp_path, environ=env) == user


def test_variables_override_the_file_field_by_field(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    env = {
        "SEAWALL_FAIL_ON": "critical",
        "SEAWALL_OFFLINE": "yes",
        "SEAWALL_SCANNERS": "vuln, secret",
        "SEAWALL_DB": "relative/to/cwd.db",
        "SEAWALL_VEX": "a.json,b.json",
        "SEAWALL_CRITICALITY": "low",
        "SEAWALL_DATA": "health",
        "SEAWALL_IGNORE_UNFIXED": "0",
    }
    settings = load_settings(path, environ=env)
    assert settings.fail_on == "critical" and settings.offline is True
    assert settings.ignore_unfixed is False
    assert settings.scanners == ("vuln", "secret")
    assert settings.db == Path("relative/to/cwd.db")
    assert settings.vex == (Path("a.json"), Path("b.json"))
    assert settings.policy == tmp_path / "seawall-policy.yaml"  # from the file
    assert settings.context == BusinessContext(
        internet_facing=True,  # the file's
        data_classes=frozenset({DataClass.HEALTH}),
        criticality=Criticality.LOW,
    )


def test_variables_alone(tmp_path: Path) -> None:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "SEAWALL_INTERNET_FACING": "false",
        "SEAWALL_PLATFORM": "linux/amd64",
    }
    settings = load_settings(cwd=tmp_path, environ=env)
    assert settings.source is None and settings.platform == "linux/amd64"
    assert settings.context.internet_facing is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fail_on: severe\n", "seawall.yaml:1:10: fail_on: unknown severity 'severe'"),
        (
            "offline: true\nscaners: [vuln]\n",
            "seawall.yaml:2:10: scaners: Extra inputs are not permitted",
        ),
        ("scanners: [vuln, sbom]\n", "seawall.yaml:1:18: scanners[1]: Input should be 'vuln'"),
        ("severity: [high, severe]\n", "seawall.yaml:1:11: severity: unknown severity 'severe'"),
        ("platform: linux\n", "seawall.yaml:1:11: platform: String should match pattern"),
        (
            "insecure_registries:\n  - ok:5000\n  - 'http://evil/'\n",
            "seawall.yaml:2:3: insecure_registries: 'http://evil/' is not a registry HOST[:PORT]",
        ),
        (
            "context:\n  criticality: extreme\n",
            "seawall.yaml:2:16: context.criticality: unknown criticality 'extreme'",
        ),
        ("version: 2\n", "seawall.yaml:1:10: version: Input should be 1"),
        ("- a list\n", "seawall.yaml:1:1: settings are a mapping"),
        ("a: &x 1\nb: *x\n", "anchors and aliases are not allowed"),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested deeper than 64 levels"),
        ("offline: [\n", "not valid YAML"),
        ("offline: yes\noffline: no\n", "duplicate key 'offline'"),
    ],
)
def test_errors_point_at_the_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={})
    assert isinstance(caught.value, InputError)
    message = str(caught.value).replace(str(tmp_path) + "/", "")
    assert expected in message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(tmp_path / "missing.yaml", environ={})
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(SettingsError, match="is a directory"):
        load_settings(tmp_path / "dir.yaml", environ={})
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * MAX_CONFIG_BYTES)
    with pytest.raises(SettingsError, match="larger than"):
        load_settings(big, environ={})
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"offline: \xff\n")
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(binary, environ={})
    # A discovered ./seawall.yaml that is a directory is an error too, not silently skipped.
    (tmp_path / "cwd" / "seawall.yaml").mkdir(parents=True)
    with pytest.raises(SettingsError, match="is a directory"):
        load_settings(cwd=tmp_path / "cwd", environ={"XDG_CONFIG_HOME": str(tmp_path)})


def test_variable_errors_name_the_variable_not_the_value(tmp_path: Path) -> None:
    secretish = "hunter2-do-not-print"
    env = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "SEAWALL_OFFLINE": secretish,
        "SEAWALL_CRITICALITY": "extreme",
        "SEAWALL_FAIL_ON": "",  # empty counts as unset
    }
    with pytest.raises(SettingsError) as caught:
        load_settings(cwd=tmp_path, environ=env)
    message = str(caught.value)
    assert "settings environment: 2 problem(s)" in message
    assert "SEAWALL_OFFLINE: Input should be a valid boolean" in message
    assert "SEAWALL_CRITICALITY: unknown criticality" in message
    assert secretish not in message


def test_every_field_has_a_variable_and_scanner_names_agree_with_the_pipeline() -> None:
    from typing import get_args

    from seawall.pipeline.scan import Scanner

    fields = set(SettingsDocument.model_fields) - {"version", "context"}
    assert fields == set(ENV_NAMES)
    assert set(CONTEXT_ENV_NAMES) == {"internet_facing", "data", "criticality"}
    annotation = SettingsDocument.model_fields["scanners"].annotation
    (listed, _none) = get_args(annotation)
    (literal,) = get_args(listed)
    assert set(get_args(literal)) == {s.value for s in Scanner}


def test_without_file_or_variables_no_validation_library_loads(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom pathlib import Path\nfrom seawall.settings import load_settings\n"
        f"root = Path({str(tmp_path)!r})\n"
        "load_settings(cwd=root, environ={'XDG_CONFIG_HOME': str(root)})\n"
        "print(' '.join(m for m in ('pydantic', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
