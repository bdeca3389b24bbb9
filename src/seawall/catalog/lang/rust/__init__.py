"""Rust catalogers: Cargo.lock (`rust/cargo-lock`) and cargo-auditable data (`rust/auditable`)."""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.catalog.lang.rust.auditable import RustAuditableCataloger
    from seawall.catalog.lang.rust.cargo_lock import CargoLockCataloger

# Each module is imported when one of its names is first read: the registry
# then imports the cataloger a path needs, not its siblings with it.
_HOMES = {
    "CargoLockCataloger": "cargo_lock",
    "RustAuditableCataloger": "auditable",
}

__all__ = [
    "CargoLockCataloger",
    "RustAuditableCataloger",
]

__getattr__ = lazy_names(__name__, _HOMES)
