"""Client behaviour a well-behaved registry never shows, against a scripted HTTP server.

The real registry cannot be made to answer 429/503, stall, lie about digests or
sizes, serve schema 1 or redirect to object storage on demand, so a small real
HTTP server on 127.0.0.1 plays those answers from a script.
"""

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from seawall.errors import LimitExceededError
from seawall.limits import Limits
from seawall.source.base import SourceOptions
from seawall.source.errors import (
    DigestMismatchError,
    MalformedDocumentError,
    UnsupportedMediaTypeError,
)
from seawall.source.remote import open_registry_image
from seawall.source.remote.client import RegistryClient
from seawall.source.remote.credentials import Credentials
from seawall.source.remote.errors import (
    RegistryNotFoundError,
    RegistryProtocolError,
    RegistryUnavailableError,
)
from seawall.source.remote.reference import parse_reference


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False


@dataclass
class Script:
    """Replies by path, played in order (the last one repeats); every request recorded."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def reply(self, path: str) -> Reply:
        queue = self.routes.get(path)
        if not queue:
            return Reply(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(script: Script) -> str:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                script.seen.append((self.path, dict(self.headers.items())))
                reply = script.reply(self.path)
                time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for i in range(0, len(reply.body), 4096):
                        part = reply.body[i : i + 4096]
                        self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if "Content-Length" not in reply.headers:  # a lying length is scripted
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def client(host: str, **kwargs: Any) -> RegistryClient:
    options: dict[str, Any] = {
        "credentials": None,
        "insecure": True,
        "limits": Limits(),
        "retry_delay": 0.01,
    }
    options.update(kwargs)
    return RegistryClient(parse_reference(f"{host}/app:v1"), **options)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": "sha256:" + "0" * 64,
            "size": 2,
        },
        "layers": [],
    }
).encode()


def test_5xx_and_429_are_retried_then_succeed(serve: Any) -> None:
    script = Script({"/v2/": [Reply(503), Reply(429, headers={"Retry-After": "0"}), Reply(200)]})
    registry = client(serve(script))
    registry.ping()
    assert len(script.seen) == 3
    registry.close()


def test_retries_are_bounded(serve: Any) -> None:
    script = Script({"/v2/": [Reply(503)]})
    registry = client(serve(script), attempts=3)
    with pytest.raises(RegistryUnavailableError, match=r"HTTP 503 .* 3 times; try again later"):
        registry.ping()
    assert len(script.seen) == 3


def test_a_stalled_registry_times_out(serve: Any) -> None:
    script = Script({"/v2/": [Reply(200, delay=3)]})
    registry = client(serve(script), timeout=0.2, attempts=2)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError, match="timed out"):
        registry.ping()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_manifest_is_refused_without_buffering(serve: Any, chunked: bool) -> None:
    big = b"{" + b" " * 200_000 + b"}"
    script = Script(
        {"/v2/": [Reply(200)], "/v2/app/manifests/v1": [Reply(body=big, chunked=chunked)]}
    )
    registry = client(serve(script), limits=Limits(max_manifest_bytes=64 * 1024))
    with pytest.raises(LimitExceededError, match="max_manifest_bytes=65536"):
        registry.get_manifest("v1")


def test_docker_content_digest_must_match(serve: Any) -> None:
    lie = "sha256:" + "1" * 64
    script = Script(
        {
            "/v2/": [Reply(200)],
            "/v2/app/manifests/v1": [Reply(body=MANIFEST, headers={"Docker-Content-Digest": lie})],
        }
    )
    with pytest.raises(DigestMismatchError, match="Docker-Content-Digest"):
        client(serve(script)).get_manifest("v1")


def test_manifest_by_digest_must_hash_to_it(serve: Any) -> None:
    asked = sha256(b"something else")
    script = Script({"/v2/": [Reply(200)], f"/v2/app/manifests/{asked}": [Reply(body=MANIFEST)]})
    with pytest.raises(DigestMismatchError, match=asked):
        client(serve(script)).get_manifest(asked)
    fine = client(
        serve(
            Script(
                {
                    "/v2/": [Reply(200)],
                    f"/v2/app/manifests/{sha256(MANIFEST)}": [Reply(body=MANIFEST)],
                }
            )
        )
    )
    assert fine.get_manifest(sha256(MANIFEST)).data == MANIFEST


def test_schema1_is_refused_clearly(serve: Any, tmp_path: Any) -> None:
    schema1 = json.dumps({"schemaVersion": 1, "name": "app", "tag": "v1", "fsLayers": []}).encode()
    content_type = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    script = Script(
        {
            "/v2/": [Reply(200)],
            "/v2/app/manifests/v1": [Reply(body=schema1, headers={"Content-Type": content_type})],
        }
    )
    host = serve(script)
    with pytest.raises(UnsupportedMediaTypeError, match="schema 1"):
        open_registry_image(f"{host}/app:v1", SourceOptions(insecure=True, cache_dir=tmp_path))


def test_blob_redirect_to_storage_does_not_carry_credentials(serve: Any) -> None:
    blob = b"blob content" * 1000
    digest = sha256(blob)
    storage = Script({"/bucket/object": [Reply(body=blob)]})
    storage_host = serve(storage)
    registry_script = Script(
        {
            "/v2/": [Reply(401, headers={"WWW-Authenticate": 'Basic realm="test"'})],
            f"/v2/app/blobs/{digest}": [
                Reply(307, headers={"Location": f"http://{storage_host}/bucket/object"})
            ],
        }
    )
    registry = client(
        serve(registry_script), credentials=Credentials("user", "pw-not-for-storage", origin="t")
    )
    with registry.open_blob(digest, len(blob), "test blob") as chunks:
        assert b"".join(chunks) == blob
    blob_request = registry_script.seen[-1][1]
    assert blob_request["Authorization"].startswith("Basic ")
    assert [path for path, _ in storage.seen] == ["/bucket/object"]
    assert "Authorization" not in storage.seen[0][1]


def test_blob_length_must_match_the_descriptor(serve: Any) -> None:
    blob = b"x" * 1000
    digest = sha256(blob)
    script = Script({"/v2/": [Reply(200)], f"/v2/app/blobs/{digest}": [Reply(body=blob)]})
    registry = client(serve(script))
    with (
        pytest.raises(MalformedDocumentError, match=r"announces 1000 bytes .* declares 999"),
        registry.open_blob(digest, 999, "test blob") as chunks,
    ):
        b"".join(chunks)
    small = client(serve(script), limits=Limits(max_blob_bytes=10))
    with (
        pytest.raises(LimitExceededError, match="max_blob_bytes"),
        small.open_blob(digest, 1000, "b"),
    ):
        pass


DEEP_JSON = b"[" * 20_000 + b"]" * 20_000
"""Nested far past the recursion limit: json.loads raised RecursionError on it."""


def test_deeply_nested_error_body_is_still_a_clear_error(serve: Any) -> None:
    script = Script({"/v2/": [Reply(200)], "/v2/app/manifests/v1": [Reply(404, DEEP_JSON)]})
    with pytest.raises(RegistryNotFoundError, match="not found"):
        client(serve(script)).get_manifest("v1")


def test_deeply_nested_tag_list_is_a_protocol_error(serve: Any) -> None:
    script = Script({"/v2/": [Reply(200)], "/v2/app/tags/list": [Reply(body=DEEP_JSON)]})
    with pytest.raises(RegistryProtocolError, match=r"tag list of .* is not JSON"):
        client(serve(script)).tags()


def test_listed_tags_with_control_characters_are_escaped(serve: Any) -> None:
    tags = json.dumps({"tags": ["v2\n\x1b[31mforged"]}).encode()
    script = Script(
        {
            "/v2/": [Reply(200)],
            "/v2/app/manifests/v1": [Reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')],
            "/v2/app/tags/list": [Reply(body=tags)],
        }
    )
    with pytest.raises(RegistryNotFoundError, match="it has: 'v2") as info:
        client(serve(script)).get_manifest("v1")
    assert str(info.value).isprintable()


def test_retry_after_that_is_not_ascii_digits_is_ignored(serve: Any) -> None:
    # "²" passes str.isdigit() and made float() raise ValueError.
    superscript_two = "\u00b2".encode().decode("latin-1")
    script = Script({"/v2/": [Reply(503, headers={"Retry-After": superscript_two}), Reply(200)]})
    registry = client(serve(script))
    registry.ping()
    assert len(script.seen) == 2


def _token_route(host: str) -> str:
    url = httpx.URL(f"http://{host}/token", params={"scope": "repository:app:pull"})
    return url.raw_path.decode()


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(body=DEEP_JSON), RegistryProtocolError, "did not answer with a JSON object"),
        (
            Reply(body=b"not gzip", headers={"Content-Encoding": "gzip"}),
            RegistryProtocolError,
            "does not decode",
        ),
    ],
)
def test_hostile_token_replies(serve: Any, reply: Reply, error: type, message: str) -> None:
    tokens = Script()
    token_host = serve(tokens)
    tokens.routes[_token_route(token_host)] = [reply]
    challenge = f'Bearer realm="http://{token_host}/token"'
    script = Script({"/v2/": [Reply(401, headers={"WWW-Authenticate": challenge})]})
    registry = client(serve(script))
    with pytest.raises(error, match=message):
        registry.get_manifest("v1")
    assert len(tokens.seen) == 1


def test_token_reply_cut_short_is_unavailable(serve: Any) -> None:
    # The server promises more bytes than it sends and closes: httpx raised RemoteProtocolError.
    tokens = Script()
    token_host = serve(tokens)
    tokens.routes[_token_route(token_host)] = [
        Reply(body=b'{"token":"ab', headers={"Content-Length": "1000", "Connection": "close"})
    ]
    challenge = f'Bearer realm="http://{token_host}/token"'
    script = Script({"/v2/": [Reply(401, headers={"WWW-Authenticate": challenge})]})
    with pytest.raises(RegistryUnavailableError, match="failed mid-reply"):
        client(serve(script)).get_manifest("v1")
