"""Renders an `Inspection` as JSON (schema `seawall.inspect/v1`) or as rich tables.

Environment variable values are never rendered: only their names (they often
hold credentials), and wherever one appears in other text (a build step, a
command, a label) it is masked, as are the values of the build arguments a
build step records (`|1 TOKEN=… /bin/sh -c …`): the scan reports'
`Redactor`. Text from the image goes to the terminal as plain text with
control characters escaped (seawall.report.cells).
"""

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from seawall.model.image import Image, ImageConfig
from seawall.model.inspection import Inspection, LayerSummary
from seawall.report.cells import text_cell
from seawall.report.scan.common import Redactor
from seawall.report.terminal import printable

SCHEMA_ID = "seawall.inspect/v1"


def inspection_to_dict(inspection: Inspection) -> dict[str, Any]:
    """The JSON document for an inspection, as plain data."""
    image = inspection.image
    redactor = Redactor.for_image(image)
    return {
        "schema": SCHEMA_ID,
        "source": image.source_kind.value,
        "reference": image.reference,
        "repo_tags": list(image.repo_tags),
        "manifest_digest": image.manifest_digest,
        "manifest_media_type": image.manifest_media_type,
        "index_digest": image.index_digest,
        "config_digest": image.config_digest,
        "platform": str(image.platform) if image.platform else None,
        "available_platforms": [str(p) for p in image.available_platforms],
        "created": image.created,
        "author": image.author,
        "config": _config_to_dict(image.config, redactor),
        "layers": [_layer_to_dict(summary, redactor) for summary in inspection.layers],
        "history": [
            {
                "created": entry.created,
                "created_by": _redacted(redactor, entry.created_by),
                "comment": entry.comment,
                "empty_layer": entry.empty_layer,
            }
            for entry in image.history
        ],
        "files": {
            "squashed_entries": inspection.squashed_entries,
            "squashed_files": inspection.squashed_files,
        },
        "problems": [{"where": p.where, "message": p.message} for p in inspection.problems],
    }


def render_json(inspection: Inspection) -> str:
    """The inspection as indented JSON text, ending with a newline."""
    return json.dumps(inspection_to_dict(inspection), indent=2) + "\n"


def render_table(inspection: Inspection) -> RenderableType:
    """The inspection as rich renderables: an overview, the config, then the layers."""
    image = inspection.image
    redactor = Redactor.for_image(image)
    parts: list[RenderableType] = [
        _overview(image, inspection),
        _config_table(image.config, redactor),
    ]
    if inspection.layers:
        parts.append(_layers_table(inspection.layers))
    if image.history:
        parts.append(_history(image, redactor))
    if inspection.problems:
        problems = Text("Problems (the result may be incomplete):\n", style="bold yellow")
        for problem in inspection.problems:
            problems.append(f"  {printable(str(problem))}\n")
        parts.append(problems)
    return Group(*parts)


def _config_to_dict(config: ImageConfig, redactor: Redactor) -> dict[str, Any]:
    return {
        "user": config.user,
        "working_dir": config.working_dir,
        "entrypoint": _redacted_argv(redactor, config.entrypoint),
        "cmd": _redacted_argv(redactor, config.cmd),
        "env": list(config.env_names),
        "exposed_ports": list(config.exposed_ports),
        "volumes": list(config.volumes),
        "labels": {key: redactor.redact(value) for key, value in config.labels},
        "stop_signal": config.stop_signal,
        "healthcheck": _redacted_argv(redactor, config.healthcheck),
    }


def _redacted(redactor: Redactor, text: str | None) -> str | None:
    return None if text is None else redactor.redact(text)


def _redacted_argv(redactor: Redactor, argv: tuple[str, ...] | None) -> list[str] | None:
    return None if argv is None else [redactor.redact(arg) for arg in argv]


def _layer_to_dict(summary: LayerSummary, redactor: Redactor) -> dict[str, Any]:
    layer = summary.layer
    return {
        "index": layer.index,
        "digest": layer.digest,
        "diff_id": layer.diff_id,
        "media_type": layer.media_type,
        "size": layer.size,
        "uncompressed_size": summary.uncompressed_size if not layer.foreign else None,
        "entries": summary.entries,
        "files": summary.files,
        "created_by": _redacted(redactor, layer.created_by),
        "foreign": layer.foreign,
        "urls": list(layer.urls),
    }


def _overview(image: Image, inspection: Inspection) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows: list[tuple[str, str | None]] = [
        ("Reference", image.reference),
        ("Source", image.source_kind.value),
        ("Tags", ", ".join(image.repo_tags) or None),
        ("Manifest digest", image.manifest_digest),
        ("Manifest type", image.manifest_media_type),
        ("Index digest", image.index_digest),
        ("Config digest", image.config_digest),
        ("Platform", str(image.platform) if image.platform else None),
        ("Created", image.created),
        ("Layers", str(len(image.layers)) if image.layers else None),
        ("Files", f"{inspection.squashed_files} files, {inspection.squashed_entries} entries"),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, text_cell(value))
    return table


def _config_table(config: ImageConfig, redactor: Redactor) -> Table:
    table = Table(title="Config", title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows: list[tuple[str, str | None]] = [
        ("Entrypoint", _argv(_redacted_argv(redactor, config.entrypoint))),
        ("Cmd", _argv(_redacted_argv(redactor, config.cmd))),
        ("User", config.user or None),
        ("Working dir", config.working_dir or None),
        ("Exposed ports", ", ".join(config.exposed_ports) or None),
        ("Volumes", ", ".join(config.volumes) or None),
        ("Env (values hidden)", ", ".join(config.env_names) or None),
        ("Healthcheck", _argv(_redacted_argv(redactor, config.healthcheck))),
        ("Stop signal", config.stop_signal),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, text_cell(value))
    for key, value in config.labels:
        table.add_row(text_cell(f"Label {key}"), text_cell(redactor.redact(value)))
    return table


def _layers_table(layers: tuple[LayerSummary, ...]) -> Table:
    table = Table(title="Layers", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Digest / diff_id", no_wrap=True)
    table.add_column("Type", overflow="fold")
    table.add_column("Size", justify="right")
    table.add_column("Unpacked", justify="right")
    table.add_column("Files", justify="right")
    for summary in layers:
        layer = summary.layer
        digests = Text("\n".join(printable(_short(d)) for d in (layer.digest, layer.diff_id)))
        foreign = " (foreign)" if layer.foreign else ""
        table.add_row(
            str(layer.index),
            digests,
            text_cell(_short_media_type(layer.media_type) + foreign),
            _size(layer.size),
            "-" if layer.foreign else _size(summary.uncompressed_size),
            "-" if layer.foreign else str(summary.files),
        )
    return table


def _history(image: Image, redactor: Redactor) -> Text:
    """Every build step, numbered by the layer it made (or marked as making none)."""
    text = Text("History\n", style="bold")
    layer_index = 0
    for entry in image.history:
        if entry.empty_layer:
            marker = "  - "
        else:
            marker = f"{layer_index:>3} "
            layer_index += 1
        text.append(marker, style="bold")
        step = redactor.redact(entry.created_by) if entry.created_by else "(no command recorded)"
        text.append(printable(step) + "\n")
    return text


def _short_media_type(media_type: str) -> str:
    """`oci tar+gzip`, `docker tar+zstd`; unknown media types are shown whole."""
    if "vnd.oci.image.layer" in media_type:
        family = "oci"
    elif "vnd.docker.image.rootfs" in media_type:
        family = "docker"
    else:
        return media_type
    for compression in ("gzip", "zstd"):
        if media_type.endswith(compression):
            return f"{family} tar+{compression}"
    return f"{family} tar"


def _argv(argv: list[str] | None) -> str | None:
    return json.dumps(list(argv)) if argv else None


def _short(digest: str | None) -> str:
    if not digest:
        return "-"
    algorithm, _, hex_digest = digest.partition(":")
    return f"{algorithm}:{hex_digest[:12]}" if hex_digest else digest


def _size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
