"""What the VEX writers share: options, the image as a product, and each finding's status."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from seawall.model.finding import VulnerabilityFinding
from seawall.model.image import Image
from seawall.model.policy import FindingDecision


@dataclass(frozen=True, slots=True)
class VexOptions:
    """Who issues the document and when; tests and reproducible builds pin the time and id."""

    author: str = "seawall"
    """OpenVEX `author`, CSAF `publisher.name`."""
    namespace: str = "urn:seawall:publisher-not-configured"
    """CSAF `publisher.namespace`: the issuer's web address (set it to your organisation's)."""
    created: datetime | None = None
    document_id: uuid.UUID | None = None

    def timestamp(self) -> str:
        created = (self.created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return created.isoformat().replace("+00:00", "Z")

    def uuid(self) -> uuid.UUID:
        return self.document_id or uuid.uuid4()


def image_product(image: Image | None) -> str | None:
    """The image as a purl (`pkg:oci/NAME@DIGEST?repository_url=…`), else its reference."""
    if image is None:
        return None
    if image.manifest_digest:
        repository = image.reference.split("@", 1)[0]
        last = repository.rsplit("/", 1)[-1]
        if ":" in last:
            repository = repository[: len(repository) - len(last)] + last.split(":", 1)[0]
        name = repository.rsplit("/", 1)[-1].lower()
        return (
            f"pkg:oci/{quote(name)}@{quote(image.manifest_digest, safe='')}"
            f"?repository_url={quote(repository, safe='/.-_')}"
        )
    return image.reference or None


def status_of(decision: FindingDecision | None) -> str:
    """not_affected, fixed, affected or under_investigation (see the package docstring)."""
    if decision is not None and decision.suppressed_by is not None:
        return decision.suppressed_by.status
    if decision is not None and any(a.status == "affected" for a in decision.annotations):
        return "affected"
    return "under_investigation"


def action(finding: VulnerabilityFinding) -> str:
    package = finding.package
    if finding.fixed_versions:
        fixed = " or ".join(finding.fixed_versions)
        return f"Upgrade {package.name} from {package.version} to {fixed}."
    return f"No fix is available yet for {package.name} {package.version}; mitigate or accept."


def impact(decision: FindingDecision) -> str:
    suppression = decision.suppressed_by
    assert suppression is not None
    text = suppression.reason
    if suppression.owner:
        text += f" (decided by {suppression.owner})"
    return text


def is_datetime(value: str | None) -> bool:
    if not value or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
