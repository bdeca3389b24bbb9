"""Real registries for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1.

`running_registry(workdir, auth=...)` starts `docker-registry serve CONFIG` on
a free port with its own storage directory, and yields a `Registry` that can
push OCI layouts into itself with `skopeo copy`, count the requests it served
(from its access log) and find its stored blobs. Three setups:

- `"none"`: anonymous;
- `"htpasswd"`: HTTP Basic against a bcrypt htpasswd file (`htpasswd -Bbn`);
- `"token"`: the registry's `auth: token:` setup, with a `TokenServer` on
  127.0.0.1 issuing ES256 JWTs. distribution 2.8 finds the signing key from
  the JWT header (registry/auth/token/token.go `VerifySigningKey`): an `x5c`
  chain that verifies up to a certificate of its `rootcertbundle`, a `jwk`, or
  a `kid` naming one of the bundle's keys. The server sends `x5c` with its
  self-signed certificate, which is also the whole root bundle.

With `tls=True` the registry serves https with a certificate for 127.0.0.1
signed by a throwaway CA (`Registry.ca_bundle`).

Requires the Debian packages docker-registry, skopeo and apache2-utils.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import secrets
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from .imagebuild import Manifested

REGISTRY_BINARY = "/usr/bin/docker-registry"
Auth = Literal["none", "htpasswd", "token"]
USERNAME = "puller"
PASSWORD = "correct horse battery staple"
SERVICE = "seawall-test-registry"
ISSUER = "seawall-test-issuer"
IDENTITY_TOKEN = "seawall-test-refresh-token"
"""A refresh token the token server exchanges (OAuth2 grant) like a password."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def require_tools() -> None:
    """Fail with the install command when the registry tools are missing."""
    missing = [
        name
        for name, path in (
            ("docker-registry", REGISTRY_BINARY),
            ("skopeo", shutil.which("skopeo")),
            ("htpasswd", shutil.which("htpasswd")),
        )
        if not path or not Path(path).exists()
    ]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not installed: apt-get install -y docker-registry skopeo "
            "apache2-utils"
        )


# ---------------------------------------------------------------- token server


@dataclass
class TokenServer:
    """A token service for the registry's `auth: token:` setup, on 127.0.0.1."""

    workdir: Path
    username: str = USERNAME
    password: str = PASSWORD
    lifetime: int = 300
    issued: list[dict[str, Any]] = field(default_factory=list)
    """Every token issued: its requested scope and whether it was the refresh grant."""
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seawall test token issuer")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self._key = key
        self._x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.root_bundle = self.workdir / "token-root.pem"
        self.root_bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.port = free_port()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _token_handler(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def grant(self, scopes: list[str], authenticated: bool) -> str:
        """A signed JWT granting `scopes` (nothing when not authenticated)."""
        access = []
        if authenticated:
            for scope in scopes:
                parts = scope.split(":")
                if len(parts) >= 3 and parts[0] == "repository":
                    actions = parts[-1].split(",")
                    access.append(
                        {"type": "repository", "name": ":".join(parts[1:-1]), "actions": actions}
                    )
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": self.username if authenticated else "",
            "aud": SERVICE,
            "exp": now + self.lifetime,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"x5c": self._x5c})


def _token_handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            header = self.headers.get("Authorization")
            authenticated = False
            if header is not None:
                expected = base64.b64encode(f"{server.username}:{server.password}".encode())
                if header != f"Basic {expected.decode()}":
                    self._reply(401, {"details": "wrong credentials"})
                    return
                authenticated = True
            self._issue(query.get("scope", []), authenticated, refresh=False)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [
                IDENTITY_TOKEN
            ]:
                self._reply(401, {"error": "invalid_grant"})
                return
            self._issue(form.get("scope", []), True, refresh=True)

        def _issue(self, scopes: list[str], authenticated: bool, *, refresh: bool) -> None:
            token = server.grant(scopes, authenticated)
            server.issued.append({"scopes": scopes, "refresh": refresh})
            key = "access_token" if refresh else "token"
            self._reply(200, {key: token, "expires_in": server.lifetime})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


# ---------------------------------------------------------------- registry


@dataclass
class Registry:
    """A running registry and what tests do with it."""

    port: int
    storage: Path
    access_log: Path
    error_log: Path
    auth: Auth
    token_server: TokenServer | None = None
    ca_bundle: Path | None = None
    """The CA that signed the registry's certificate, when it serves https."""
    tls_files: tuple[Path, Path] | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_bundle else 'http'}://{self.host}"

    @property
    def credentials(self) -> tuple[str, str] | None:
        return None if self.auth == "none" else (USERNAME, PASSWORD)

    def push(
        self, layout: Path, tag: str, destination: str, *, all_platforms: bool = False
    ) -> None:
        """`skopeo copy` image `tag` of OCI layout `layout` to `HOST/destination`."""
        self._copy(f"oci:{layout}:{tag}", destination, all_platforms=all_platforms)

    def _copy(self, source: str, destination: str, *, all_platforms: bool) -> None:
        command = [
            "skopeo",
            "copy",
            "--quiet",
            "--preserve-digests",
            "--dest-tls-verify=false",
        ]
        if all_platforms:
            command.append("--all")
        if self.credentials is not None:
            command.append("--dest-creds=" + ":".join(self.credentials))
        command += [source, f"docker://{self.host}/{destination}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"skopeo copy to {destination} failed: {done.stderr.strip()}")

    def push_built(self, image: Manifested, destination: str, workdir: Path) -> None:
        """Push one built image through skopeo's `dir:` transport.

        skopeo's `oci:` transport only reads OCI media types; `dir:` (a
        `manifest.json`, a `version` file and blobs named by their hex digest)
        carries docker v2.2 images unchanged.
        """
        root = workdir / f"dir-{image.digest.removeprefix('sha256:')[:16]}"
        root.mkdir(parents=True, exist_ok=True)
        (root / "version").write_text("Directory Transport Version: 1.1\n")
        (root / "manifest.json").write_bytes(image.data)
        for digest, blob in image.blobs.items():
            if digest != image.digest:
                (root / digest.split(":", 1)[1]).write_bytes(blob)
        self._copy(f"dir:{root}", destination, all_platforms=False)

    def served(self, needle: str) -> int:
        """How many requests whose request line contains `needle` answered 2xx/3xx."""
        count = 0
        for line in self.access_log.read_text(errors="replace").splitlines():
            request, _, rest = line.partition('" ')
            status = rest.split(" ", 1)[0]
            if needle in request and status[:1] in ("2", "3"):
                count += 1
        return count

    def blob_file(self, digest: str) -> Path:
        """Where the filesystem storage driver keeps blob `digest`."""
        algorithm, hex_ = digest.split(":")
        return self.storage / "docker/registry/v2/blobs" / algorithm / hex_[:2] / hex_ / "data"


def _config(registry: Registry, workdir: Path) -> str:
    lines = [
        "version: 0.1",
        "log:",
        "  level: warn",
        "  accesslog:",
        "    disabled: false",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {registry.storage}",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        f"  addr: 127.0.0.1:{registry.port}",
        f"  secret: {secrets.token_hex(16)}",
    ]
    if registry.tls_files is not None:
        cert, key = registry.tls_files
        lines += ["  tls:", f"    certificate: {cert}", f"    key: {key}"]
    if registry.auth == "htpasswd":
        entry = subprocess.run(
            ["htpasswd", "-Bbn", USERNAME, PASSWORD],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        htpasswd = workdir / "htpasswd"
        htpasswd.write_text(entry + "\n")
        lines += ["auth:", "  htpasswd:", "    realm: seawall-test", f"    path: {htpasswd}"]
    elif registry.auth == "token":
        assert registry.token_server is not None
        lines += [
            "auth:",
            "  token:",
            f"    realm: {registry.token_server.realm}",
            f"    service: {SERVICE}",
            f"    issuer: {ISSUER}",
            f"    rootcertbundle: {registry.token_server.root_bundle}",
        ]
    return "\n".join(lines) + "\n"


def _tls_files(workdir: Path) -> tuple[Path, Path, Path]:
    """A CA certificate, and a server certificate and key for 127.0.0.1 that it signed."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seawall test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = (workdir / "ca.pem", workdir / "server.pem", workdir / "server-key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@contextmanager
def running_registry(
    workdir: Path, auth: Auth = "none", *, tls: bool = False
) -> Iterator[Registry]:
    """A registry serving from `workdir` until the block ends."""
    require_tools()
    workdir.mkdir(parents=True, exist_ok=True)
    token_server = TokenServer(workdir) if auth == "token" else None
    registry = Registry(
        port=free_port(),
        storage=workdir / "storage",
        access_log=workdir / "access.log",
        error_log=workdir / "registry.log",
        auth=auth,
        token_server=token_server,
    )
    if tls:
        ca, cert, key = _tls_files(workdir)
        registry.ca_bundle, registry.tls_files = ca, (cert, key)
    registry.storage.mkdir(exist_ok=True)
    config = workdir / "config.yml"
    config.write_text(_config(registry, workdir))
    if token_server is not None:
        token_server.start()
    with open(registry.access_log, "wb") as out, open(registry.error_log, "wb") as err:
        process = subprocess.Popen([REGISTRY_BINARY, "serve", str(config)], stdout=out, stderr=err)
    try:
        _wait_ready(registry, process)
        yield registry
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if token_server is not None:
            token_server.stop()


def _wait_ready(registry: Registry, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"docker-registry exited with {process.returncode}: "
                + registry.error_log.read_text(errors="replace")[-2000:]
            )
        try:
            verify: ssl.SSLContext | bool = True
            if registry.ca_bundle is not None:
                verify = ssl.create_default_context(cafile=registry.ca_bundle)
            status = httpx.get(f"{registry.url}/v2/", timeout=1, verify=verify).status_code
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if status in (200, 401):
            return
        time.sleep(0.05)
    raise RuntimeError(f"docker-registry on {registry.host} did not become ready in 20 s")
