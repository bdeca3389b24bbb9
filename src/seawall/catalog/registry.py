"""Every cataloger seawall runs, in the order it runs them (explicit; no self-registration)."""

from seawall.catalog.base import Cataloger
from seawall.catalog.lang.dotnet import (
    DepsJsonCataloger,
    PackagesConfigCataloger,
    PackagesLockCataloger,
)
from seawall.catalog.lang.go import GoBinaryCataloger, GoModCataloger
from seawall.catalog.lang.java import JavaArchiveCataloger
from seawall.catalog.lang.javascript import (
    NodeModulesCataloger,
    PackageLockCataloger,
    PnpmLockCataloger,
    YarnLockCataloger,
)
from seawall.catalog.lang.php import ComposerLockCataloger, InstalledJsonCataloger
from seawall.catalog.lang.python import (
    CondaMetaCataloger,
    InstalledCataloger,
    PdmLockCataloger,
    PipfileLockCataloger,
    PoetryLockCataloger,
    RequirementsCataloger,
    UvLockCataloger,
)
from seawall.catalog.lang.ruby import GemfileLockCataloger, GemspecCataloger
from seawall.catalog.lang.rust import CargoLockCataloger, RustAuditableCataloger
from seawall.catalog.os.apk import ApkCataloger
from seawall.catalog.os.dpkg import DpkgCataloger
from seawall.catalog.os.release import OsRelease
from seawall.catalog.os.rpm import RpmCataloger

RELEASE = OsRelease()
"""Runs before the catalogers: its Distro goes to every cataloger's context."""

CATALOGERS: tuple[Cataloger, ...] = (
    DpkgCataloger(),
    ApkCataloger(),
    RpmCataloger(),
    InstalledCataloger(),
    RequirementsCataloger(),
    PoetryLockCataloger(),
    PipfileLockCataloger(),
    UvLockCataloger(),
    PdmLockCataloger(),
    CondaMetaCataloger(),
    NodeModulesCataloger(),
    PackageLockCataloger(),
    YarnLockCataloger(),
    PnpmLockCataloger(),
    GoBinaryCataloger(),
    GoModCataloger(),
    JavaArchiveCataloger(),
    CargoLockCataloger(),
    RustAuditableCataloger(),
    GemspecCataloger(),
    GemfileLockCataloger(),
    ComposerLockCataloger(),
    InstalledJsonCataloger(),
    DepsJsonCataloger(),
    PackagesLockCataloger(),
    PackagesConfigCataloger(),
)

FILE_LOCAL: frozenset[str] = frozenset({"go/binary", "rust/auditable", "java/archive"})
"""Catalogers that read each file on its own, needing no other file and no distro.

Their inputs are large (binaries, archives), so the per-layer cache keeps
what they found in each file instead of the file's bytes.
"""
