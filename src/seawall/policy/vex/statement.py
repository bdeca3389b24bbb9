"""One VEX statement in OpenVEX terms, and whether it speaks about a given finding.

Products and subcomponents are purls (or, for an image, its reference or an
OCI purl). A statement is about a finding when it names one of the finding's
ids and either

- a subcomponent matches the finding's package and a product names the
  image (or the package itself), or
- with no subcomponents, a product matches the package or names the image
  (then it covers every package of the image).

Purls match on type, namespace and name; a version or qualifier the
statement gives must agree, one it leaves out matches any (OpenVEX spec,
"Product matching": a purl without version is a wildcard over versions).
"""

from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

from packageurl import PackageURL

from seawall.model.image import Image
from seawall.model.package import Package


class VexStatus(Enum):
    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)


@dataclass(frozen=True, slots=True)
class VexStatement:
    source: str
    """The document, as the user named it."""
    ref: str
    """The statement's id, or its position (`statements[3]`)."""
    vulnerabilities: frozenset[str]
    """The vulnerability's name and aliases, upper case."""
    products: tuple[str, ...]
    subcomponents: tuple[str, ...]
    status: VexStatus
    justification: str | None = None
    """OpenVEX justification vocabulary."""
    detail: str | None = None
    """Impact statement, action statement or notes."""
    author: str | None = None
    timestamp: str | None = None

    @property
    def suppresses(self) -> bool:
        """`not_affected` with a justification or impact statement, or `fixed`."""
        if self.status is VexStatus.FIXED:
            return True
        return self.status is VexStatus.NOT_AFFECTED and bool(self.justification or self.detail)

    def applies_to(self, ids: frozenset[str], package: Package | None, image: Image | None) -> bool:
        if not self.vulnerabilities & ids:
            return False
        names_image = any(_names_image(product, image) for product in self.products)
        if self.subcomponents:
            if package is None:
                return False
            in_product = names_image or any(purl_matches(p, package.purl) for p in self.products)
            return in_product and any(purl_matches(s, package.purl) for s in self.subcomponents)
        if names_image:
            return True
        return package is not None and any(purl_matches(p, package.purl) for p in self.products)


def _parse(purl: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(purl)
    except ValueError:
        return None


def _fold(purl: PackageURL) -> tuple[str, str, str]:
    namespace = unquote(purl.namespace or "").lower()
    return purl.type.lower(), namespace, unquote(purl.name).lower()


def purl_matches(pattern: str, purl: str) -> bool:
    """True when `pattern` (from a VEX document) designates the package `purl`."""
    wanted, actual = _parse(pattern), _parse(purl)
    if wanted is None or actual is None:
        return pattern == purl
    if _fold(wanted) != _fold(actual):
        return False
    if wanted.version and unquote(wanted.version) != unquote(actual.version or ""):
        return False
    qualifiers = actual.qualifiers if isinstance(actual.qualifiers, dict) else {}
    wanted_qualifiers = wanted.qualifiers if isinstance(wanted.qualifiers, dict) else {}
    return all(qualifiers.get(key) == value for key, value in wanted_qualifiers.items())


def _repository_name(reference: str) -> str:
    """`registry.example.com/shop/api:1.4` → `api` (the last path part, no tag or digest)."""
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def _names_image(product: str, image: Image | None) -> bool:
    """True when a product identifier designates the scanned image."""
    if image is None:
        return False
    digests = {d for d in (image.manifest_digest, image.index_digest) if d}
    if product in (image.reference, *image.repo_tags) or product in digests:
        return True
    purl = _parse(product)
    if purl is None or purl.type not in ("oci", "docker"):
        return False
    version = unquote(purl.version or "")
    if version.startswith("sha256:"):
        return version in digests
    if purl.type == "oci" and _fold(purl)[2] != _repository_name(image.reference):
        return False
    if purl.type == "docker":
        wanted = "/".join(p for p in (purl.namespace, purl.name) if p).lower()
        reference = image.reference.split("@", 1)[0].rsplit(":", 1)[0].lower()
        if not reference.endswith(wanted):
            return False
        tag = reference_tag(image.reference)
        return not version or version == tag
    return not version or version == reference_tag(image.reference)


def reference_tag(reference: str) -> str | None:
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None
