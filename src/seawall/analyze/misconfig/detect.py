"""Which files are Dockerfiles or Kubernetes manifests, from their name and first bytes."""

import re

_DOCKERFILE = re.compile(
    r"^(?:Dockerfile|Containerfile)(?:\..+)?$|^.+\.(?:Dockerfile|Containerfile)$"
)
_MANIFEST_HINT = re.compile(rb"^\s*apiVersion\s*:", re.MULTILINE)
_KIND_HINT = re.compile(rb"^\s*kind\s*:", re.MULTILINE)
YAML_SUFFIXES = (".yaml", ".yml")


def is_dockerfile_name(name: str) -> bool:
    """`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `Containerfile` (case as Docker's)."""
    return bool(_DOCKERFILE.match(name))


def is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


def looks_like_manifest(head: bytes) -> bool:
    """True when YAML bytes have top-level-looking `apiVersion:` and `kind:` keys."""
    return bool(_MANIFEST_HINT.search(head) and _KIND_HINT.search(head))
