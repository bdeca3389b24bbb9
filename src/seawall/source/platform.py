"""Platforms: parsing `os/arch[/variant]` and choosing an image from an index.

Matching follows containerd's platform matcher (`platforms.Normalize` and the
default matcher): architectures and variants are normalised first (`aarch64`
is `arm64`, whose default variant `v8` is dropped; `arm` defaults to `v7`;
`x86_64` is `amd64`), then compared exactly. Attestation manifests that
BuildKit puts in indexes (platform `unknown/unknown`, annotation
`vnd.docker.reference.type: attestation-manifest`) are never chosen.
"""

import re

from seawall.errors import InputError
from seawall.model.image import Platform
from seawall.source.errors import PlatformNotFoundError
from seawall.source.manifest import Descriptor, ImageIndex

DEFAULT_PLATFORM = Platform("linux", "amd64")

_PART = re.compile(r"\A[A-Za-z0-9_.-]+\Z")
_ARCH_ALIASES = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
    "i386": "386",
    "i686": "386",
}
_ARCH_VARIANTS = {"armhf": "v7", "armel": "v6"}


def parse_platform(text: str) -> Platform:
    """`os/arch[/variant]` as a Platform; `InputError` naming the text otherwise."""
    parts = text.strip().split("/")
    if not 2 <= len(parts) <= 3 or not all(_PART.match(part) for part in parts):
        raise InputError(
            f"platform {text!r} is not os/arch[/variant]; write e.g. linux/amd64 or linux/arm64/v8"
        )
    return Platform(
        parts[0].lower(), parts[1].lower(), parts[2].lower() if len(parts) == 3 else None
    )


def normalize_platform(platform: Platform) -> Platform:
    """The canonical spelling containerd compares (see the module docstring)."""
    os_ = platform.os.lower()
    raw_arch = platform.architecture.lower()
    arch = _ARCH_ALIASES.get(raw_arch, raw_arch)
    variant = (platform.variant or "").lower() or _ARCH_VARIANTS.get(raw_arch, "")
    if arch == "arm64":
        variant = "" if variant in ("", "8", "v8") else variant
    elif arch == "arm":
        variant = {"": "v7", "7": "v7", "6": "v6", "5": "v5", "8": "v8"}.get(variant, variant)
    return Platform(os_, arch, variant or None)


def platform_matches(wanted: Platform, offered: Platform) -> bool:
    """Whether an index entry's platform is the one asked for."""
    return normalize_platform(wanted) == normalize_platform(offered)


def is_attestation(descriptor: Descriptor) -> bool:
    """A BuildKit attestation (or other unknown-platform) entry, never an image to scan."""
    if descriptor.annotation("vnd.docker.reference.type") == "attestation-manifest":
        return True
    platform = descriptor.platform
    return platform is not None and (platform.os, platform.architecture) == ("unknown", "unknown")


def candidates(index: ImageIndex) -> tuple[Descriptor, ...]:
    """The entries of an index that may be chosen (attestations left out)."""
    return tuple(entry for entry in index.manifests if not is_attestation(entry))


def available_platforms(index: ImageIndex) -> tuple[Platform, ...]:
    """The platforms an index offers, in its order, without duplicates or attestations."""
    seen: list[Platform] = []
    for entry in candidates(index):
        if entry.platform is not None and entry.platform not in seen:
            seen.append(entry.platform)
    return tuple(seen)


def choose_manifest(index: ImageIndex, wanted: Platform | None, *, what: str) -> Descriptor:
    """The entry of `index` for `wanted` (None: linux/amd64).

    An index whose only candidate has no platform (a plain wrapper, like an
    OCI layout's index.json entry for one image) yields that candidate.
    Raises `PlatformNotFoundError` listing what the index holds.
    """
    entries = candidates(index)
    if len(entries) == 1 and entries[0].platform is None:
        return entries[0]
    target = wanted or DEFAULT_PLATFORM
    for entry in entries:
        if entry.platform is not None and platform_matches(target, entry.platform):
            return entry
    offered = ", ".join(str(p) for p in available_platforms(index)) or "none"
    raise PlatformNotFoundError(
        f"{what}: no image for platform {target}; available: {offered}. Choose one with --platform"
    )
