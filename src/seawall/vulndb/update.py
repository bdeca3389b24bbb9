"""`seawall db update`: fetching OSV exports, CISA KEV and EPSS over HTTP.

The OSV export (osv-vulnerabilities bucket, google.github.io/osv.dev/data)
has, per ecosystem, `<ECOSYSTEM>/all.zip`, one `<ECOSYSTEM>/<ID>.json` per
record, and `<ECOSYSTEM>/modified_id.csv`: one `<modified>,<ID>` line per
record, newest first. The first update of an ecosystem reads the CSV's newest
time as the cursor, then downloads `all.zip`; later ones ask for the CSV again
(conditionally: a 304 means nothing changed) and fetch only the records
modified after the cursor, or the whole zip again when too many changed.
KEV and EPSS are single files fetched conditionally (ETag / Last-Modified).
Everything lands in one new store file swapped in at the end.
"""

import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from seawall.errors import InputError, LimitExceededError, SeawallError
from seawall.model.package import DISTRO_ECOSYSTEMS, Ecosystem, Inventory
from seawall.vulndb.feeds import EpssFeed, parse_kev
from seawall.vulndb.reader import RawRecord, ReadLimits, Rejected, osv_items
from seawall.vulndb.timestamps import instant
from seawall.vulndb.writer import OSV_EXPORT_KIND, SourceReport, StoreWriter

log = logging.getLogger(__name__)

DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_KEV_URL = (
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
)
DEFAULT_EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024 * 1024
MAX_INCREMENTAL = 2000
"""More changed records than this: download the ecosystem's all.zip instead."""
MAX_CSV_LINE = 1024
TIMEOUT = httpx.Timeout(30.0, read=120.0)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,255}")


class UpdateError(SeawallError):
    """A feed could not be fetched (network, HTTP status); the store is left as it was."""


@dataclass(frozen=True, slots=True)
class Feeds:
    """Where updates come from; each can be moved with an environment variable."""

    osv_url: str = DEFAULT_OSV_URL
    kev_url: str = DEFAULT_KEV_URL
    epss_url: str = DEFAULT_EPSS_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Feeds":
        """`SEAWALL_OSV_URL` (base of the export), `SEAWALL_KEV_URL`, `SEAWALL_EPSS_URL`."""
        env = os.environ if environ is None else environ
        return cls(
            osv_url=env.get("SEAWALL_OSV_URL") or DEFAULT_OSV_URL,
            kev_url=env.get("SEAWALL_KEV_URL") or DEFAULT_KEV_URL,
            epss_url=env.get("SEAWALL_EPSS_URL") or DEFAULT_EPSS_URL,
        )


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    """What happened to one source."""

    source: str
    action: str
    """`full`, `incremental`, `unchanged` (HTTP 304 or nothing newer) or `replaced` (KEV/EPSS)."""
    report: SourceReport | None = None


def ecosystems_for(inventory: Inventory) -> list[str]:
    """The OSV export folders an inventory's packages need.

    Distro packages need their release's folder (`Debian:12`, `Alpine:v3.20`);
    Red Hat publishes one folder for every stream, so it needs `Red Hat`.
    """
    needed: set[str] = set()
    for package in inventory.packages:
        if package.ecosystem is Ecosystem.CONDA:
            continue
        if package.ecosystem is Ecosystem.RED_HAT or package.ecosystem not in DISTRO_ECOSYSTEMS:
            needed.add(package.ecosystem.value)
        else:
            needed.add(package.osv_ecosystem)
    return sorted(needed)


def update(
    store: Path,
    *,
    ecosystems: Sequence[str] | None = None,
    feeds: Feeds | None = None,
    kev: bool = True,
    epss: bool = True,
    client: httpx.Client | None = None,
    limits: ReadLimits | None = None,
) -> list[UpdateOutcome]:
    """Bring `store` up to date from the feeds; `ecosystems` default: those already stored."""
    feeds = feeds or Feeds.from_env()
    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        with StoreWriter(store) as writer:
            chosen = list(ecosystems) if ecosystems else _stored_ecosystems(writer)
            if not chosen and not kev and not epss:
                raise InputError("nothing to update: name an --ecosystem")
            if not chosen and not ecosystems:
                raise InputError(
                    "no ecosystems to update: the store has none yet; name them with "
                    "--ecosystem (e.g. --ecosystem PyPI --ecosystem Debian:12) or --sbom FILE"
                )
            updater = _Updater(writer, http, feeds, limits or ReadLimits(), store.parent)
            outcomes = [updater.osv(name) for name in chosen]
            if kev:
                outcomes.append(updater.kev())
            if epss:
                outcomes.append(updater.epss())
            return outcomes
    finally:
        if own_client:
            http.close()


def _stored_ecosystems(writer: StoreWriter) -> list[str]:
    return [state.name for state in writer.sources() if state.kind == OSV_EXPORT_KIND]


class _Updater:
    def __init__(
        self,
        writer: StoreWriter,
        http: httpx.Client,
        feeds: Feeds,
        limits: ReadLimits,
        work: Path,
    ) -> None:
        self.writer = writer
        self.http = http
        self.feeds = feeds
        self.limits = limits
        self.work = work

    # -- OSV ----------------------------------------------------------------

    def osv(self, ecosystem: str) -> UpdateOutcome:
        if not ecosystem or "/" in ecosystem or not ecosystem.isprintable():
            raise InputError(f"{ecosystem!r} is not an OSV ecosystem name")
        base = f"{self.feeds.osv_url.rstrip('/')}/{quote(ecosystem, safe=':')}"
        state = self.writer.source(ecosystem)
        previous = state.cursor if state else None
        listing = self._get_text(
            f"{base}/modified_id.csv",
            etag=state.etag if state and previous else None,
            last_modified=state.last_modified if state and previous else None,
            optional=True,
        )
        if listing is _NOT_MODIFIED:
            self.writer.mark_checked(ecosystem)
            return UpdateOutcome(ecosystem, "unchanged")
        assert not isinstance(listing, _NotModified)
        if listing is None:
            # No modified_id.csv: all that can be done is a conditional zip download.
            # Its stored validators are then the zip's own.
            zip_validators = (state.etag, state.last_modified) if state and not previous else None
            return self._full(ecosystem, base, cursor=None, validators=zip_validators)
        text, validators = listing
        newest, changed = _changes(text, ecosystem, previous)
        if previous is None or changed is None or len(changed) > MAX_INCREMENTAL:
            return self._full(ecosystem, base, cursor=newest, validators=validators)
        if not changed:
            self.writer.mark_checked(ecosystem)
            self.writer.set_validators(ecosystem, *validators)
            return UpdateOutcome(ecosystem, "unchanged")
        report = self.writer.import_osv(
            ecosystem,
            self._records(base, ecosystem, changed),
            full=False,
            origin=base,
            etag=validators[0],
            last_modified=validators[1],
            cursor=newest,
        )
        return UpdateOutcome(ecosystem, "incremental", report)

    def _full(
        self,
        ecosystem: str,
        base: str,
        *,
        cursor: str | None,
        validators: tuple[str | None, str | None] | None,
    ) -> UpdateOutcome:
        """Download all.zip; `validators` are the CSV's (with a cursor) or the zip's (without)."""
        with tempfile.TemporaryDirectory(dir=self.work, prefix=".download-") as scratch:
            target = Path(scratch) / "all.zip"
            fetched = self._download(
                f"{base}/all.zip",
                target,
                etag=validators[0] if validators and cursor is None else None,
                last_modified=validators[1] if validators and cursor is None else None,
            )
            if fetched is _NOT_MODIFIED:
                self.writer.mark_checked(ecosystem)
                return UpdateOutcome(ecosystem, "unchanged")
            assert not isinstance(fetched, _NotModified)
            etag, last_modified = validators if cursor is not None and validators else fetched
            report = self.writer.import_osv(
                ecosystem,
                osv_items(target, self.limits),
                full=True,
                origin=f"{base}/all.zip",
                etag=etag,
                last_modified=last_modified,
                cursor=cursor,
            )
        return UpdateOutcome(ecosystem, "full", report)

    def _records(
        self, base: str, ecosystem: str, ids: Iterable[str]
    ) -> Iterator[RawRecord | Rejected]:
        for record_id in ids:
            where = f"{ecosystem}/{record_id}.json"
            response = self._request(f"{base}/{quote(record_id, safe=':')}.json", {})
            if response.status_code != httpx.codes.OK:
                yield Rejected(where, f"HTTP {response.status_code} from the export")
                continue
            if len(response.content) > self.limits.max_record_bytes:
                yield Rejected(where, "record exceeds max_record_bytes")
                continue
            yield RawRecord(where, response.content)

    # -- KEV and EPSS -------------------------------------------------------

    def kev(self) -> UpdateOutcome:
        state = self.writer.source("kev")
        with tempfile.TemporaryDirectory(dir=self.work, prefix=".download-") as scratch:
            target = Path(scratch) / "kev.json"
            fetched = self._download(
                self.feeds.kev_url,
                target,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
            if isinstance(fetched, _NotModified):
                self.writer.mark_checked("kev")
                return UpdateOutcome("kev", "unchanged")
            catalog = parse_kev(target.read_bytes(), where=self.feeds.kev_url)
        count = self.writer.replace_kev(
            catalog.entries,
            data_as_of=catalog.data_as_of,
            origin=self.feeds.kev_url,
            etag=fetched[0],
            last_modified=fetched[1],
        )
        report = SourceReport("kev", count, count, 0, 0, catalog.skipped, (), catalog.data_as_of)
        return UpdateOutcome("kev", "replaced", report)

    def epss(self) -> UpdateOutcome:
        state = self.writer.source("epss")
        with tempfile.TemporaryDirectory(dir=self.work, prefix=".download-") as scratch:
            target = Path(scratch) / "epss.csv.gz"
            fetched = self._download(
                self.feeds.epss_url,
                target,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
            if isinstance(fetched, _NotModified):
                self.writer.mark_checked("epss")
                return UpdateOutcome("epss", "unchanged")
            feed = EpssFeed(target)
            count = self.writer.replace_epss(
                feed.scores(),
                data_as_of=None,
                origin=self.feeds.epss_url,
                etag=fetched[0],
                last_modified=fetched[1],
            )
        self.writer.set_data_as_of("epss", feed.score_date)
        report = SourceReport("epss", count, count, 0, 0, feed.skipped, (), feed.score_date)
        return UpdateOutcome("epss", "replaced", report)

    # -- HTTP -------------------------------------------------------------------

    def _request(self, url: str, headers: dict[str, str]) -> httpx.Response:
        try:
            return self.http.get(url, headers=headers)
        except httpx.HTTPError as error:
            raise UpdateError(f"{_safe(url)}: {type(error).__name__}: {error}") from None

    def _get_text(
        self, url: str, *, etag: str | None, last_modified: str | None, optional: bool
    ) -> "tuple[str, tuple[str | None, str | None]] | _NotModified | None":
        headers = _conditional(etag, last_modified)
        try:
            with self.http.stream("GET", url, headers=headers) as response:
                if response.status_code == httpx.codes.NOT_MODIFIED:
                    return _NOT_MODIFIED
                if response.status_code == httpx.codes.NOT_FOUND and optional:
                    return None
                _check(response, url)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_DOWNLOAD_BYTES // 16:
                        raise LimitExceededError(
                            _safe(url), "max_listing_bytes", MAX_DOWNLOAD_BYTES // 16
                        )
                validators = (response.headers.get("etag"), response.headers.get("last-modified"))
        except httpx.HTTPError as error:
            raise UpdateError(f"{_safe(url)}: {type(error).__name__}: {error}") from None
        return body.decode("utf-8", errors="replace"), validators

    def _download(
        self, url: str, target: Path, *, etag: str | None, last_modified: str | None
    ) -> "tuple[str | None, str | None] | _NotModified":
        headers = _conditional(etag, last_modified)
        try:
            with self.http.stream("GET", url, headers=headers) as response:
                if response.status_code == httpx.codes.NOT_MODIFIED:
                    return _NOT_MODIFIED
                _check(response, url)
                written = 0
                with open(target, "wb") as out:
                    for chunk in response.iter_bytes(1024 * 1024):
                        written += len(chunk)
                        if written > MAX_DOWNLOAD_BYTES:
                            raise LimitExceededError(
                                _safe(url), "max_download_bytes", MAX_DOWNLOAD_BYTES
                            )
                        out.write(chunk)
                return response.headers.get("etag"), response.headers.get("last-modified")
        except httpx.HTTPError as error:
            raise UpdateError(f"{_safe(url)}: {type(error).__name__}: {error}") from None


class _NotModified:
    """An HTTP 304."""


_NOT_MODIFIED = _NotModified()


def _changes(text: str, ecosystem: str, cursor: str | None) -> tuple[str | None, list[str] | None]:
    """(newest time listed, ids modified after `cursor`) from a modified_id.csv.

    Lines are `<RFC 3339 time>,<ID>` newest first (the top-level listing writes
    `<ECOSYSTEM>/<ID>`; that prefix is dropped). Reading stops at the first line
    not newer than the cursor. None for the ids when the listing is unusable,
    so the caller falls back to the full export.
    """
    newest: str | None = None
    changed: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        stamp, _, record = line.partition(",")
        record = record.strip().removeprefix(f"{ecosystem}/")
        try:
            moment = instant(stamp.strip())
        except ValueError:
            if number == 1:
                continue  # a header line
            log.warning("%s modified_id.csv line %d is not `time,id`", ecosystem, number)
            return newest, None
        if len(line) > MAX_CSV_LINE or not _ID.fullmatch(record):
            log.warning("%s modified_id.csv line %d has a bad id", ecosystem, number)
            return newest, None
        if newest is None:
            newest = stamp.strip()
        if cursor is not None and moment <= instant(cursor):
            break
        if record not in seen:
            seen.add(record)
            changed.append(record)
        if len(changed) > MAX_INCREMENTAL:
            break
    return newest, changed


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _check(response: httpx.Response, url: str) -> None:
    if response.status_code != httpx.codes.OK:
        raise UpdateError(f"{_safe(url)}: HTTP {response.status_code}")


def _safe(url: str) -> str:
    """The URL without credentials or query (which may carry tokens)."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))
