"""Docker image references: parsing, validation and normalisation.

A reference is `[HOST[:PORT]/]PATH[:TAG][@DIGEST]`, with the grammar and the
defaults of docker/distribution's `reference` package (reference/regexp.go,
reference/normalize.go): a first path component is a host only when it holds
a `.` or a `:`, is `localhost`, or has an upper-case letter; otherwise the
host is Docker Hub, where one-component names live under `library/`.
"""

import re
from dataclasses import dataclass

from seawall.errors import InputError

DOCKER_HUB = "docker.io"
"""Canonical name of Docker Hub in references."""
DOCKER_HUB_API_HOST = "registry-1.docker.io"
"""The host that actually serves Docker Hub's distribution API."""
DEFAULT_TAG = "latest"

# distribution reference/regexp.go. A path component is lower-case
# alphanumerics joined by one of `.`, `_`, `__` or a run of `-`.
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_HOST_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = re.compile(rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9a-fA-F:.]+\])(?::[0-9]{{1,5}})?")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")
_DIGEST_HEX = {"sha256": 64, "sha512": 128}
_MAX_NAME = 255
_MAX_REFERENCE = 4096


class InvalidReferenceError(InputError):
    """An image reference that does not follow the docker reference grammar."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A normalised image reference."""

    host: str
    """Registry host as written (`docker.io` for Docker Hub), with its port if any."""
    repository: str
    """Repository path inside the registry, e.g. `library/alpine`."""
    tag: str | None
    digest: str | None

    @property
    def api_host(self) -> str:
        """The host serving the distribution API (Docker Hub's differs from its name)."""
        return DOCKER_HUB_API_HOST if self.host == DOCKER_HUB else self.host

    @property
    def name(self) -> str:
        """`HOST/REPOSITORY`, without tag or digest."""
        return f"{self.host}/{self.repository}"

    @property
    def manifest_ref(self) -> str:
        """What to ask the manifests endpoint for: the digest when known, else the tag."""
        if self.digest is not None:
            return self.digest
        assert self.tag is not None  # parse_reference sets one of them
        return self.tag

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """Parse and normalise `text`; `alpine` becomes `docker.io/library/alpine:latest`.

    Raises `InvalidReferenceError` naming the reference and what is wrong with it.
    """
    if not text:
        raise InvalidReferenceError("empty image reference")
    if len(text) > _MAX_REFERENCE:
        raise InvalidReferenceError(
            f"image reference of {len(text)} characters is too long (at most {_MAX_REFERENCE})"
        )
    shown = _shown(text)
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidReferenceError(
            f"image reference {shown} contains whitespace or control characters"
        )

    remainder, _, digest = text.partition("@")
    if "@" in text:
        if not _DIGEST.fullmatch(digest):
            raise InvalidReferenceError(
                f"image reference {shown}: {digest!r} is not a digest (expected ALGORITHM:HEX)"
            )
        algorithm, _, encoded = digest.partition(":")
        expected = _DIGEST_HEX.get(algorithm)
        if expected is None:
            raise InvalidReferenceError(
                f"image reference {shown}: digest algorithm {algorithm!r} is not supported "
                "(use sha256 or sha512)"
            )
        if len(encoded) != expected or not re.fullmatch(r"[0-9a-f]+", encoded):
            raise InvalidReferenceError(
                f"image reference {shown}: a {algorithm} digest is {expected} "
                "lower-case hexadecimal digits"
            )

    # A tag follows the last `:` that comes after the last `/`; an earlier
    # colon is the host's port.
    name, tag = remainder, None
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        name, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise InvalidReferenceError(
                f"image reference {shown}: tag {tag!r} is invalid (letters, digits, '_', '.', "
                "'-', at most 128 characters, not starting with '.' or '-')"
            )
    if not name:
        raise InvalidReferenceError(f"image reference {shown} has no repository name")

    host, path = _split_host(name)
    if not _HOST.fullmatch(host):
        raise InvalidReferenceError(
            f"image reference {shown}: {host!r} is not a valid registry host"
        )
    if host == "index.docker.io":
        host = DOCKER_HUB
    if path.lower() != path:
        raise InvalidReferenceError(f"image reference {shown}: repository name must be lowercase")
    components = path.split("/")
    for component in components:
        if not _PATH_COMPONENT.fullmatch(component):
            raise InvalidReferenceError(
                f"image reference {shown}: repository path component {component!r} is invalid "
                "(lower-case letters and digits separated by '.', '_', '__' or '-')"
            )
    if host == DOCKER_HUB and len(components) == 1:
        path = f"library/{path}"
    if len(host) + 1 + len(path) > _MAX_NAME:
        raise InvalidReferenceError(
            f"image reference {shown}: repository name is longer than {_MAX_NAME} characters"
        )
    if tag is None and not digest:
        tag = DEFAULT_TAG
    return Reference(host=host, repository=path, tag=tag, digest=digest or None)


def _split_host(name: str) -> tuple[str, str]:
    # distribution reference/normalize.go splitDockerDomain.
    first, slash, rest = name.partition("/")
    if not slash:
        return DOCKER_HUB, name
    if "." in first or ":" in first or first == "localhost" or first.lower() != first:
        return first, rest
    return DOCKER_HUB, name


def _shown(text: str) -> str:
    """The reference quoted for a message, cut short so a huge input stays readable."""
    return repr(text if len(text) <= 200 else text[:200] + "…")
