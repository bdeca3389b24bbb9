"""Compliance reporters: golden JSON and Markdown (volatile fields masked), a self-contained
HTML file, and hostile strings that cannot break the formats."""

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from seawall.compliance import evaluate, framework
from seawall.model.compliance import ComplianceReport
from seawall.pipeline.compliance import check_refs
from seawall.report import compliance as report
from tests.compliance.scenario import FULL, NOW, result

GOLDEN = Path(__file__).parent / "golden"
UPDATE = False
"""Set True locally to rewrite the golden files, then review the diff."""


def pci_report() -> ComplianceReport:
    return evaluate(
        framework("pci-dss"), result(), check_refs(), FULL, subject="shop/web:1.4.2", now=NOW
    )


def masked_json(text: str) -> str:
    document = json.loads(text)
    document["tool"]["version"] = "<version>"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_json_matches_golden() -> None:
    check_golden("pci-dss.json", masked_json(report.render_json(pci_report())))


def test_markdown_matches_golden() -> None:
    check_golden("pci-dss.md", report.render_markdown(pci_report()))


def test_json_is_deterministic_and_complete() -> None:
    document = json.loads(report.render_json(pci_report()))
    assert document["schema"] == "seawall.compliance/v1"
    assert document["summary"] == {"fail": 5, "manual": 1, "pass": 4, "not_applicable": 1}
    controls = {c["id"]: c for c in document["controls"]}
    assert controls["6.3.3"]["status"] == "fail"
    assert [f["id"] for f in controls["6.3.3"]["findings"]] == ["CVE-2024-0001"]
    assert report.render_json(pci_report()) == report.render_json(pci_report())


def test_html_is_one_self_contained_file() -> None:
    html = report.render_html(pci_report())
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?:""", html, re.IGNORECASE)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "6.3.3" in html and "CVE-2024-0001" in html


@pytest.mark.parametrize("fmt", ["markdown", "html", "table"])
def test_hostile_strings_are_escaped(fmt: str) -> None:
    hostile = '<img src="https://evil.example/x"> | `x` \x1b[31m\nnext'
    compliance = evaluate(
        framework("cis-docker"), result(), check_refs(), FULL, subject=hostile, now=NOW
    )
    if fmt == "markdown":
        text = report.render_markdown(compliance)
        assert "<img" not in text and "\\|" in text
        assert "\nnext" not in text
    elif fmt == "html":
        text = report.render_html(compliance)
        assert "<img" not in text and "&lt;img" in text
        assert not re.search(r"""src\s*=\s*["']?\s*https?:""", text)
    else:
        console = Console(record=True, width=200, color_system=None)
        console.print(report.compliance_table(compliance))
        text = console.export_text()
        assert "\x1b" not in text and "\\x1b" in text


def test_table_lists_every_control() -> None:
    console = Console(record=True, width=200, color_system=None)
    console.print(report.compliance_table(pci_report()))
    text = console.export_text()
    for control in framework("pci-dss").controls:
        assert control.id in text
    assert "FAIL 5, MANUAL 1, PASS 4, N/A 1" in text
