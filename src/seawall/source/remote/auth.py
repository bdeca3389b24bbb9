"""Registry authentication: challenges, HTTP Basic, and the bearer-token flow.

A registry answers an unauthenticated request with 401 and a
`WWW-Authenticate` challenge (RFC 7235). `Basic` means send the credentials
with every request; `Bearer realm=…,service=…,scope=…` means get a token from
the realm first (docker distribution "Token Authentication Specification":
GET with `service` and `scope`, optional HTTP Basic credentials; the reply
holds `token` or `access_token` and `expires_in`, 60 s when absent; an
identity token is exchanged with the OAuth2 form POST of the same spec).
Tokens are cached per realm, service and scope until shortly before expiry.
"""

import base64
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from seawall.source.remote.credentials import Credentials
from seawall.source.remote.errors import (
    InsecureRegistryError,
    RegistryAuthError,
    RegistryProtocolError,
    RegistryUnavailableError,
)

log = logging.getLogger(__name__)

DEFAULT_TOKEN_LIFETIME = 60.0
# Refresh a little before expiry so a token does not lapse in flight.
_EXPIRY_MARGIN = 5.0
_MAX_TOKEN_REPLY_BYTES = 1024 * 1024
_CLIENT_ID = "seawall"


@dataclass(frozen=True, slots=True)
class Challenge:
    """One `WWW-Authenticate` challenge: a lower-cased scheme and its parameters."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)


def parse_challenges(values: Iterable[str]) -> list[Challenge]:
    """Parse `WWW-Authenticate` header values (RFC 7235 §4.1), possibly several per value.

    Malformed parts end the parse of that value; what was understood is kept.
    """
    challenges: list[Challenge] = []
    for value in values:
        challenges.extend(_parse_one(value))
    return challenges


def _parse_one(text: str) -> list[Challenge]:
    out: list[Challenge] = []
    pos, end = 0, len(text)
    current: Challenge | None = None
    while pos < end:
        while pos < end and text[pos] in " \t,":
            pos += 1
        start = pos
        while pos < end and text[pos] not in " \t,=":
            pos += 1
        token = text[start:pos]
        if not token:
            break
        probe = pos
        while probe < end and text[probe] in " \t":
            probe += 1
        if probe < end and text[probe] == "=" and current is not None:
            pos = probe + 1
            while pos < end and text[pos] in " \t":
                pos += 1
            value, pos = _param_value(text, pos)
            current.params[token.lower()] = value
        else:
            current = Challenge(token.lower())
            out.append(current)
    return out


def _param_value(text: str, pos: int) -> tuple[str, int]:
    end = len(text)
    if pos < end and text[pos] == '"':
        pos += 1
        chars: list[str] = []
        while pos < end and text[pos] != '"':
            if text[pos] == "\\" and pos + 1 < end:
                pos += 1
            chars.append(text[pos])
            pos += 1
        return "".join(chars), pos + 1
    start = pos
    while pos < end and text[pos] not in " \t,":
        pos += 1
    return text[start:pos], pos


@dataclass(slots=True)
class _Token:
    value: str
    expires_at: float


class Authenticator:
    """Turns a registry's challenge into an `Authorization` header, caching bearer tokens."""

    def __init__(
        self,
        http: httpx.Client,
        registry: str,
        credentials: Credentials | None,
        *,
        insecure: bool,
    ) -> None:
        self._http = http
        self._registry = registry
        self._credentials = credentials
        self._insecure = insecure
        self._challenge: Challenge | None = None
        self._tokens: dict[tuple[str, str, str], _Token] = {}

    def __repr__(self) -> str:
        scheme = self._challenge.scheme if self._challenge else "anonymous"
        return f"Authenticator(registry={self._registry!r}, scheme={scheme!r})"

    @property
    def has_credentials(self) -> bool:
        return self._credentials is not None

    def describe_credentials(self) -> str:
        """Where the credentials came from, for error messages (never their values)."""
        if self._credentials is None:
            return "no credentials (anonymous)"
        return f"the credentials from {self._credentials.origin}"

    def learn(self, response: httpx.Response) -> bool:
        """Take the challenge of a 401 response; False if it offers nothing usable."""
        challenges = parse_challenges(response.headers.get_list("www-authenticate"))
        for wanted in ("bearer", "basic"):
            for challenge in challenges:
                if challenge.scheme == wanted:
                    if wanted == "bearer" and "realm" not in challenge.params:
                        raise RegistryProtocolError(
                            f"registry {self._registry} sent a Bearer challenge without a realm"
                        )
                    self._challenge = challenge
                    return True
        return False

    def forget_token(self, scope: str) -> None:
        """Drop a cached token the registry rejected, so the next header fetches a new one."""
        if self._challenge is not None and self._challenge.scheme == "bearer":
            self._tokens.pop(self._token_key(scope), None)

    def header(self, scope: str) -> dict[str, str]:
        """The `Authorization` header for a request needing `scope`, or none when anonymous."""
        challenge = self._challenge
        if challenge is None:
            return {}
        if challenge.scheme == "basic":
            if self._credentials is None or self._credentials.password is None:
                raise RegistryAuthError(
                    f"registry {self._registry} requires a username and password; set "
                    "SEAWALL_REGISTRY_USERNAME and SEAWALL_REGISTRY_PASSWORD, or log in "
                    "with `docker login`"
                )
            return {"Authorization": _basic(self._credentials)}
        key = self._token_key(scope)
        token = self._tokens.get(key)
        if token is None or token.expires_at <= time.monotonic():
            token = self._fetch_token(challenge, scope)
            self._tokens[key] = token
        return {"Authorization": f"Bearer {token.value}"}

    def _token_key(self, scope: str) -> tuple[str, str, str]:
        assert self._challenge is not None
        params = self._challenge.params
        return params.get("realm", ""), params.get("service", ""), scope

    def _fetch_token(self, challenge: Challenge, scope: str) -> _Token:
        realm = challenge.params["realm"]
        url = httpx.URL(realm) if _is_http_url(realm) else None
        if url is None:
            raise RegistryProtocolError(
                f"registry {self._registry} names a token realm that is not an http(s) URL"
            )
        if url.scheme == "http" and not self._insecure:
            raise InsecureRegistryError(
                f"registry {self._registry} sends clients to a plain-http token service "
                f"({url.host}); pass --insecure if that is intended"
            )
        params = {"scope": scope}
        if "service" in challenge.params:
            params["service"] = challenge.params["service"]
        creds = self._credentials
        try:
            if creds is not None and creds.identity_token is not None:
                # OAuth2 refresh-token grant (distribution docs/spec/auth/oauth.md).
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": _CLIENT_ID,
                    **params,
                }
                request = self._http.build_request("POST", url, data=form)
            else:
                headers = {"Authorization": _basic(creds)} if creds and creds.password else {}
                request = self._http.build_request("GET", url, params=params, headers=headers)
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException:
            raise RegistryUnavailableError(
                f"token service {url.host} of registry {self._registry} timed out"
            ) from None
        except httpx.TransportError as exc:
            raise RegistryUnavailableError(
                f"cannot reach token service {url.host} of registry {self._registry}: "
                f"{type(exc).__name__}"
            ) from None
        try:
            if response.status_code in (401, 403):
                raise RegistryAuthError(
                    f"authentication to registry {self._registry} failed: its token service "
                    f"refused {self.describe_credentials()}"
                )
            if response.status_code != 200:
                raise RegistryUnavailableError(
                    f"token service {url.host} of registry {self._registry} answered "
                    f"HTTP {response.status_code}"
                )
            body = _read_bounded(response, _MAX_TOKEN_REPLY_BYTES)
        except httpx.DecodingError:
            raise RegistryProtocolError(
                f"token service {url.host} of registry {self._registry} sent a reply that does "
                "not decode as its Content-Encoding says"
            ) from None
        except httpx.TransportError as exc:
            raise RegistryUnavailableError(
                f"token service {url.host} of registry {self._registry} failed mid-reply: "
                f"{type(exc).__name__}"
            ) from None
        finally:
            response.close()
        if body is None:
            raise RegistryProtocolError(
                f"token service of registry {self._registry} sent more than "
                f"{_MAX_TOKEN_REPLY_BYTES} bytes"
            )
        return self._parse_token_reply(body)

    def _parse_token_reply(self, body: bytes) -> _Token:
        try:
            reply = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            reply = None
        if not isinstance(reply, dict):
            raise RegistryProtocolError(
                f"token service of registry {self._registry} did not answer with a JSON object"
            )
        value = reply.get("token") or reply.get("access_token")
        if not isinstance(value, str) or not value or not value.isascii() or "\n" in value:
            raise RegistryProtocolError(
                f"token service of registry {self._registry} sent no usable token"
            )
        lifetime = reply.get("expires_in")
        if not isinstance(lifetime, int | float) or isinstance(lifetime, bool) or lifetime <= 0:
            lifetime = DEFAULT_TOKEN_LIFETIME
        lifetime = max(float(lifetime) - _EXPIRY_MARGIN, 1.0)
        log.debug("got a bearer token for %s valid for %.0f s", self._registry, lifetime)
        return _Token(value, time.monotonic() + lifetime)


def _basic(credentials: Credentials | None) -> str:
    assert credentials is not None and credentials.password is not None
    pair = f"{credentials.username or ''}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _is_http_url(text: str) -> bool:
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


def _read_bounded(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a streamed response, or None once it passes `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
