"""End-of-life dates of distribution releases (`data/eol.yaml`, with its sources)."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from seawall.model.package import Distro


@dataclass(frozen=True, slots=True)
class EolTable:
    releases: Mapping[str, Mapping[str, datetime.date]]
    """os-release ID -> release -> end-of-life date."""
    sources: Mapping[str, str]


@cache
def eol_table() -> EolTable:
    text = resources.files("seawall.analyze.misconfig").joinpath("data/eol.yaml").read_text()
    document = yaml.safe_load(text)
    releases = {
        distro: {str(release): _date(day) for release, day in dates.items()}
        for distro, dates in document["releases"].items()
    }
    return EolTable(releases=releases, sources=dict(document["sources"]))


def _date(value: object) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def release_key(distro: Distro) -> str | None:
    """The table's key for a distro's release: Alpine by major.minor, others as VERSION_ID."""
    if not distro.version_id:
        return None
    if distro.id == "alpine":
        return ".".join(distro.version_id.split(".")[:2])
    if distro.id in ("debian", "centos"):
        return distro.version_id.split(".")[0]
    return distro.version_id


def end_of_life(distro: Distro) -> tuple[datetime.date, str] | None:
    """The release's end-of-life date and the source that gives it, when the table knows it."""
    table = eol_table()
    key = release_key(distro)
    dates = table.releases.get(distro.id)
    if key is None or dates is None or key not in dates:
        return None
    return dates[key], table.sources.get(distro.id, table.sources.get("summary", ""))
