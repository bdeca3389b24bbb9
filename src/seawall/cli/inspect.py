"""`seawall inspect TARGET`: what an image is (manifest, platform, config, layers, history)."""

import argparse
from enum import StrEnum
from pathlib import Path

from seawall.cli.common import exits_cleanly, print_rendered, write_text
from seawall.cli.parser import HANDLER, add_format, add_image_options, add_output
from seawall.cli.settings import add_settings_file, command_settings, source_options

# The pipeline, the reporters and rich are imported by the command itself
# (docs/architecture.md, "Start-up").

TARGET_HELP = (
    "docker-archive:PATH[:NAME:TAG], oci-dir:PATH[:TAG], oci-archive:PATH[:TAG], "
    "registry:REF, dir:PATH, or a bare image reference or path."
)


class InspectFormat(StrEnum):
    table = "table"
    json = "json"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="TARGET", help=TARGET_HELP)
    add_format(parser, InspectFormat, InspectFormat.table)
    add_output(parser)
    add_image_options(parser)
    add_settings_file(parser)
    parser.set_defaults(**{HANDLER: inspect})


@exits_cleanly
def inspect(
    *,
    target: str,
    output_format: InspectFormat,
    output: Path | None,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
    config: Path | None,
) -> int:
    """Show what an image is: manifest, platform, config, layers, history and file counts."""
    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.inspect import inspect as run_inspect
    from seawall.report import inspect as inspect_report

    options = source_options(
        command_settings(config),
        target,
        platform=platform,
        insecure=insecure,
        cache_dir=cache_dir,
        no_cache=no_cache,
    )
    with stderr_progress(quiet=quiet) as progress:
        inspection = run_inspect(target, options.with_progress(progress))
    if output_format is InspectFormat.json:
        write_text(output, inspect_report.render_json(inspection))
    else:
        print_rendered(inspect_report.render_table(inspection), output)
    return 0
