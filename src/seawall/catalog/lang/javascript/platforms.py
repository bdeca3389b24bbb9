"""Whether npm (or pnpm) installed an optional package built for another platform.

Packages with native binaries publish one package per platform (esbuild's
`@esbuild/linux-x64`, `@esbuild/darwin-arm64` …), each declaring `os` and
`cpu` (and sometimes `libc`) in its package.json, and list them all as
optional dependencies. The lockfile records every one of them, with those
fields copied in, but the package manager installs only the ones that fit the
machine: npm's reify checks every optional node with npm-install-checks'
`checkPlatform` and silently drops the ones that fail, and pnpm does the same
for optional dependencies. A lockfile entry marked optional whose `os`/`cpu`/
`libc` exclude the scanned platform is therefore not installed.

The lists follow npm-install-checks' `checkList`: a value matches when it is
not named with a `!` prefix and, if any entry has no `!`, it is one of them;
`["any"]` matches everything. Names are Node's (`process.platform`,
`process.arch`), so OCI platform names are mapped to them here. An axis whose
value is unknown (no platform, an architecture Node does not name, a libc
that cannot be told from the distribution) excludes nothing.
"""

from dataclasses import dataclass
from typing import Any

from seawall.model.image import Platform
from seawall.model.package import Distro

# OCI `architecture` values are GOARCH names (OCI image spec, config.md);
# Node's process.arch names for the same machines.
_NODE_CPU = {
    "amd64": "x64",
    "386": "ia32",
    "arm64": "arm64",
    "arm": "arm",
    "ppc64le": "ppc64",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loong64": "loong64",
    "mips64le": "mips64el",
    "mipsle": "mipsel",
    "mips": "mips",
}
# OCI `os` values are GOOS names; Node's process.platform names.
_NODE_OS = {
    "linux": "linux",
    "windows": "win32",
    "darwin": "darwin",
    "freebsd": "freebsd",
    "openbsd": "openbsd",
    "netbsd": "netbsd",
    "solaris": "sunos",
    "illumos": "sunos",
    "aix": "aix",
    "android": "android",
}
# Distributions built on musl; every other Linux distribution seawall
# detects uses glibc (npm's libc check names the two families so).
_MUSL_DISTROS = frozenset({"alpine", "wolfi", "chainguard", "postmarketos"})


@dataclass(frozen=True, slots=True)
class NodePlatform:
    """The platform as npm names it; None on an axis that is unknown."""

    os: str | None
    cpu: str | None
    libc: str | None = None


def node_platform(platform: Platform | None, distro: Distro | None) -> NodePlatform | None:
    """npm's names for an OCI platform (and its libc, from the distribution), or None."""
    if platform is None:
        return None
    os_name = _NODE_OS.get(platform.os)
    libc = None
    if os_name == "linux" and distro is not None:
        musl = distro.id in _MUSL_DISTROS or bool(_MUSL_DISTROS.intersection(distro.id_like))
        libc = "musl" if musl else "glibc"
    return NodePlatform(os_name, _NODE_CPU.get(platform.architecture), libc)


def excluded(entry: dict[str, Any], target: NodePlatform | None) -> bool:
    """True when an optional entry's `os`, `cpu` or `libc` rule out `target`."""
    if target is None:
        return False
    axes = (("os", target.os), ("cpu", target.cpu), ("libc", target.libc))
    return any(value is not None and not _allowed(value, entry.get(field)) for field, value in axes)


def _allowed(value: str, declared: Any) -> bool:
    """npm-install-checks `checkList`: no negated match, and a plain match if any are plain."""
    names = [declared] if isinstance(declared, str) else declared
    if not isinstance(names, list):
        return True  # absent or malformed: npm puts no constraint on it either
    names = [name for name in names if isinstance(name, str)]
    if not names or names == ["any"]:
        return True
    plain = [name for name in names if not name.startswith("!")]
    if any(name == f"!{value}" for name in names):
        return False
    return not plain or value in plain
