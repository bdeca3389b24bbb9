"""`seawall diff OLD NEW`: what a change introduced, fixed and kept.

OLD and NEW are saved results (`seawall scan --format json` files) or any
TARGET, which is scanned first with the local vulnerability database.
Exit code 1 with `--fail-on-new` when the change introduced a finding.
"""

import argparse
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.common import default_cache_dir, exits_cleanly
from seawall.cli.parser import HANDLER, add_format, add_image_options, add_output
from seawall.cli.settings import add_settings_file, choose, command_settings, insecure_for

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
        return read_scan_result(path, options.limits)  # written with its steps masked
    with stderr_progress(quiet=quiet) as progress:
        result = scan(target, options.with_progress(progress), settings)
    if result.image is None:
        return result
    # The layers' build steps are shown: masked as every report masks them.
    from seawall.report.scan.common import with_masked_steps

    return replace(result, image=with_masked_steps(result.image))


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="The before: a saved JSON result or any TARGET.")
    parser.add_argument("new", metavar="NEW", help="The after: a saved JSON result or any TARGET.")
    add_format(parser, DiffFormat, DiffFormat.table, "table, json or markdown.")
    add_output(parser)
    parser.add_argument(
        "--fail-on-new",
        action="store_true",
        help="Exit with 1 when the change introduced findings.",
    )
    parser.add_argument(
        "--db", type=Path, metavar="FILE", help="Vulnerability database for TARGETs."
    )
    parser.add_argument("--offline", action="store_true", default=None, help="Never download.")
    add_image_options(parser, no_cache=False)
    add_settings_file(parser)
    parser.set_defaults(**{HANDLER: diff_command})


@exits_cleanly
def diff_command(
    *,
    old: str,
    new: str,
    output_format: DiffFormat,
    output: Path | None,
    fail_on_new: bool,
    db: Path | None,
    offline: bool | None,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    config: Path | None,
) -> int:
    """What NEW introduced, fixed and kept compared with OLD, by layer."""
    from seawall.diff import diff
    from seawall.limits import Limits
    from seawall.pipeline.scan import ScanSettings
    from seawall.report.diff import render_diff_json, render_diff_markdown, render_diff_text
    from seawall.source.base import SourceOptions
    from seawall.source.platform import parse_platform
    from seawall.vulndb.store import default_store_path

    configured = command_settings(config)
    platform = choose(platform, configured.platform, None)
    cache = choose(cache_dir, configured.cache_dir, None) or default_cache_dir()
    db = choose(db, configured.db, None)
    offline_only = choose(offline, configured.offline, False)

    def options(target: str) -> "SourceOptions":
        return SourceOptions(
            platform=parse_platform(platform) if platform else None,
            insecure=insecure_for(target, insecure, configured.insecure_registries),
            cache_dir=cache,
            limits=Limits.from_env(),
        )

    settings = ScanSettings(db_path=db or default_store_path(cache), offline=offline_only)
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
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    if fail_on_new and change.introduced:
        return EXIT_INTRODUCED
    return 0
