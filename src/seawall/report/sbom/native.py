"""seawall's own SBOM JSON (schema id `seawall.sbom/v1`): everything the Inventory holds.

The document is described by `seawall/report/schemas/sbom.schema.json`. The
subject image is carried without its config and history: config values (env)
may hold credentials, and the layers already carry each build step's
`created_by`, with the values of build arguments and env variables masked.
"""

from typing import TYPE_CHECKING, Any

from seawall import __version__
from seawall.model.image import Image, Layer
from seawall.model.package import CatalogerStatus, Distro, Inventory, Package
from seawall.model.sbom_fields import NATIVE_SCHEMA_ID, TOOL_NAME
from seawall.report.scan.common import with_masked_steps

if TYPE_CHECKING:
    from seawall.report.sbom.common import SbomOptions

# The records below are also what the scan JSON and the caches write: the document's
# options and its JSON writer are imported by the functions writing the document.


def package_record(package: Package) -> dict[str, Any]:
    """One package as plain data (also the payload of seawall's SPDX annotations)."""
    return {
        "name": package.name,
        "version": package.version,
        "ecosystem": package.ecosystem.value,
        "ecosystem_release": package.ecosystem_release,
        "purl": package.purl,
        "cataloger": package.cataloger,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "arch": package.arch,
        "licenses": list(package.licenses),
        "locations": [{"path": loc.path, "layer": loc.layer} for loc in package.locations],
        "checksums": [
            {"algorithm": algorithm, "value": value} for algorithm, value in package.checksums
        ],
        "owner": package.owner,
    }


def distro_record(distro: Distro) -> dict[str, Any]:
    return {
        "id": distro.id,
        "version_id": distro.version_id,
        "pretty_name": distro.pretty_name,
        "version_codename": distro.version_codename,
        "id_like": list(distro.id_like),
        "version": distro.version,
    }


def status_record(status: CatalogerStatus) -> dict[str, Any]:
    return {
        "name": status.name,
        "version": status.version,
        "files_read": status.files_read,
        "problems": list(status.problems),
    }


def _layer_record(layer: Layer) -> dict[str, Any]:
    return {
        "index": layer.index,
        "media_type": layer.media_type,
        "digest": layer.digest,
        "diff_id": layer.diff_id,
        "size": layer.size,
        "created_by": layer.created_by,
        "foreign": layer.foreign,
        "urls": list(layer.urls),
    }


def image_record(image: Image) -> dict[str, Any]:
    """The subject image, without config and history (see the module docstring), its build
    steps masked (`with_masked_steps`: build-argument and env values)."""
    image = with_masked_steps(image)
    platform = image.platform
    return {
        "source_kind": image.source_kind.value,
        "reference": image.reference,
        "manifest_digest": image.manifest_digest,
        "manifest_media_type": image.manifest_media_type,
        "index_digest": image.index_digest,
        "config_digest": image.config_digest,
        "platform": None
        if platform is None
        else {
            "os": platform.os,
            "architecture": platform.architecture,
            "variant": platform.variant,
        },
        "created": image.created,
        "author": image.author,
        "repo_tags": list(image.repo_tags),
        "description": image.description,
        "layers": [_layer_record(layer) for layer in image.layers],
    }


def sbom_to_dict(
    inventory: Inventory, subject: Image | None, options: "SbomOptions | None" = None
) -> dict[str, Any]:
    """The native SBOM document as plain data."""
    from seawall.report.sbom.common import SbomOptions

    options = options or SbomOptions()
    return {
        "schema": NATIVE_SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "created": options.timestamp().isoformat().replace("+00:00", "Z"),
        "subject": None if subject is None else image_record(subject),
        "distro": None if inventory.distro is None else distro_record(inventory.distro),
        "partial": inventory.partial,
        "packages": [package_record(package) for package in inventory.packages],
        "relationships": [
            {"parent": rel.parent, "child": rel.child} for rel in inventory.relationships
        ],
        "statuses": [status_record(status) for status in inventory.statuses],
    }


def render_native(
    inventory: Inventory, subject: Image | None, options: "SbomOptions | None" = None
) -> str:
    """The native SBOM as JSON text."""
    from seawall.report.jsontext import dumps_indented

    return dumps_indented(sbom_to_dict(inventory, subject, options))
