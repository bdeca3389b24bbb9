"""What the scan reporters share: redaction of image config values, layer labels,
evidence paths, counts and the age of the vulnerability data.

Image config env values are never rendered (they often hold credentials).
Reporters never read `ImageConfig.env`, but the same values leak into layer
history: `created_by` records build arguments (`RUN |1 TOKEN=… /bin/sh -c …`)
and commands that spell a value out. `Redactor` masks both in every text
taken from the image.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from seawall.model.finding import Severity, VulnerabilityFinding
from seawall.model.image import Image, Layer
from seawall.model.package import Package

if TYPE_CHECKING:
    # Types only: the secret reporters share this module, and the scan result
    # brings the policy's model with it. `datetime` and the SBOM writers' helpers
    # are imported by the functions using them, so writing a secrets report
    # loads neither (docs/architecture.md, "Start-up").
    from datetime import datetime, timedelta

    from seawall.model.scan import DatabaseInfo, DataSource, ScanResult

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Env values shorter than this (`1`, `on`, `C`) are not masked: none can be a
credential worth the name, and masking every `1` would garble the history."""

SEVERITIES_HIGH_FIRST = tuple(sorted(Severity, key=lambda s: -s.rank))

_BUILD_ARGS = re.compile(r"^(RUN )?\|(\d+) ")
"""The build-argument prefix: classic builder `|N K=V … cmd`, BuildKit `RUN |N K=V … cmd`."""
_BUILDKIT_SUFFIX = re.compile(r"\s*#\s*buildkit\s*$")
_SHELL = "/bin/sh -c "
_NOP = "#(nop) "
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Redactor:
    """Masks an image's config env values, and build-argument values, in text."""

    values: tuple[str, ...] = ()
    """Env values to mask, longest first so a value containing another is masked whole."""

    @classmethod
    def for_image(cls, image: Image | None) -> "Redactor":
        if image is None:
            return cls()
        values = {value for _, value in image.config.env if len(value) >= MIN_SECRET_LENGTH}
        return cls(tuple(sorted(values, key=lambda v: (-len(v), v))))

    def redact(self, text: str) -> str:
        text = _mask_build_args(text)
        for value in self.values:
            text = text.replace(value, MASK)
        return text


def with_masked_steps(image: Image) -> Image:
    """`image` with every build step (each layer's and history entry's `created_by`) masked
    by its `Redactor`: for documents that carry them (SBOMs, the scan JSON, a diff), which
    must not carry a build secret."""
    redactor = Redactor.for_image(image)
    layers = tuple(
        replace(layer, created_by=redactor.redact(layer.created_by)) if layer.created_by else layer
        for layer in image.layers
    )
    history = tuple(
        replace(entry, created_by=redactor.redact(entry.created_by)) if entry.created_by else entry
        for entry in image.history
    )
    return replace(image, layers=layers, history=history)


def _mask_build_args(text: str) -> str:
    """Masks the values of the `|N K=V …` prefix Docker and BuildKit write into
    `created_by` for a RUN step that saw N build arguments."""
    match = _BUILD_ARGS.match(text)
    if match is None:
        return text
    count = int(match.group(2))
    rest = text[match.end() :].split(" ")
    for index in range(min(count, len(rest))):
        name, sep, _ = rest[index].partition("=")
        if sep:
            rest[index] = f"{name}={MASK}"
    return f"{match.group(1) or ''}|{count} " + " ".join(rest)


def without_build_args(text: str) -> str:
    """`created_by` without its build-argument prefix."""
    match = _BUILD_ARGS.match(text)
    if match is None:
        return text
    parts = text[match.end() :].split(" ")
    return (match.group(1) or "") + " ".join(parts[min(int(match.group(2)), len(parts)) :])


def short_created_by(created_by: str | None) -> str:
    """The build step as a Dockerfile would say it: `RUN apt-get install …`,
    `ADD file:… in /`, `COPY app/ /app`; whitespace collapsed."""
    if not created_by:
        return ""
    text = _BUILDKIT_SUFFIX.sub("", without_build_args(created_by.strip()))
    if text.startswith("RUN "):
        text = text[4:]
    if text.startswith(_SHELL):
        text = text[len(_SHELL) :]
        text = text[len(_NOP) :] if text.startswith(_NOP) else f"RUN {text}"
    elif not text.split(" ", 1)[0].isupper():
        text = f"RUN {text}"
    return _SPACES.sub(" ", text).strip()


def layer_of(image: Image | None, finding: VulnerabilityFinding) -> Layer | None:
    from seawall.report.sbom.common import layer_at

    return layer_at(image, finding.layer)


def evidence_path(package: Package) -> str | None:
    """The file that shows the package is installed, relative to the image root."""
    if not package.locations:
        return None
    return package.locations[0].path.lstrip("/") or None


def other_ids(finding: VulnerabilityFinding) -> list[str]:
    """Every id of the finding except the preferred one, sorted."""
    return sorted(set(finding.aliases) - {finding.id})


def source_package(package: Package) -> str | None:
    """The source package a distro binary package was built from, when it differs by name."""
    if package.source_name and package.source_name != package.name:
        return package.source_name
    return None


def epss_percent(score: float) -> str:
    percent = score * 100
    if 0 < percent < 0.01:
        return "<0.01%"
    return f"{percent:.2f}%"


def severity_counts(findings: Iterable[VulnerabilityFinding]) -> dict[Severity, int]:
    counts = dict.fromkeys(SEVERITIES_HIGH_FIRST, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def parse_time(value: str | None) -> "datetime | None":
    """An RFC 3339 time with its offset; None when absent, malformed or naive."""
    if not value:
        return None
    from datetime import datetime

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def stalest_source(
    database: "DatabaseInfo | None", scanned_at: str
) -> "tuple[DataSource, timedelta] | None":
    """The source imported longest before the scan, and how long before."""
    scanned = parse_time(scanned_at)
    if database is None or scanned is None:
        return None
    ages = [
        (scanned - updated, source.name, source)
        for source in database.sources
        if (updated := parse_time(source.updated)) is not None
    ]
    if not ages:
        return None
    age, _, source = max(ages, key=lambda item: (item[0], item[1]))
    return source, age


def describe_age(age: "timedelta") -> str:
    """`3 days`, `5 hours`, `less than an hour` (negative ages, from clock skew, count as 0)."""
    seconds = max(age.total_seconds(), 0)
    days, hours = int(seconds // 86400), int(seconds // 3600)
    if days:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "less than an hour"


def database_age_text(result: "ScanResult") -> str:
    """How old the vulnerability data was at scan time, naming the stalest source."""
    if result.database is None:
        return "no vulnerability database"
    stalest = stalest_source(result.database, result.scanned_at)
    if stalest is None:
        return "vulnerability data age unknown"
    source, age = stalest
    return f"vulnerability data {describe_age(age)} old (oldest source: {source.name})"
