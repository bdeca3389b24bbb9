"""`seawall db import PATH…`: OSV exports, directories or files, the KEV JSON and EPSS CSVs.

What a path is decides what it feeds:
- `…/<ECOSYSTEM>/all.zip` (OSV's export layout) is the whole of source
  `<ECOSYSTEM>`: records it no longer has are dropped.
- any other zip, a directory of `*.json`, or one OSV JSON file adds or
  updates records in the source named after it (or `source=`).
- a JSON object with `catalogVersion` and `vulnerabilities` is the CISA KEV
  catalogue; a `.csv` or `.csv.gz` file is an EPSS score file. Both replace
  what the store had.
All paths go into one new store file, swapped in only when every one is done.
"""

import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from seawall.errors import InputError
from seawall.vulndb.feeds import MAX_KEV_BYTES, EpssFeed, is_kev_document, parse_kev
from seawall.vulndb.reader import ReadLimits, osv_items
from seawall.vulndb.writer import SourceReport, StoreWriter

OSV_EXPORT_NAME = "all.zip"


class InputKind(Enum):
    OSV_EXPORT = "osv-export"
    OSV = "osv"
    KEV = "kev"
    EPSS = "epss"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """How one path will be imported."""

    path: Path
    kind: InputKind
    source: str


def plan(path: Path, *, source: str | None = None) -> ImportPlan:
    """Decide what `path` is; InputError if it is none of the supported inputs."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    name = path.name.lower()
    if stat.S_ISDIR(mode):
        return ImportPlan(path, InputKind.OSV, source or path.name)
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file or directory")
    if name.endswith((".csv", ".csv.gz")):
        return ImportPlan(path, InputKind.EPSS, "epss")
    if zipfile.is_zipfile(path):
        if path.name == OSV_EXPORT_NAME and path.parent.name and source is None:
            return ImportPlan(path, InputKind.OSV_EXPORT, path.parent.resolve().name)
        return ImportPlan(path, InputKind.OSV, source or path.stem)
    if name.endswith(".json"):
        with open(path, "rb") as stream:
            head = stream.read(MAX_KEV_BYTES + 1)
        if is_kev_document(head):
            return ImportPlan(path, InputKind.KEV, "kev")
        return ImportPlan(path, InputKind.OSV, source or "local")
    raise InputError(
        f"{path}: not an OSV zip, a directory of OSV JSON, an OSV JSON file, "
        "the KEV JSON or an EPSS CSV"
    )


def import_paths(
    store: Path,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    fresh: bool = False,
    limits: ReadLimits | None = None,
) -> list[SourceReport]:
    """Import every path into one new version of `store`, swapped in at the end."""
    plans = [plan(path, source=source) for path in paths]
    reports = []
    with StoreWriter(store, fresh=fresh) as writer:
        for item in plans:
            reports.append(import_one(writer, item, limits=limits))
    return reports


def import_one(
    writer: StoreWriter, item: ImportPlan, *, limits: ReadLimits | None = None
) -> SourceReport:
    """Import one planned path into an open writer."""
    origin = str(item.path)
    if item.kind is InputKind.KEV:
        catalog = parse_kev(item.path.read_bytes(), where=origin)
        count = writer.replace_kev(catalog.entries, data_as_of=catalog.data_as_of, origin=origin)
        return SourceReport(
            source="kev",
            records=count,
            imported=count,
            withdrawn=0,
            removed=0,
            malformed_count=catalog.skipped,
            data_as_of=catalog.data_as_of,
        )
    if item.kind is InputKind.EPSS:
        feed = EpssFeed(item.path)
        count = writer.replace_epss(feed.scores(), data_as_of=None, origin=origin)
        # The score date is known only once the comment line has been read.
        writer.set_data_as_of("epss", feed.score_date)
        return SourceReport(
            source="epss",
            records=count,
            imported=count,
            withdrawn=0,
            removed=0,
            malformed_count=feed.skipped,
            data_as_of=feed.score_date,
        )
    return writer.import_osv(
        item.source,
        osv_items(item.path, limits),
        full=item.kind is InputKind.OSV_EXPORT,
        origin=origin,
    )
