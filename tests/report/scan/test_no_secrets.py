"""Image config env values, and build-argument values in the history, appear in no format."""

import io
from dataclasses import replace

import pytest
from rich.console import Console

from seawall.model.image import HistoryEntry
from seawall.report.scan import ScanReportOptions, render_json, render_sarif, render_table
from seawall.report.scan.common import Redactor, short_created_by, with_masked_steps
from tests.report.scan.scanresult import IMAGE, RESULT, SECRETS


def table_text(width: int) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO(), record=True)
    console.print(render_table(RESULT, ScanReportOptions(show_reasons=True)))
    return console.export_text()


@pytest.mark.parametrize(
    "render",
    [
        render_json,
        render_sarif,
        lambda result: table_text(400),
        lambda result: table_text(80),
    ],
    ids=["json", "sarif", "table-wide", "table-narrow"],
)
def test_no_secret_is_rendered(render) -> None:  # type: ignore[no-untyped-def]
    # The fixture's history spells every secret out: a build argument on
    # layer 2, the database password inside a RUN line on layer 4.
    assert any(SECRETS[0] in (layer.created_by or "") for layer in IMAGE.layers)
    assert any(SECRETS[2] in (layer.created_by or "") for layer in IMAGE.layers)
    out = render(RESULT)
    for secret in SECRETS:
        assert secret not in out
    assert "hunter2" not in out


def test_redactor_masks_env_values_and_build_arguments() -> None:
    redactor = Redactor.for_image(IMAGE)
    assert redactor.redact(IMAGE.layers[2].created_by or "") == (
        "RUN |1 PIP_INDEX_TOKEN=*** /bin/sh -c pip install --no-cache-dir"
        " -r /app/requirements.txt # buildkit"
    )
    assert redactor.redact("|2 A=x B=y /bin/sh -c make") == "|2 A=*** B=*** /bin/sh -c make"
    assert redactor.redact('psql "postgres://shop:hunter2-Vq9xL3@db/shop"') == (
        'psql "postgres://shop:***@db/shop"'
    )
    # Values too short to be credentials (DEBUG=1) are left alone.
    assert redactor.redact("sleep 1") == "sleep 1"


@pytest.mark.parametrize(
    ("created_by", "step"),
    [
        ("/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"),
        ("/bin/sh -c apt-get update", "RUN apt-get update"),
        ("|1 TOKEN=x /bin/sh -c make", "RUN make"),
        ("RUN |1 TOKEN=x /bin/sh -c make # buildkit", "RUN make"),
        ("COPY app/ /app # buildkit", "COPY app/ /app"),
        ("RUN apt-get   install\n -y curl # buildkit", "RUN apt-get install -y curl"),
        ("", ""),
    ],
)
def test_short_created_by(created_by: str, step: str) -> None:
    assert short_created_by(created_by) == step


def test_masked_steps_carry_no_secret_in_layers_or_history() -> None:
    steps = [layer.created_by or "" for layer in IMAGE.layers]
    assert any(SECRETS[0] in step for step in steps)
    history = (HistoryEntry(created_by=steps[2]), HistoryEntry(created_by=None))
    masked = with_masked_steps(replace(IMAGE, history=history))
    texts = [layer.created_by or "" for layer in masked.layers]
    texts += [entry.created_by or "" for entry in masked.history]
    assert all(secret not in text for secret in SECRETS for text in texts)
    assert masked.history[0].created_by == Redactor.for_image(IMAGE).redact(steps[2])
    assert masked.history[1].created_by is None
