"""Safety limits applied to every untrusted input.

Every image, manifest and layer is treated as hostile: these bounds keep
memory and time finite whatever the input holds. Each limit can be changed
with an environment variable `SEAWALL_<NAME>` (e.g. `SEAWALL_MAX_LAYER_ENTRIES`);
docs/limits.md lists them with their reasons.
"""

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

from seawall.errors import InputError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what seawall will read from one input."""

    # JSON documents: manifests, indexes, image configs, docker-archive manifest.json.
    max_manifest_bytes: int = 4 * MiB
    max_config_bytes: int = 8 * MiB
    # Layers, after decompression.
    max_layer_bytes: int = 64 * GiB
    max_image_bytes: int = 256 * GiB
    # A stream that inflates more than this many times its compressed size is
    # a decompression bomb, once it has produced at least `bomb_floor_bytes`.
    max_compression_ratio: int = 1000
    bomb_floor_bytes: int = 256 * MiB
    # Tar structure.
    max_layer_entries: int = 500_000
    max_image_entries: int = 2_000_000
    max_path_bytes: int = 4096
    max_path_depth: int = 256
    max_symlink_hops: int = 40
    # Tar meta headers (PAX, GNU long names) are held in memory while parsed.
    max_meta_header_bytes: int = 1 * MiB
    # Registry blobs are checked against their descriptor size, this caps it.
    max_blob_bytes: int = 64 * GiB
    # Members of an image archive (docker-archive, oci-archive).
    max_archive_members: int = 100_000
    # An SBOM file (CycloneDX, SPDX, seawall JSON) read as input; parsing holds
    # the whole document in memory, several times its size.
    max_sbom_bytes: int = 256 * MiB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Limits":
        """Defaults, overridden by `SEAWALL_<FIELD>` variables holding whole numbers."""
        env = os.environ if environ is None else environ
        changes: dict[str, int] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(f"SEAWALL_{field.name.upper()}")
            if raw is None:
                continue
            try:
                value = int(raw)
            except ValueError:
                raise InputError(
                    f"SEAWALL_{field.name.upper()}={raw!r} is not a whole number"
                ) from None
            if value <= 0:
                raise InputError(f"SEAWALL_{field.name.upper()} must be positive, got {value}")
            changes[field.name] = value
        return cls(**changes)
