"""`seawall sbom TARGET`: the package inventory, as CycloneDX, SPDX, seawall's JSON or a table."""

import argparse
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.cli.common import exits_cleanly, print_rendered, print_stderr, write_text
from seawall.cli.parser import HANDLER, add_format, add_image_options, add_output
from seawall.cli.settings import add_settings_file, command_settings, source_options

if TYPE_CHECKING:
    from collections.abc import Callable

    from seawall.model.image import Image
    from seawall.model.package import Inventory

    SbomRenderer = Callable[[Inventory, Image | None], str]

# The pipeline and each format's writer are imported when they are used: a warm
# `seawall sbom -f cyclonedx` loads neither a cataloger nor the SPDX writer nor
# rich (docs/architecture.md, "Start-up").


class SbomFormat(StrEnum):
    cyclonedx = "cyclonedx"
    spdx = "spdx"
    json = "json"
    table = "table"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="TARGET",
        help="Any TARGET of `seawall inspect`, a source tree (dir:PATH), or "
        "sbom:PATH to read a CycloneDX or SPDX document back.",
    )
    add_format(
        parser,
        SbomFormat,
        SbomFormat.table,
        "cyclonedx (CycloneDX 1.6 JSON), spdx (SPDX 2.3 JSON), json (seawall's own), or table.",
    )
    add_output(parser)
    add_image_options(parser)
    add_settings_file(parser)
    parser.set_defaults(**{HANDLER: sbom})


@exits_cleanly
def sbom(
    *,
    target: str,
    output_format: SbomFormat,
    output: Path | None,
    platform: str | None,
    insecure: bool,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
    config: Path | None,
) -> int:
    """List every OS and language package in every layer, as an SBOM."""
    from seawall.cli.progress import stderr_progress
    from seawall.pipeline.sbom import sbom as run_sbom

    options = source_options(
        command_settings(config),
        target,
        platform=platform,
        insecure=insecure,
        cache_dir=cache_dir,
        no_cache=no_cache,
    )
    with stderr_progress(quiet=quiet) as progress:
        result = run_sbom(target, options.with_progress(progress))
    if output_format is SbomFormat.table:
        from seawall.report.sbom.table import sbom_table

        print_rendered(sbom_table(result.inventory), output)
        return 0
    write_text(output, _renderer(output_format)(result.inventory, result.image) + "\n")
    if result.inventory.partial and not quiet:
        print_stderr(
            "seawall: warning: the inventory may be incomplete; see the cataloger statuses",
            highlight=True,
        )
    return 0


def _renderer(output_format: SbomFormat) -> "SbomRenderer":
    """The writer of one format, importing only its own module."""
    if output_format is SbomFormat.cyclonedx:
        from seawall.report.sbom.cyclonedx import render_cyclonedx

        return render_cyclonedx
    if output_format is SbomFormat.spdx:
        from seawall.report.sbom.spdx import render_spdx

        return render_spdx
    from seawall.report.sbom.native import render_native

    return render_native
