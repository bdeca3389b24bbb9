"""Registry credentials: where they come from, and keeping them out of sight.

Order of precedence: `SEAWALL_REGISTRY_USERNAME`/`SEAWALL_REGISTRY_PASSWORD`,
then the docker CLI's `config.json` (in `$DOCKER_CONFIG`, else `~/.docker`):
a `credHelpers` entry for the host, then `credsStore`, each used only when its
`docker-credential-NAME` binary is installed, then the `auths` entries. This
follows docker/cli's config/credentials lookup; helpers speak the
docker-credential-helpers protocol (`get`, server URL on stdin, JSON out).

A `Credentials` never shows its password or token in a repr or message.
"""

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seawall.errors import InputError
from seawall.source.remote.reference import DOCKER_HUB

USERNAME_ENV = "SEAWALL_REGISTRY_USERNAME"
PASSWORD_ENV = "SEAWALL_REGISTRY_PASSWORD"  # noqa: S105 - a variable name, not a value
# The docker CLI stores Docker Hub credentials under its v1 index address.
DOCKER_HUB_SERVER_URL = "https://index.docker.io/v1/"
_DOCKER_HUB_ALIASES = frozenset({DOCKER_HUB, "index.docker.io", "registry-1.docker.io"})
_MAX_CONFIG_BYTES = 4 * 1024 * 1024
_MAX_HELPER_OUTPUT = 1024 * 1024
_HELPER_TIMEOUT_SECONDS = 30.0
# docker-credential-helpers: the username that marks `Secret` as an identity token.
_IDENTITY_TOKEN_USERNAME = "<token>"  # noqa: S105 - a protocol marker


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """A username with a password, or an identity (refresh) token."""

    username: str | None
    password: str | None
    identity_token: str | None = None
    origin: str = "unknown"
    """Where they were found, for messages (never the values)."""

    def __repr__(self) -> str:
        kind = "identity token" if self.identity_token else "password"
        return f"Credentials(username={self.username!r}, {kind}=<redacted>, origin={self.origin!r})"

    __str__ = __repr__


def find_credentials(
    host: str, environ: Mapping[str, str] | None = None, home: Path | None = None
) -> Credentials | None:
    """Credentials for registry `host` (as in a reference, `docker.io` for Docker Hub), or None."""
    env = os.environ if environ is None else environ
    username, password = env.get(USERNAME_ENV), env.get(PASSWORD_ENV)
    if username is not None or password is not None:
        if not username or password is None:
            raise InputError(
                f"set both {USERNAME_ENV} and {PASSWORD_ENV}, or neither "
                "(only one of them is set, or the username is empty)"
            )
        return Credentials(username, password, origin=f"{USERNAME_ENV}/{PASSWORD_ENV}")

    config_dir = env.get("DOCKER_CONFIG")
    if config_dir:
        config_path = Path(config_dir) / "config.json"
    else:
        config_path = (home if home is not None else Path.home()) / ".docker" / "config.json"
    config = _read_config(config_path)
    if config is None:
        return None
    return _from_config(config, config_path, _canonical_host(host), env)


def _read_config(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read docker config {path}: {exc.strerror}") from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise InputError(f"docker config {path} is larger than {_MAX_CONFIG_BYTES} bytes")
    try:
        config = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"docker config {path} is not valid JSON") from None
    if not isinstance(config, dict):
        raise InputError(f"docker config {path} is not a JSON object")
    return config


def _from_config(
    config: dict[str, Any], path: Path, host: str, env: Mapping[str, str]
) -> Credentials | None:
    server_url = DOCKER_HUB_SERVER_URL if host == DOCKER_HUB else host
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if isinstance(helper, str) and _canonical_host(_hostname(key)) == host:
                found = _from_helper(helper, server_url, env)
                if found is not None:
                    return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        found = _from_helper(store, server_url, env)
        if found is not None:
            return found
    auths = config.get("auths")
    if not isinstance(auths, dict):
        return None
    for key, entry in auths.items():
        if isinstance(entry, dict) and _canonical_host(_hostname(key)) == host:
            found = _from_auth_entry(entry, f"{path} auths[{key!r}]")
            if found is not None:
                return found
    return None


def _from_auth_entry(entry: dict[str, Any], origin: str) -> Credentials | None:
    token = entry.get("identitytoken")
    auth = entry.get("auth")
    username, password = entry.get("username"), entry.get("password")
    if isinstance(auth, str) and auth:
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(f"{origin}: 'auth' is not base64 of USERNAME:PASSWORD") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise InputError(f"{origin}: 'auth' does not decode to USERNAME:PASSWORD")
    if isinstance(token, str) and token:
        return Credentials(
            username if isinstance(username, str) else None, None, token, origin=origin
        )
    if isinstance(username, str) and username and isinstance(password, str):
        return Credentials(username, password, origin=origin)
    return None


def _from_helper(name: str, server_url: str, env: Mapping[str, str]) -> Credentials | None:
    binary = shutil.which(f"docker-credential-{name}", path=env.get("PATH"))
    if binary is None:
        return None
    origin = f"credential helper docker-credential-{name}"
    try:
        done = subprocess.run(
            [binary, "get"],
            input=server_url.encode(),
            capture_output=True,
            timeout=_HELPER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"{origin} did not answer within {_HELPER_TIMEOUT_SECONDS:.0f} s"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot run {origin}: {exc.strerror}") from None
    if done.returncode != 0:
        # The protocol's answer for "nothing stored for this server"; other
        # failures are reported without the helper's output, which may hold secrets.
        if b"credentials not found" in done.stdout.lower():
            return None
        raise InputError(f"{origin} failed with exit code {done.returncode}")
    if len(done.stdout) > _MAX_HELPER_OUTPUT:
        raise InputError(f"{origin} wrote more than {_MAX_HELPER_OUTPUT} bytes")
    try:
        reply = json.loads(done.stdout)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{origin} did not answer with JSON") from None
    if not isinstance(reply, dict):
        raise InputError(f"{origin} did not answer with a JSON object")
    username, secret = reply.get("Username"), reply.get("Secret")
    if not isinstance(secret, str) or not secret:
        return None
    if username == _IDENTITY_TOKEN_USERNAME:
        return Credentials(None, None, secret, origin=origin)
    if not isinstance(username, str) or not username:
        raise InputError(f"{origin} answered without a Username")
    return Credentials(username, secret, origin=origin)


def _hostname(key: str) -> str:
    """docker/cli's ConvertToHostname: drop the scheme and anything after the host."""
    for scheme in ("http://", "https://"):
        if key.startswith(scheme):
            key = key[len(scheme) :]
            break
    return key.split("/", 1)[0]


def _canonical_host(host: str) -> str:
    return DOCKER_HUB if host in _DOCKER_HUB_ALIASES else host
