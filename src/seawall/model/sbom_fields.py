"""The names seawall writes into SBOM documents, shared by writers (report/) and readers (source/).

One definition for both sides keeps a round trip lossless: a name the writer
uses is the name the reader looks for.

CycloneDX properties (CycloneDX 1.6, `properties`; names in the `seawall:`
namespace, following the CycloneDX property taxonomy's advice to prefix
tool-specific names). Indexed names (`seawall:location:0:path`) keep the order
of repeated facts, because the CycloneDX library stores properties as a sorted
set. On a package component:

- `seawall:cataloger` — NAME of the cataloger that found it (`os/dpkg`)
- `seawall:ecosystem`, `seawall:ecosystem-release` — OSV ecosystem (`Debian`) and release (`12`)
- `seawall:source-name`, `seawall:source-version` — the source package
- `seawall:arch` — architecture as the package database states it
- `seawall:owner` — purl of the distribution package that installed a language
  package's files (`Package.owner`); a property rather than CycloneDX's nesting
  of components (assemblies), which would move the component out of the flat list
  every consumer (and seawall's reader) walks
- `seawall:purl` — the purl exactly as found, only when the purl field cannot carry it verbatim
- `seawall:checksum:<i>` — `alg:hex`, only for checksums CycloneDX `hashes` cannot carry
- `seawall:location:<i>:path`, `:layer-index`, `:layer-digest`, `:layer-diff-id`,
  `:layer-created-by` — each location and the image layer that introduced it

On the operating-system component: `seawall:distro:version`,
`seawall:distro:version-codename`, `seawall:distro:id-like:<i>`.

On the BOM metadata: `seawall:partial` (`true`/`false`), and per cataloger
`seawall:status:<i>:name`, `:version`, `:files-read`, `:problem:<j>`.

On the metadata component (the image): `seawall:image:<field>` for the image
facts CycloneDX has no field for, and `seawall:image:layer:<i>:<field>`.

SPDX 2.3 has no properties; seawall writes an annotation (type OTHER) whose
comment is a tag (`ANNOTATION_PACKAGE`, `ANNOTATION_INVENTORY`) followed by a
JSON record in the native format's shapes.
"""

from typing import Final

TOOL_NAME: Final = "seawall"
NATIVE_SCHEMA_ID: Final = "seawall.sbom/v1"
PREFIX: Final = "seawall:"

# Package components.
CATALOGER: Final = "seawall:cataloger"
ECOSYSTEM: Final = "seawall:ecosystem"
ECOSYSTEM_RELEASE: Final = "seawall:ecosystem-release"
SOURCE_NAME: Final = "seawall:source-name"
SOURCE_VERSION: Final = "seawall:source-version"
ARCH: Final = "seawall:arch"
OWNER: Final = "seawall:owner"
PURL: Final = "seawall:purl"
CHECKSUM: Final = "seawall:checksum"
LOCATION: Final = "seawall:location"
LOCATION_PATH: Final = "path"
LOCATION_LAYER_INDEX: Final = "layer-index"
LOCATION_LAYER_DIGEST: Final = "layer-digest"
LOCATION_LAYER_DIFF_ID: Final = "layer-diff-id"
LOCATION_LAYER_CREATED_BY: Final = "layer-created-by"

# The operating-system component.
DISTRO_VERSION: Final = "seawall:distro:version"
DISTRO_CODENAME: Final = "seawall:distro:version-codename"
DISTRO_ID_LIKE: Final = "seawall:distro:id-like"

# BOM metadata.
PARTIAL: Final = "seawall:partial"
STATUS: Final = "seawall:status"
STATUS_NAME: Final = "name"
STATUS_VERSION: Final = "version"
STATUS_FILES_READ: Final = "files-read"
STATUS_PROBLEM: Final = "problem"

# The metadata component (the image).
IMAGE: Final = "seawall:image"
IMAGE_LAYER: Final = "seawall:image:layer"

# SPDX annotations: the comment is the tag, one space, then a JSON object.
ANNOTATION_PACKAGE: Final = "seawall.package/v1"
ANNOTATION_INVENTORY: Final = "seawall.inventory/v1"

# Checksum algorithms as the model names them (lower case, hashlib style) and
# as each format spells them (CycloneDX 1.6 hash-alg enum; SPDX 2.3 §7.10).
CYCLONEDX_HASH_ALGORITHMS: Final = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "sha3-256": "SHA3-256",
    "sha3-384": "SHA3-384",
    "sha3-512": "SHA3-512",
    "blake2b-256": "BLAKE2b-256",
    "blake2b-384": "BLAKE2b-384",
    "blake2b-512": "BLAKE2b-512",
    "blake3": "BLAKE3",
}
SPDX_CHECKSUM_ALGORITHMS: Final = {
    "md5": "MD5",
    "sha1": "SHA1",
    "sha224": "SHA224",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
    "sha3-256": "SHA3-256",
    "sha3-384": "SHA3-384",
    "sha3-512": "SHA3-512",
    "blake2b-256": "BLAKE2b-256",
    "blake2b-384": "BLAKE2b-384",
    "blake2b-512": "BLAKE2b-512",
    "blake3": "BLAKE3",
}
# Hex digits each algorithm's digest has; both formats require lower-case hex.
HEX_LENGTHS: Final = {
    "md5": 32,
    "sha1": 40,
    "sha224": 56,
    "sha256": 64,
    "sha384": 96,
    "sha512": 128,
    "sha3-256": 64,
    "sha3-384": 96,
    "sha3-512": 128,
    "blake2b-256": 64,
    "blake2b-384": 96,
    "blake2b-512": 128,
    "blake3": 64,
}


def is_hex_digest(algorithm: str, value: str) -> bool:
    """True when `value` is a lower-case hex digest of the length `algorithm` produces."""
    length = HEX_LENGTHS.get(algorithm)
    return (
        length is not None
        and len(value) == length
        and all(char in "0123456789abcdef" for char in value)
    )


def indexed(prefix: str, index: int, field: str | None = None) -> str:
    """`prefix:index` or `prefix:index:field`, the shape of every repeated property name."""
    return f"{prefix}:{index}:{field}" if field else f"{prefix}:{index}"
