"""Rust catalogers: Cargo.lock (`rust/cargo-lock`) and cargo-auditable data (`rust/auditable`)."""

from seawall.catalog.lang.rust.auditable import RustAuditableCataloger
from seawall.catalog.lang.rust.cargo_lock import CargoLockCataloger

__all__ = ["CargoLockCataloger", "RustAuditableCataloger"]
