"""`seawall db import|update|export|status`: the local vulnerability database.

The store is `$SEAWALL_DB`, else `<cache>/db/seawall.db` (cache:
`$SEAWALL_CACHE_DIR` or `~/.cache/seawall`). Every command that changes it
builds a new file and swaps it in, so an interrupted one changes nothing.
"""

import argparse
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.common import default_cache_dir, exits_cleanly, print_stderr
from seawall.cli.parser import (
    HANDLER,
    SeawallParser,
    add_cache_dir,
    add_format,
    shows_help,
)
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.vulndb.writer import SourceReport

# Each command imports the part of the store it drives inside its body: building
# this group must not load the importers, the updater's HTTP client or the bundle
# signer (docs/architecture.md, "Start-up").

MAX_PROBLEMS_SHOWN = 20
DEFAULT_MAX_AGE_DAYS = 7
"""`vulndb.staleness.DEFAULT_MAX_AGE` in days, written out: that module imports the
scan model, which `--help` need not load (tests/cli/test_startup.py checks they agree)."""
MAX_AGE_LIMIT_DAYS = 36500

IMPORT_HELP = "Import OSV data, KEV and EPSS into the store (or replace it with a bundle)."
UPDATE_HELP = "Fetch OSV exports (incrementally after the first time), CISA KEV and EPSS."
EXPORT_HELP = "Write the store as a bundle for an offline site."
STATUS_HELP = "Show the store's sources, record counts and the age of each source."


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


def configure(parser: argparse.ArgumentParser) -> None:
    """`seawall db` and its four subcommands."""
    parser.set_defaults(**{HANDLER: shows_help(parser)})
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=SeawallParser
    )

    importing = commands.add_parser(
        "import",
        help=IMPORT_HELP,
        description=IMPORT_HELP,
        usage="%(prog)s [options] [PATH ...] | %(prog)s --bundle FILE [options]",
        intermixed=True,
    )
    importing.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="OSV all.zip exports, directories of OSV JSON, OSV JSON files, the CISA KEV "
        "JSON, EPSS CSV(.gz) files.",
    )
    importing.add_argument(
        "--bundle", type=Path, metavar="FILE", help="Import a bundle made by `db export`."
    )
    importing.add_argument(
        "--verify-key",
        type=Path,
        metavar="FILE",
        help="Ed25519 public key (PEM); refuse bundles it did not sign.",
    )
    importing.add_argument(
        "--source", metavar="NAME", help="Source name for the records (default: from the path)."
    )
    importing.add_argument(
        "--fresh",
        action="store_true",
        help="Start from an empty store instead of the current one.",
    )
    _add_store_options(importing)
    importing.set_defaults(**{HANDLER: import_command})

    updating = commands.add_parser(
        "update", help=UPDATE_HELP, description=UPDATE_HELP, usage="%(prog)s [options]"
    )
    updating.add_argument(
        "-e",
        "--ecosystem",
        action="append",
        metavar="NAME",
        help="OSV ecosystem export to fetch (PyPI, npm, Debian:12 …); repeatable. "
        "Default: those in --sbom, else those already in the store.",
    )
    updating.add_argument(
        "--sbom",
        type=Path,
        metavar="FILE",
        help="Fetch the ecosystems this SBOM's packages need.",
    )
    updating.add_argument(
        "--offline", action="store_true", help="Do not touch the network: report and exit."
    )
    updating.add_argument("--no-kev", action="store_true", help="Skip CISA KEV.")
    updating.add_argument("--no-epss", action="store_true", help="Skip EPSS.")
    _add_store_options(updating)
    updating.set_defaults(**{HANDLER: update_command})

    exporting = commands.add_parser(
        "export",
        help=EXPORT_HELP,
        description=EXPORT_HELP,
        usage="%(prog)s --bundle FILE [options]",
    )
    exporting.add_argument(
        "--bundle",
        type=Path,
        required=True,
        metavar="FILE",
        help="The bundle file to write (a tar).",
    )
    exporting.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="Ed25519 private key (PEM, PKCS#8) to sign the bundle.",
    )
    _add_store_options(exporting)
    exporting.set_defaults(**{HANDLER: export_command})

    status = commands.add_parser(
        "status", help=STATUS_HELP, description=STATUS_HELP, usage="%(prog)s [options]"
    )
    add_format(status, StatusFormat, StatusFormat.table)
    status.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help="Warn about sources not updated for this many days. [default: %(default)s]",
    )
    _add_store_options(status, quiet=False)
    status.set_defaults(**{HANDLER: status_command})


def _add_store_options(parser: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="The store file (default $SEAWALL_DB or <cache>/db/seawall.db).",
    )
    add_cache_dir(parser)
    if quiet:
        parser.add_argument("-q", "--quiet", action="store_true", help="Print only errors.")


def _store(db: Path | None, cache_dir: Path | None) -> Path:
    from seawall.vulndb.store import default_store_path

    return db or default_store_path(cache_dir or default_cache_dir())


@exits_cleanly
def import_command(
    *,
    paths: list[Path],
    bundle: Path | None,
    verify_key: Path | None,
    source: str | None,
    fresh: bool,
    db: Path | None,
    cache_dir: Path | None,
    quiet: bool,
) -> int:
    """Import OSV data, KEV and EPSS into the store (or replace it with a bundle)."""
    from seawall.vulndb.bundle import import_bundle
    from seawall.vulndb.importer import import_paths

    store = _store(db, cache_dir)
    if bundle is not None:
        if paths:
            raise InputError("give either --bundle or paths to import, not both")
        info = import_bundle(bundle, store, verify_key=verify_key)
        if not quiet:
            state = "signature verified" if info.verified else "not signature-checked"
            print(
                f"imported bundle {bundle} (created {info.created}, {info.size} bytes, "
                f"SHA-256 {info.sha256[:16]}…, {state}) into {store}"
            )
        return 0
    if verify_key is not None:
        raise InputError("--verify-key applies only to --bundle")
    if not paths:
        raise InputError("nothing to import: give paths, or --bundle FILE")
    reports = import_paths(store, paths, source=source, fresh=fresh)
    _print_reports(reports, quiet=quiet)
    if not quiet:
        print(f"store: {store}")
    return 0


@exits_cleanly
def update_command(
    *,
    ecosystem: list[str] | None,
    sbom: Path | None,
    offline: bool,
    no_kev: bool,
    no_epss: bool,
    db: Path | None,
    cache_dir: Path | None,
    quiet: bool,
) -> int:
    """Fetch OSV exports (incrementally after the first time), CISA KEV and EPSS."""
    from seawall.limits import Limits
    from seawall.pipeline.sbom import sbom as run_sbom
    from seawall.source.base import SourceOptions
    from seawall.vulndb.update import Feeds, ecosystems_for, update

    store = _store(db, cache_dir)
    if offline:
        if not quiet:
            print(f"offline: {store} was not updated")
        return 0
    chosen = list(ecosystem or [])
    if sbom is not None:
        result = run_sbom(f"sbom:{sbom}", SourceOptions(limits=Limits.from_env()))
        chosen.extend(name for name in ecosystems_for(result.inventory) if name not in chosen)
        if not chosen:
            raise InputError(f"{sbom}: no packages that OSV has an ecosystem for")
    outcomes = update(
        store, ecosystems=chosen or None, feeds=Feeds.from_env(), kev=not no_kev, epss=not no_epss
    )
    if quiet:
        return 0
    for outcome in outcomes:
        if outcome.report is None:
            print(f"{outcome.source}: {outcome.action}")
        else:
            print(f"{outcome.source}: {outcome.action}; {_summary(outcome.report)}")
            _print_problems(outcome.report)
    return 0


@exits_cleanly
def export_command(
    *,
    bundle: Path,
    sign_key: Path | None,
    db: Path | None,
    cache_dir: Path | None,
    quiet: bool,
) -> int:
    """Write the store as a bundle for an offline site."""
    from seawall.vulndb.bundle import export_bundle

    info = export_bundle(_store(db, cache_dir), bundle, sign_key=sign_key)
    if not quiet:
        signed = "signed" if info.signed else "unsigned"
        print(f"wrote {bundle} ({info.size} bytes, SHA-256 {info.sha256[:16]}…, {signed})")
    return 0


@exits_cleanly
def status_command(
    *,
    output_format: StatusFormat,
    max_age: float,
    db: Path | None,
    cache_dir: Path | None,
) -> int:
    """Show the store's sources, record counts and the age of each source."""
    import math
    from datetime import UTC, datetime, timedelta

    from seawall.vulndb.staleness import describe_age, staleness_warnings
    from seawall.vulndb.store import VulnStore
    from seawall.vulndb.timestamps import instant

    # NaN, infinity and centuries would only overflow the date arithmetic below.
    if not (math.isfinite(max_age) and 0 < max_age <= MAX_AGE_LIMIT_DAYS):
        raise InputError(
            f"--max-age must be a positive number of days, at most {MAX_AGE_LIMIT_DAYS}"
        )
    with VulnStore(_store(db, cache_dir)) as store:
        info = store.info()
        total = store.record_count()
    warnings = staleness_warnings(info, timedelta(days=max_age))
    if output_format is StatusFormat.json:
        document = {
            "location": info.location,
            "schema_version": info.schema_version,
            "records": total,
            "sources": [
                {
                    "name": s.name,
                    "records": s.records,
                    "updated": s.updated,
                    "data_as_of": s.data_as_of,
                }
                for s in info.sources
            ],
            "warnings": warnings,
        }
        print(json.dumps(document, indent=2))
        return 0
    # rich only for the table; what the store holds goes in as Text, never markup.
    from rich.console import Console
    from rich.table import Table

    from seawall.report.cells import text_cell

    now = datetime.now(UTC)
    table = Table(
        title=text_cell(f"{info.location} (schema {info.schema_version}, {total} records)")
    )
    for column in ("source", "records", "updated", "age", "data as of"):
        table.add_column(column, justify="right" if column == "records" else "left")
    for s in info.sources:
        age = describe_age(now - instant(s.updated)) if s.updated else "never"
        row = (s.name, str(s.records), s.updated or "", age, s.data_as_of or "")
        table.add_row(*map(text_cell, row))
    Console().print(table)
    for warning in warnings:
        print_stderr(f"seawall: warning: {warning}")
    return 0


def _print_reports(reports: "list[SourceReport]", *, quiet: bool) -> None:
    for report in reports:
        if not quiet:
            print(f"{report.source}: {_summary(report)}")
        _print_problems(report)


def _summary(report: "SourceReport") -> str:
    parts = [f"{report.records} records", f"{report.imported} read"]
    if report.withdrawn:
        parts.append(f"{report.withdrawn} withdrawn")
    if report.removed:
        parts.append(f"{report.removed} removed")
    parts.append(f"{report.malformed_count} malformed")
    return ", ".join(parts)


def _print_problems(report: "SourceReport") -> None:
    for problem in report.malformed[:MAX_PROBLEMS_SHOWN]:
        named = f" ({problem.record_id})" if problem.record_id else ""
        print_stderr(f"seawall: skipped {problem.where}{named}: {problem.reason}")
    hidden = report.malformed_count - min(len(report.malformed), MAX_PROBLEMS_SHOWN)
    if hidden > 0:
        print_stderr(f"seawall: … and {hidden} more malformed in {report.source}")
