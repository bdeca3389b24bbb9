"""The OCI distribution API v2 client: probe, manifests and blobs over HTTP.

Follows the OCI distribution spec (spec.md "Pulling manifests", "Pulling
blobs", error codes): `GET /v2/` decides the scheme and learns the auth
challenge; manifests are fetched with an `Accept` of the OCI and docker v2.2
types; blobs follow redirects (object storage) without carrying the
registry's `Authorization` elsewhere. Every body is read with a bound, every
manifest digest is checked against what was asked for and against
`Docker-Content-Digest`. 429 and 5xx answers, timeouts and dropped
connections are retried a bounded number of times before a clear error.
"""

import json
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import httpx

import seawall
from seawall.errors import LimitExceededError
from seawall.limits import Limits
from seawall.source.digest import digest_bytes
from seawall.source.errors import (
    BlobNotFoundError,
    DigestMismatchError,
    MalformedDocumentError,
    shown,
)
from seawall.source.mediatypes import ACCEPT_MANIFESTS
from seawall.source.remote.auth import Authenticator
from seawall.source.remote.credentials import Credentials
from seawall.source.remote.errors import (
    InsecureRegistryError,
    RegistryAuthError,
    RegistryError,
    RegistryNotFoundError,
    RegistryProtocolError,
    RegistryUnavailableError,
)
from seawall.source.remote.reference import Reference

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 3
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_DELAY = 10.0
_MAX_ERROR_BODY = 64 * 1024
_PROBE = "the API probe"
_MAX_TAG_LIST_BYTES = 1024 * 1024
_SHOWN_TAGS = 10
_MAX_REDIRECTS = 5
_CHUNK = 1024 * 1024
_ALGORITHMS = frozenset({"sha256", "sha512"})


@dataclass(frozen=True, slots=True)
class FetchedManifest:
    """A manifest or index exactly as the registry sent it, its digest verified."""

    data: bytes
    digest: str
    content_type: str | None


class RegistryClient:
    """One registry and one repository, over one connection pool."""

    def __init__(
        self,
        reference: Reference,
        *,
        credentials: Credentials | None,
        insecure: bool,
        limits: Limits,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        retry_delay: float = 0.5,
    ) -> None:
        self.reference = reference
        self._insecure = insecure
        self._limits = limits
        self._attempts = max(1, attempts)
        self._retry_delay = retry_delay
        self._scope = f"repository:{reference.repository}:pull"
        self._base: str | None = None
        self._http = httpx.Client(
            # Certificates are checked unless the user asked for --insecure;
            # httpx honours SSL_CERT_FILE / SSL_CERT_DIR for private CAs.
            verify=not insecure,
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=_MAX_REDIRECTS,
            headers={
                "User-Agent": f"seawall/{seawall.__version__}",
                # Digests are over the stored bytes: no transfer compression.
                "Accept-Encoding": "identity",
            },
            event_hooks={"request": [self._refuse_plain_http]},
        )
        self._auth = Authenticator(self._http, reference.host, credentials, insecure=insecure)

    def __repr__(self) -> str:
        return f"RegistryClient({self.reference.name!r}, base={self._base!r})"

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------ probe

    def ping(self) -> None:
        """`GET /v2/`: choose https (or http when insecure and TLS is not spoken), learn auth."""
        host = self.reference.api_host
        schemes = ("https", "http") if self._insecure else ("https",)
        for scheme in schemes:
            base = f"{scheme}://{host}"
            try:
                response = self._send(f"{base}/v2/", {}, what=_PROBE)
            except _NoTLSError:
                if scheme == "https" and self._insecure:
                    log.debug("%s does not speak TLS, trying plain http (--insecure)", host)
                    continue
                raise InsecureRegistryError(
                    f"registry {host} does not speak TLS; if it serves plain http on purpose, "
                    "pass --insecure"
                ) from None
            try:
                status = response.status_code
                if status == 401:
                    if not self._auth.learn(response):
                        raise RegistryProtocolError(
                            f"registry {host} requires authentication but offers neither "
                            "Basic nor Bearer"
                        )
                elif status != 200:
                    raise RegistryProtocolError(
                        f"{base} does not serve the OCI distribution API v2 "
                        f"(GET /v2/ answered HTTP {status})"
                    )
            finally:
                response.close()
            self._base = base
            return

    # ------------------------------------------------------------ manifests

    def get_manifest(self, ref: str) -> FetchedManifest:
        """The manifest or index at tag or digest `ref`, read within max_manifest_bytes.

        A digest `ref` is verified against the bytes; so is `Docker-Content-Digest`.
        """
        what = (
            f"manifest {self.reference.name}@{ref}"
            if ":" in ref
            else (f"manifest {self.reference.name}:{ref}")
        )
        headers = {"Accept": ", ".join(ACCEPT_MANIFESTS)}
        limit = self._limits.max_manifest_bytes
        path = f"/v2/{self.reference.repository}/manifests/{ref}"
        try:
            with self._get(path, headers, what) as resp:
                _check_length(resp, limit, what, "max_manifest_bytes")
                data = _read_bounded(resp, limit, what, "max_manifest_bytes")
                content_type = resp.headers.get("content-type")
                header_digest = resp.headers.get("docker-content-digest")
        except RegistryNotFoundError as exc:
            if ":" in ref:
                raise
            raise self._missing_tag(ref, exc) from None
        if ":" in ref:
            algorithm = ref.split(":", 1)[0]
            actual = digest_bytes(data, algorithm)
            if actual != ref:
                raise DigestMismatchError(what, ref, actual)
            digest = ref
        else:
            digest = digest_bytes(data)
        if header_digest:
            algorithm = header_digest.split(":", 1)[0]
            if algorithm in _ALGORITHMS:
                actual = digest_bytes(data, algorithm)
                if actual != header_digest.strip():
                    raise DigestMismatchError(
                        f"{what} (Docker-Content-Digest header)", header_digest.strip(), actual
                    )
        if content_type:
            content_type = content_type.split(";", 1)[0].strip()
        return FetchedManifest(data, digest, content_type or None)

    def tags(self) -> list[str]:
        """The repository's tags (the first page the registry sends, read within a bound)."""
        what = f"tag list of {self.reference.name}"
        with self._get(f"/v2/{self.reference.repository}/tags/list", {}, what) as resp:
            body = _read_bounded(resp, _MAX_TAG_LIST_BYTES, what, "tag_list_bytes")
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            raise RegistryProtocolError(f"{what} is not JSON") from None
        tags = document.get("tags") if isinstance(document, dict) else None
        if tags is None:
            return []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise RegistryProtocolError(f"{what}: 'tags' is not a list of strings")
        return tags

    def _missing_tag(self, tag: str, error: RegistryNotFoundError) -> RegistryNotFoundError:
        """Say whether the repository or only the tag is missing (the spec's 404 does not)."""
        name = self.reference.name
        try:
            tags = self.tags()
        except RegistryNotFoundError as missing_repository:
            return missing_repository
        except RegistryError:
            return error
        if not tags:
            return RegistryNotFoundError(f"tag {tag!r} not found: {name} has no tags")
        listed = ", ".join(shown(tag) for tag in sorted(tags)[:_SHOWN_TAGS])
        more = f" and {len(tags) - _SHOWN_TAGS} more" if len(tags) > _SHOWN_TAGS else ""
        return RegistryNotFoundError(f"tag {tag!r} not found in {name}; it has: {listed}{more}")

    # ------------------------------------------------------------ blobs

    @contextmanager
    def open_blob(self, digest: str, size: int, what: str) -> Iterator[Iterator[bytes]]:
        """Stream blob `digest` in chunks, at most `size` bytes (its descriptor's size).

        The caller hashes what it reads; a body longer or shorter than `size`
        raises here. Redirects (e.g. to object storage) are followed.
        """
        if size > self._limits.max_blob_bytes:
            raise LimitExceededError(
                f"{what} ({size} bytes)", "max_blob_bytes", self._limits.max_blob_bytes
            )
        with self._get(f"/v2/{self.reference.repository}/blobs/{digest}", {}, what) as resp:
            declared = _content_length(resp)
            if declared is not None and declared != size:
                raise MalformedDocumentError(
                    f"{what}: the registry announces {declared} bytes where its descriptor "
                    f"declares {size}"
                )
            yield self._chunks(resp, size, digest, what)

    def _chunks(
        self, response: httpx.Response, size: int, digest: str, what: str
    ) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in response.iter_raw(_CHUNK):
                received += len(chunk)
                if received > size:
                    raise MalformedDocumentError(
                        f"{what}: more than the {size} bytes its descriptor declares"
                    )
                yield chunk
        except httpx.TimeoutException:
            raise RegistryUnavailableError(
                f"{what}: registry {self.reference.host} stopped sending data (timed out)"
            ) from None
        except httpx.TransportError as exc:
            raise RegistryUnavailableError(
                f"{what}: connection to registry {self.reference.host} failed mid-download "
                f"({type(exc).__name__})"
            ) from None
        if received != size:
            raise MalformedDocumentError(
                f"{what}: {received} bytes where its descriptor declares {size}; "
                "the download is truncated"
            )

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _get(self, path: str, headers: dict[str, str], what: str) -> Iterator[httpx.Response]:
        """An authorised GET of `path`; yields a 200 response, maps the rest to errors."""
        if self._base is None:
            self.ping()
        assert self._base is not None
        for attempt in range(2):
            request_headers = {**headers, **self._auth.header(self._scope)}
            response = self._send(f"{self._base}{path}", request_headers, what=what)
            try:
                if response.status_code == 401 and attempt == 0 and self._auth.learn(response):
                    # A cached token expired or the challenge changed: once more.
                    self._auth.forget_token(self._scope)
                    continue
                if response.status_code != 200:
                    self._fail(response, what)
                yield response
                return
            finally:
                response.close()
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _fail(self, response: httpx.Response, what: str) -> NoReturn:
        status = response.status_code
        codes = _error_codes(response)
        host, repo = self.reference.host, self.reference.repository
        if status == 401:
            if self._auth.has_credentials:
                raise RegistryAuthError(
                    f"authentication to registry {host} failed with "
                    f"{self._auth.describe_credentials()}; check the username and password"
                )
            raise RegistryAuthError(
                f"registry {host} requires authentication for {repo} (or it does not exist); "
                "set SEAWALL_REGISTRY_USERNAME and SEAWALL_REGISTRY_PASSWORD, or `docker login`"
            )
        if status == 403:
            raise RegistryAuthError(
                f"registry {host} denied access to {repo} with {self._auth.describe_credentials()}"
            )
        if status == 404:
            if "NAME_UNKNOWN" in codes:
                raise RegistryNotFoundError(f"repository {host}/{repo} not found")
            if "BLOB_UNKNOWN" in codes or "/blobs/" in response.request.url.path:
                raise BlobNotFoundError(f"{what} not found in registry {host}")
            raise RegistryNotFoundError(
                f"{what} not found (no such tag or digest in {host}/{repo})"
            )
        raise RegistryProtocolError(
            f"registry {host} answered HTTP {status} for {what}"
            + (f" ({', '.join(sorted(codes))})" if codes else "")
        )

    def _send(self, url: str, headers: dict[str, str], *, what: str) -> httpx.Response:
        """GET `url`, retrying 429/5xx, timeouts and dropped connections a few times."""
        host = self.reference.api_host
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                request = self._http.build_request("GET", url, headers=headers)
                response = self._http.send(request, stream=True)
            except httpx.ConnectError as exc:
                try:
                    _raise_tls(exc, host)
                except _NoTLSError:
                    if what == _PROBE:
                        raise
                    raise InsecureRegistryError(
                        f"{what}: {httpx.URL(url).host} does not speak TLS"
                    ) from None
                if last:
                    raise RegistryUnavailableError(
                        f"cannot connect to registry {host} for {what}: {_reason(exc)}"
                    ) from None
                self._pause(attempt, None)
                continue
            except httpx.TimeoutException:
                if last:
                    raise RegistryUnavailableError(
                        f"registry {host} timed out for {what} after {attempt} attempts"
                    ) from None
                self._pause(attempt, None)
                continue
            except httpx.TooManyRedirects:
                raise RegistryProtocolError(
                    f"registry {host} redirected {what} more than {_MAX_REDIRECTS} times"
                ) from None
            except httpx.TransportError as exc:
                if last:
                    raise RegistryUnavailableError(
                        f"connection to registry {host} failed for {what}: {type(exc).__name__}"
                    ) from None
                self._pause(attempt, None)
                continue
            if response.status_code in _RETRY_STATUSES:
                retry_after = response.headers.get("retry-after")
                response.close()
                if last:
                    raise RegistryUnavailableError(
                        f"registry {host} answered HTTP {response.status_code} for {what} "
                        f"{attempt} times; try again later"
                    )
                self._pause(attempt, retry_after)
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self._retry_delay * 2 ** (attempt - 1)
        if retry_after is not None and _is_decimal(retry_after):
            delay = float(retry_after.strip())
        time.sleep(min(delay, _MAX_RETRY_DELAY))

    def _refuse_plain_http(self, request: httpx.Request) -> None:
        # Also applies to redirects: https must never be downgraded silently.
        if request.url.scheme != "https" and not self._insecure:
            raise InsecureRegistryError(
                f"registry {self.reference.host} sent seawall to plain-http {request.url.host}; "
                "pass --insecure to allow it"
            )


class _NoTLSError(Exception):
    """The server at an https URL answered without TLS (a plain-http registry)."""


def _raise_tls(exc: httpx.ConnectError, host: str) -> None:
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        raise InsecureRegistryError(
            f"the TLS certificate of registry {host} is not trusted ({cause.verify_message}); "
            "add its CA with SSL_CERT_FILE, or pass --insecure"
        ) from None
    if isinstance(cause, ssl.SSLError):
        raise _NoTLSError from None


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc)
    return text if text and len(text) < 200 else type(exc).__name__


def _content_length(response: httpx.Response) -> int | None:
    raw = response.headers.get("content-length")
    if raw is None or not _is_decimal(raw):
        return None
    return int(raw)


def _is_decimal(header: str) -> bool:
    """Whether a header value is ASCII digits (`str.isdigit` also accepts `²`, which
    int() and float() refuse); a value long enough to trip int()'s digit limit is not."""
    text = header.strip()
    return 0 < len(text) <= 20 and text.isascii() and text.isdigit()


def _check_length(response: httpx.Response, limit: int, what: str, limit_name: str) -> None:
    length = _content_length(response)
    if length is not None and length > limit:
        raise LimitExceededError(f"{what} ({length} bytes)", limit_name, limit)


def _read_bounded(response: httpx.Response, limit: int, what: str, limit_name: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_raw(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise LimitExceededError(f"{what} (more than {limit} bytes)", limit_name, limit)
            chunks.append(chunk)
    except httpx.TransportError as exc:
        raise RegistryUnavailableError(f"{what}: download failed ({type(exc).__name__})") from None
    return b"".join(chunks)


def _error_codes(response: httpx.Response) -> set[str]:
    """The `errors[].code` values of a distribution error body (spec.md "Error Codes")."""
    try:
        body = _read_bounded(response, _MAX_ERROR_BODY, "error body", "error_body")
        document = json.loads(body)
    except (RegistryError, LimitExceededError, ValueError, RecursionError):
        return set()
    errors = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(errors, list):
        return set()
    return {
        entry["code"]
        for entry in errors
        if isinstance(entry, dict) and isinstance(entry.get("code"), str)
    }
