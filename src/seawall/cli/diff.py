"""`seawall diff OLD NEW`: what a change introduced, fixed and kept.

OLD and NEW are saved results (`seawall scan --format json` files) or any
TARGET, which is scanned first with the local vulnerability database.
Exit code 1 with `--fail-on-new` when the change introduced a finding.
"""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seawall.cli.common import (
    CacheDirOption,
    InsecureOption,
    OutputOption,
    PlatformOption,
    QuietOption,
    default_cache_dir,
    exits_cleanly,
)
from seawall.cli.settings import ConfigOption, choose, command_settings, insecure_for

if TYPE_CHECKING:
    from seawall.model.scan import ScanResult
    from seawall.pipeline.scan import ScanSettings
    from seawall.source.base import SourceOptions

EXIT_INTRODUCED = 1


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def _load(
    target: str, options: "SourceOptions", settings: "ScanSettings", quiet: bool
) -> "ScanResult":
    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.scan import scan
    from seawall.source.scanresult import looks_like_scan_result, read_scan_result

    path = Path(target)
    if path.is_file() and looks_like_scan_result(path):
        return read_scan_result(path, options.limits)
    with stderr_progress(quiet=quiet) as progress:
        return scan(target, options.with_progress(progress), settings)


@exits_cleanly
def diff_command(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The before: a saved JSON result or any TARGET.")],
    new: Annotated[str, typer.Argument(help="The after: a saved JSON result or any TARGET.")],
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = DiffFormat.table,
    output: OutputOption = None,
    fail_on_new: Annotated[
        bool, typer.Option("--fail-on-new", help="Exit with 1 when the change introduced findings.")
    ] = False,
    db: Annotated[
        Path | None, typer.Option("--db", help="Vulnerability database for TARGETs.")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never download.")] = False,
    platform: PlatformOption = None,
    insecure: InsecureOption = False,
    quiet: QuietOption = False,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
) -> None:
    """What NEW introduced, fixed and kept compared with OLD, by layer."""
    from seawall.diff import diff
    from seawall.limits import Limits
    from seawall.pipeline.scan import ScanSettings
    from seawall.report.diff import render_diff_json, render_diff_markdown, render_diff_text
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform
    from seawall.vulndb.store import default_store_path

    configured = command_settings(config)
    platform = choose(ctx, "platform", platform, configured.platform)
    cache = choose(ctx, "cache_dir", cache_dir, configured.cache_dir) or default_cache_dir()
    db = choose(ctx, "db", db, configured.db)
    offline = choose(ctx, "offline", offline, configured.offline)

    def options(target: str) -> "SourceOptions":
        return SourceOptions(
            platform=parse_platform(platform) if platform else None,
            insecure=insecure_for(target, insecure, configured.insecure_registries),
            cache_dir=cache,
            limits=Limits.from_env(),
        )

    settings = ScanSettings(db_path=db or default_store_path(cache), offline=offline)
    change = diff(
        _load(old, options(old), settings, quiet), _load(new, options(new), settings, quiet)
    )
    render = {
        DiffFormat.table: render_diff_text,
        DiffFormat.json: render_diff_json,
        DiffFormat.markdown: render_diff_markdown,
    }[output_format]
    text = render(change)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    if fail_on_new and change.introduced:
        raise typer.Exit(EXIT_INTRODUCED)
