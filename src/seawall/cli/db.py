"""`seawall db import|update|export|status`: the local vulnerability database.

The store is `$SEAWALL_DB`, else `<cache>/db/seawall.db` (cache:
`$SEAWALL_CACHE_DIR` or `~/.cache/seawall`). Every command that changes it
builds a new file and swaps it in, so an interrupted one changes nothing.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seawall.cli.common import default_cache_dir, exits_cleanly, stderr_console
from seawall.errors import InputError

if TYPE_CHECKING:
    from seawall.vulndb.writer import SourceReport

# Each command imports the part of the store it drives inside its body: `seawall
# sbom` mounts this group too, and must not pay for loading the importers, the
# updater's HTTP client or the bundle signer (docs/architecture.md, "Start-up").

db_app = typer.Typer(
    name="db",
    help="The local vulnerability database: import, update, export, status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

MAX_PROBLEMS_SHOWN = 20
DEFAULT_MAX_AGE_DAYS = 7
"""`vulndb.staleness.DEFAULT_MAX_AGE` in days, written out: that module imports the
scan model, which `--help` need not load (tests/cli/test_startup.py checks they agree)."""


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="The store file (default $SEAWALL_DB or <cache>/db/seawall.db)."),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Cache directory (default $SEAWALL_CACHE_DIR or ~/.cache/seawall).",
        file_okay=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]


def _store(db: Path | None, cache_dir: Path | None) -> Path:
    from seawall.vulndb.store import default_store_path

    return db or default_store_path(cache_dir or default_cache_dir())


@db_app.command("import")
@exits_cleanly
def import_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="OSV all.zip exports, directories of OSV JSON, OSV JSON files, the CISA KEV "
            "JSON, EPSS CSV(.gz) files."
        ),
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Import a bundle made by `db export`.")
    ] = None,
    verify_key: Annotated[
        Path | None,
        typer.Option(
            "--verify-key", help="Ed25519 public key (PEM); refuse bundles it did not sign."
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Source name for the records (default: from the path)."),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start from an empty store instead of the current one.")
    ] = False,
    db: DbOption = None,
    cache_dir: CacheDirOption = None,
    quiet: QuietOption = False,
) -> None:
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
            typer.echo(
                f"imported bundle {bundle} (created {info.created}, {info.size} bytes, "
                f"SHA-256 {info.sha256[:16]}…, {state}) into {store}"
            )
        return
    if verify_key is not None:
        raise InputError("--verify-key applies only to --bundle")
    if not paths:
        raise InputError("nothing to import: give paths, or --bundle FILE")
    reports = import_paths(store, paths, source=source, fresh=fresh)
    _print_reports(reports, quiet=quiet)
    if not quiet:
        typer.echo(f"store: {store}")


@db_app.command("update")
@exits_cleanly
def update_command(
    ecosystem: Annotated[
        list[str] | None,
        typer.Option(
            "--ecosystem",
            "-e",
            help="OSV ecosystem export to fetch (PyPI, npm, Debian:12 …); repeatable. "
            "Default: those in --sbom, else those already in the store.",
        ),
    ] = None,
    sbom: Annotated[
        Path | None,
        typer.Option("--sbom", help="Fetch the ecosystems this SBOM's packages need."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not touch the network: report and exit.")
    ] = False,
    no_kev: Annotated[bool, typer.Option("--no-kev", help="Skip CISA KEV.")] = False,
    no_epss: Annotated[bool, typer.Option("--no-epss", help="Skip EPSS.")] = False,
    db: DbOption = None,
    cache_dir: CacheDirOption = None,
    quiet: QuietOption = False,
) -> None:
    """Fetch OSV exports (incrementally after the first time), CISA KEV and EPSS."""
    from seawall.limits import Limits
    from seawall.pipeline.sbom import sbom as run_sbom
    from seawall.source.base import SourceOptions
    from seawall.vulndb.update import Feeds, ecosystems_for, update

    store = _store(db, cache_dir)
    if offline:
        if not quiet:
            typer.echo(f"offline: {store} was not updated")
        return
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
        return
    for outcome in outcomes:
        if outcome.report is None:
            typer.echo(f"{outcome.source}: {outcome.action}")
        else:
            typer.echo(f"{outcome.source}: {outcome.action}; {_summary(outcome.report)}")
            _print_problems(outcome.report)


@db_app.command("export")
@exits_cleanly
def export_command(
    bundle: Annotated[Path, typer.Option("--bundle", help="The bundle file to write (a tar).")],
    sign_key: Annotated[
        Path | None,
        typer.Option("--sign-key", help="Ed25519 private key (PEM, PKCS#8) to sign the bundle."),
    ] = None,
    db: DbOption = None,
    cache_dir: CacheDirOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write the store as a bundle for an offline site."""
    from seawall.vulndb.bundle import export_bundle

    info = export_bundle(_store(db, cache_dir), bundle, sign_key=sign_key)
    if not quiet:
        signed = "signed" if info.signed else "unsigned"
        typer.echo(f"wrote {bundle} ({info.size} bytes, SHA-256 {info.sha256[:16]}…, {signed})")


@db_app.command("status")
@exits_cleanly
def status_command(
    output_format: Annotated[
        StatusFormat, typer.Option("--format", "-f", help="Output format.")
    ] = StatusFormat.table,
    max_age: Annotated[
        float,
        typer.Option("--max-age", help="Warn about sources not updated for this many days."),
    ] = DEFAULT_MAX_AGE_DAYS,
    db: DbOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """Show the store's sources, record counts and the age of each source."""
    from datetime import UTC, datetime, timedelta

    from rich.console import Console
    from rich.table import Table

    from seawall.vulndb.staleness import describe_age, staleness_warnings
    from seawall.vulndb.store import VulnStore
    from seawall.vulndb.timestamps import instant

    if max_age <= 0:
        raise InputError("--max-age must be a positive number of days")
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
        typer.echo(json.dumps(document, indent=2))
        return
    now = datetime.now(UTC)
    table = Table(title=f"{info.location} (schema {info.schema_version}, {total} records)")
    for column in ("source", "records", "updated", "age", "data as of"):
        table.add_column(column, justify="right" if column == "records" else "left")
    for s in info.sources:
        age = describe_age(now - instant(s.updated)) if s.updated else "never"
        table.add_row(s.name, str(s.records), s.updated or "", age, s.data_as_of or "")
    Console().print(table)
    for warning in warnings:
        stderr_console().print(
            f"seawall: warning: {warning}", markup=False, highlight=False, soft_wrap=True
        )


def _print_reports(reports: "list[SourceReport]", *, quiet: bool) -> None:
    for report in reports:
        if not quiet:
            typer.echo(f"{report.source}: {_summary(report)}")
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
        stderr_console().print(
            f"seawall: skipped {problem.where}{named}: {problem.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    hidden = report.malformed_count - min(len(report.malformed), MAX_PROBLEMS_SHOWN)
    if hidden > 0:
        stderr_console().print(
            f"seawall: … and {hidden} more malformed in {report.source}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
