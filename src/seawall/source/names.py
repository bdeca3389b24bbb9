"""Normalising image names the way docker does, to match archive tags.

`alpine` is `docker.io/library/alpine:latest`; `me/app:1` is
`docker.io/me/app:1`; a first component with a `.` or `:`, or `localhost`,
is a registry host (docker's reference grammar, distribution/reference).
"""

import re

_NAME = re.compile(
    r"\A[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\Z"
)
_TAG = re.compile(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DOMAIN = re.compile(r"\A[A-Za-z0-9.-]+(?::[0-9]+)?\Z|\A\[[0-9a-fA-F:]+\](?::[0-9]+)?\Z")

DEFAULT_DOMAIN = "docker.io"


def normalize_name(text: str) -> str | None:
    """`text` as `domain/path:tag` (or `domain/path@digest`), or None if it is not a name."""
    name, digest = text, ""
    if "@" in text:
        name, _, digest = text.partition("@")
        digest = "@" + digest
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            return None
    first, _, rest = name.partition("/")
    if rest and (("." in first or ":" in first) or first == "localhost" or first != first.lower()):
        domain, path = first, rest
        if not _DOMAIN.match(domain):
            return None
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = f"library/{path}"
    if not _NAME.match(path):
        return None
    if digest:
        return f"{domain}/{path}{':' + tag if tag else ''}{digest}"
    return f"{domain}/{path}:{tag or 'latest'}"
