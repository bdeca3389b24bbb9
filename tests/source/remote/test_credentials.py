"""Where registry credentials come from, and that they never show."""

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.source.remote.credentials import Credentials, find_credentials


def write_config(directory: Path, config: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.json"
    path.write_text(json.dumps(config))
    return path


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def helper(bin_dir: Path, name: str, script: str) -> None:
    """A real docker-credential-NAME executable speaking the helper protocol."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def env(config_dir: Path, **extra: str) -> dict[str, str]:
    return {"DOCKER_CONFIG": str(config_dir), "PATH": os.environ["PATH"], **extra}


def test_environment_takes_precedence(tmp_path: Path) -> None:
    write_config(tmp_path, {"auths": {"r.example": {"auth": b64("file:secret")}}})
    found = find_credentials(
        "r.example",
        env(tmp_path, SEAWALL_REGISTRY_USERNAME="envuser", SEAWALL_REGISTRY_PASSWORD="envpass"),
    )
    assert found is not None
    assert (found.username, found.password) == ("envuser", "envpass")
    assert "SEAWALL_REGISTRY_USERNAME" in found.origin


def test_half_set_environment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="set both"):
        find_credentials("r.example", env(tmp_path, SEAWALL_REGISTRY_USERNAME="only"))


@pytest.mark.parametrize(
    ("key", "host"),
    [
        ("r.example:5000", "r.example:5000"),
        ("https://r.example:5000", "r.example:5000"),
        ("http://r.example:5000/v2/", "r.example:5000"),
        ("https://index.docker.io/v1/", "docker.io"),
        ("index.docker.io", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
    ],
)
def test_auths_host_key_forms(tmp_path: Path, key: str, host: str) -> None:
    write_config(tmp_path, {"auths": {key: {"auth": b64("user:pa:ss")}}})
    found = find_credentials(host, env(tmp_path))
    assert found is not None
    assert (found.username, found.password) == ("user", "pa:ss")
    assert find_credentials("other.example", env(tmp_path)) is None


def test_auths_username_password_and_identity_token(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        {
            "auths": {
                "a.example": {"username": "alice", "password": "pw"},
                "b.example": {"identitytoken": "refresh-me"},
            }
        },
    )
    a = find_credentials("a.example", env(tmp_path))
    b = find_credentials("b.example", env(tmp_path))
    assert a is not None and (a.username, a.password) == ("alice", "pw")
    assert b is not None and b.identity_token == "refresh-me" and b.password is None


def test_home_docker_config_when_no_docker_config_variable(tmp_path: Path) -> None:
    write_config(tmp_path / ".docker", {"auths": {"r.example": {"auth": b64("u:p")}}})
    found = find_credentials("r.example", {"PATH": os.environ["PATH"]}, home=tmp_path)
    assert found is not None and found.password == "p"
    assert find_credentials("r.example", {}, home=tmp_path / "nobody") is None


def test_credential_helper_protocol(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    # Echo the server URL back as the username so the test sees what was asked.
    helper(
        bin_dir,
        "fake",
        'read url\n[ "$1" = get ] || exit 3\n'
        'printf \'{"ServerURL":"%s","Username":"%s","Secret":"s3cret"}\' "$url" "$url"\n',
    )
    helper(bin_dir, "tok", 'printf \'{"Username":"<token>","Secret":"idtok"}\'\n')
    helper(bin_dir, "none", 'echo "credentials not found in native keychain"; exit 1\n')
    helper(bin_dir, "broken", 'echo "password=leaked" >&2; exit 7\n')
    path = f"{bin_dir}:{os.environ['PATH']}"
    write_config(
        tmp_path,
        {
            "credHelpers": {
                "r.example": "fake",
                "t.example": "tok",
                "https://index.docker.io/v1/": "fake",
            },
            "credsStore": "none",
            "auths": {"n.example": {"auth": b64("fallback:pw")}},
        },
    )
    found = find_credentials("r.example", {"DOCKER_CONFIG": str(tmp_path), "PATH": path})
    assert found is not None
    assert (found.username, found.password) == ("r.example", "s3cret")
    assert "docker-credential-fake" in found.origin
    hub = find_credentials("docker.io", {"DOCKER_CONFIG": str(tmp_path), "PATH": path})
    assert hub is not None and hub.username == "https://index.docker.io/v1/"
    token = find_credentials("t.example", {"DOCKER_CONFIG": str(tmp_path), "PATH": path})
    assert token is not None and token.identity_token == "idtok"
    # The store has nothing for this host: the auths entry is used.
    fallback = find_credentials("n.example", {"DOCKER_CONFIG": str(tmp_path), "PATH": path})
    assert fallback is not None and fallback.username == "fallback"

    write_config(tmp_path, {"credsStore": "broken"})
    with pytest.raises(InputError, match="docker-credential-broken failed with exit code 7") as e:
        find_credentials("r.example", {"DOCKER_CONFIG": str(tmp_path), "PATH": path})
    assert "leaked" not in str(e.value)


def test_missing_helper_binary_falls_back_to_auths(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        {"credsStore": "not-installed-anywhere", "auths": {"r.example": {"auth": b64("u:p")}}},
    )
    found = find_credentials("r.example", env(tmp_path))
    assert found is not None and found.username == "u"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (json.dumps({"auths": {"r.example": {"auth": "%%%"}}}).encode(), "not base64"),
        (
            json.dumps({"auths": {"r.example": {"auth": b64("nocolon")}}}).encode(),
            "USERNAME:PASSWORD",
        ),
        (b" " * (4 * 1024 * 1024 + 1), "larger than"),
    ],
)
def test_malformed_docker_config(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / "config.json").write_bytes(content)
    with pytest.raises(InputError, match=problem) as raised:
        find_credentials("r.example", env(tmp_path))
    assert str(tmp_path / "config.json") in str(raised.value)
    assert "nocolon" not in str(raised.value)


def test_credentials_never_show_their_secret() -> None:
    creds = Credentials("alice", "hunter2-password", origin="test")
    token = Credentials(None, None, "refresh-token-value", origin="test")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert "hunter2-password" not in text
        assert "alice" in text
    assert "refresh-token-value" not in repr(token)
