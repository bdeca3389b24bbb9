"""Optional packages built for other platforms: in the lockfile, not installed, not reported.

The data is real: esbuild 0.19.5 lists 22 `@esbuild/<os>-<cpu>` optional
packages; npm installed only `@esbuild/linux-x64` on linux/amd64 (see
data/javascript/README.md), and the node_modules tree beside the lockfile is
what it installed.
"""

import json
from collections.abc import Callable

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.javascript import (
    NodeModulesCataloger,
    PackageLockCataloger,
    PnpmLockCataloger,
)
from seawall.catalog.lang.javascript.platforms import NodePlatform, excluded, node_platform
from seawall.model.image import Platform
from seawall.model.package import Distro

DEBIAN = Distro("debian", "12")
ALPINE = Distro("alpine", "3.20.3")
LINUX_AMD64 = Platform("linux", "amd64")
ESBUILD_PLATFORMS = 22

Files = Callable[..., list[CatalogFile]]


def esbuild_names(names: set[str]) -> set[str]:
    return {name for name in names if name.startswith("@esbuild/")}


def test_package_lock_reports_what_npm_installed(data_files: Files) -> None:
    """On the platform npm ran on, the lockfile's packages are exactly node_modules' packages."""
    lock = data_files("esbuild-optional", PackageLockCataloger().wants)
    installed = data_files("esbuild-optional", NodeModulesCataloger().wants)
    context = CatalogContext(distro=DEBIAN, platform=LINUX_AMD64)
    from_lock = PackageLockCataloger().catalog(lock, context)
    from_tree = NodeModulesCataloger().catalog(installed, context)
    assert from_lock.problems == ()
    locked = {(p.name, p.version) for p in from_lock.packages}
    assert locked == {(p.name, p.version) for p in from_tree.packages}
    assert esbuild_names({name for name, _ in locked}) == {"@esbuild/linux-x64"}
    # No relationship points at a package that was left out.
    purls = {p.purl for p in from_lock.packages}
    assert from_lock.relationships
    assert all(r.child in purls and r.parent in purls for r in from_lock.relationships)
    assert any(r.child == "pkg:npm/%40esbuild/linux-x64@0.19.5" for r in from_lock.relationships)


@pytest.mark.parametrize(
    ("platform", "kept"),
    [
        (None, None),  # unknown platform (a directory): every entry is kept
        (Platform("linux", "arm64", "v8"), "@esbuild/linux-arm64"),
        (Platform("linux", "386"), "@esbuild/linux-ia32"),
        (Platform("linux", "arm", "v7"), "@esbuild/linux-arm"),
        (Platform("linux", "ppc64le"), "@esbuild/linux-ppc64"),
        (Platform("linux", "mips64le"), "@esbuild/linux-mips64el"),
        (Platform("windows", "amd64"), "@esbuild/win32-x64"),
        (Platform("linux", "sparc64"), "linux-*"),  # arch Node does not name: os alone decides
    ],
)
def test_package_lock_keeps_the_scanned_platforms_package(
    data_files: Files, platform: Platform | None, kept: str | None
) -> None:
    lock = data_files("esbuild-optional", PackageLockCataloger().wants)
    result = PackageLockCataloger().catalog(lock, CatalogContext(platform=platform))
    names = esbuild_names({p.name for p in result.packages})
    if kept is None:
        assert len(names) == ESBUILD_PLATFORMS
    elif kept == "linux-*":
        assert names == {n for n in _all_esbuild(data_files) if n.startswith("@esbuild/linux-")}
    else:
        assert names == {kept}
    assert "esbuild" in {p.name for p in result.packages}


def _all_esbuild(data_files: Files) -> set[str]:
    lock = data_files("esbuild-optional", PackageLockCataloger().wants)
    result = PackageLockCataloger().catalog(lock, CatalogContext())
    return esbuild_names({p.name for p in result.packages})


@pytest.mark.parametrize("sub", ["pnpm-esbuild-v6.0", "pnpm-esbuild-v9.0"])
def test_pnpm_lock_drops_optional_packages_for_other_platforms(data_files: Files, sub: str) -> None:
    lock = data_files(sub, PnpmLockCataloger().wants)
    cataloger = PnpmLockCataloger()
    everything = cataloger.catalog(lock, CatalogContext())
    assert everything.problems == ()
    assert len(esbuild_names({p.name for p in everything.packages})) == ESBUILD_PLATFORMS

    result = cataloger.catalog(lock, CatalogContext(distro=DEBIAN, platform=LINUX_AMD64))
    assert {(p.name, p.version) for p in result.packages} == {
        ("esbuild", "0.19.5"),
        ("@esbuild/linux-x64", "0.19.5"),
    }
    assert {(r.parent, r.child) for r in result.relationships} == {
        ("pkg:npm/esbuild@0.19.5", "pkg:npm/%40esbuild/linux-x64@0.19.5")
    }


def test_an_optional_entry_that_fits_or_is_required_is_kept() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app"},
            # Not optional: npm would refuse the install (EBADPLATFORM) rather than skip
            # it, so an image that has this lockfile installed it with --force.
            "node_modules/fsevents": {"version": "2.3.3", "os": ["darwin"]},
            "node_modules/any-os": {"version": "1.0.0", "optional": True, "os": ["any"]},
            "node_modules/not-windows": {"version": "1.0.0", "optional": True, "os": ["!win32"]},
            "node_modules/only-windows": {"version": "1.0.0", "optional": True, "os": "win32"},
            "node_modules/musl-only": {
                "version": "1.0.0",
                "optional": True,
                "os": ["linux"],
                "cpu": ["x64"],
                "libc": ["musl"],
            },
            "node_modules/junk": {"version": "1.0.0", "optional": True, "os": 7},
        },
    }
    file = CatalogFile("/srv/app/package-lock.json", _json(lock), 1)
    on_debian = PackageLockCataloger().catalog(
        [file], CatalogContext(distro=DEBIAN, platform=LINUX_AMD64)
    )
    assert {p.name for p in on_debian.packages} == {"fsevents", "any-os", "not-windows", "junk"}
    on_alpine = PackageLockCataloger().catalog(
        [file], CatalogContext(distro=ALPINE, platform=LINUX_AMD64)
    )
    assert {p.name for p in on_alpine.packages} == {
        "fsevents",
        "any-os",
        "not-windows",
        "junk",
        "musl-only",
    }


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("declared", "target", "out"),
    [
        ({"os": ["linux"], "cpu": ["x64"]}, NodePlatform("linux", "x64"), False),
        ({"os": ["darwin"]}, NodePlatform("linux", "x64"), True),
        ({"cpu": ["arm64", "x64"]}, NodePlatform("linux", "x64"), False),
        ({"cpu": ["!x64"]}, NodePlatform("linux", "x64"), True),
        ({"cpu": ["!arm64", "!ia32"]}, NodePlatform("linux", "x64"), False),
        ({"cpu": ["!arm64", "ia32"]}, NodePlatform("linux", "x64"), True),
        ({"os": ["darwin"]}, NodePlatform(None, "x64"), False),
        ({"libc": ["glibc"]}, NodePlatform("linux", "x64", "musl"), True),
        ({"libc": ["glibc"]}, NodePlatform("linux", "x64", None), False),
        ({"os": []}, NodePlatform("linux", "x64"), False),
        ({"os": ["darwin"]}, None, False),
    ],
)
def test_excluded_follows_npm_install_checks(
    declared: dict[str, object], target: NodePlatform | None, out: bool
) -> None:
    assert excluded(declared, target) is out


def test_node_platform_names() -> None:
    assert node_platform(LINUX_AMD64, DEBIAN) == NodePlatform("linux", "x64", "glibc")
    assert node_platform(Platform("linux", "arm64"), ALPINE) == NodePlatform(
        "linux", "arm64", "musl"
    )
    wolfi_like = Distro("custom", None, id_like=("wolfi",))
    assert node_platform(LINUX_AMD64, wolfi_like) == NodePlatform("linux", "x64", "musl")
    assert node_platform(LINUX_AMD64, None) == NodePlatform("linux", "x64", None)
    assert node_platform(Platform("windows", "amd64"), None) == NodePlatform("win32", "x64")
    assert node_platform(None, DEBIAN) is None
