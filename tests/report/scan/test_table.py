"""The rich table: risk order, columns, summary, reasons, width, hostile text."""

import io
from dataclasses import replace

import pytest
from rich.cells import cell_len
from rich.console import Console

from seawall.model.package import CatalogerStatus, Inventory
from seawall.model.scan import ScanResult
from seawall.report.scan import ScanReportOptions, render_table
from tests.report.scan.goldens import check_golden
from tests.report.scan.scanresult import IMAGE, MARVIN, RESULT, RISK_ORDER, RSA


def render(
    result: ScanResult = RESULT, width: int = 160, options: ScanReportOptions | None = None
) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO(), record=True)
    console.print(render_table(result, options))
    return console.export_text()


def test_golden_wide_with_reasons() -> None:
    check_golden("table-160-reasons.txt", render(options=ScanReportOptions(show_reasons=True)))


def test_golden_narrow() -> None:
    check_golden("table-80.txt", render(width=80))


@pytest.mark.parametrize("width", [60, 72, 80, 100, 109, 110, 130, 150, 200])
def test_fits_the_width_and_keeps_every_id_and_score_whole(width: int) -> None:
    out = render(width=width)
    assert max(cell_len(line) for line in out.splitlines()) <= width
    positions = [out.index(f.id) for f in RISK_ORDER]
    assert positions == sorted(positions)
    for finding in RISK_ORDER:
        assert finding.epss is None or f"{finding.epss.score * 100:.2f}%" in out
    assert "EPSS" in out and "CVSS" in out


def test_columns_layout_by_width() -> None:
    wide = render(width=160)
    assert "RUN apt-get update && apt-get i…" in wide  # layer 1's build step, shortened
    assert "ADD file:d9b2b1c8f0e1a7e3 in /" in wide
    assert "/bin/sh -c" not in wide and "buildkit" not in wide
    medium = render(width=120)
    assert "fixed in" in medium and "KEV" in medium and "RUN apt-get" not in medium
    narrow = render(width=80)
    assert "→ 1.22.1-9+deb12u11" in narrow and "layer 1" in narrow and "fixed in" not in narrow


def test_columns_respect_COLUMNS(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    monkeypatch.delenv("JUPYTER_COLUMNS", raising=False)
    console = Console(file=io.StringIO(), color_system=None, record=True)
    assert console.width == 90
    console.print(render_table(RESULT))
    lines = console.export_text().splitlines()
    assert max(cell_len(line) for line in lines) <= 90
    assert max(cell_len(line) for line in lines) > 80


def test_cells_say_what_the_finding_is() -> None:
    out = render(width=160)
    http2 = next(line for line in out.splitlines() if "CVE-2023-44487" in line)
    for cell in ("(+1)", "nginx", "1.22.1-9+deb12u9", "1.22.1-9+deb12u11", "high", "7.5"):
        assert cell in http2
    assert "94.42%" in http2 and "KEV" in http2
    glob = next(line for line in out.splitlines() if "CVE-2010-4756" in line)
    assert "no fix yet" in glob and "negligible" in glob and "KEV" not in glob
    assert "src glibc" in out and "src openssl" in out and "src nginx" not in out
    marvin = next(line for line in out.splitlines() if "CVE-2023-49092" in line)
    assert "(+3)" in marvin and " - " in marvin  # no EPSS score


def test_summary_counts_fixable_kev_and_database_age() -> None:
    out = " ".join(render(width=200).split())
    assert (
        "10 vulnerabilities in 9 packages (2 critical, 4 high, 3 medium, 1 negligible)"
        " · 8 fixable · 2 known exploited (KEV)"
        " · vulnerability data 3 days old (oldest source: kev)"
    ) in out
    assert "warning: osv:Debian:12: 3 malformed records skipped at import" in out


def test_empty_result_partial_inventory_and_no_database() -> None:
    result = ScanResult(
        image=None,
        inventory=Inventory(statuses=(CatalogerStatus("os/dpkg", 1, 1, ("status: bad line",)),)),
        vulnerabilities=(),
        database=None,
        scanned_at="2026-11-23T09:30:00Z",
    )
    out = " ".join(render(result).split())
    assert "No vulnerabilities found · no vulnerability database" in out
    assert "partial inventory" in out and "id" not in out.split()


def test_database_age_unknown_and_hours() -> None:
    assert "vulnerability data age unknown" in render(replace(RESULT, scanned_at="yesterday"))
    assert "5 hours old" in render(replace(RESULT, scanned_at="2026-11-20T11:59:59+00:00"))


def test_reasons_only_on_request() -> None:
    assert "Why they matched" not in render()
    out = " ".join(render(width=300, options=ScanReportOptions(show_reasons=True)).split())
    assert (
        "CVE-2024-5535 openssl 3.0.11-1~deb12u2: DEBIAN-CVE-2024-5535 (Debian:12 openssl)"
        " ECOSYSTEM: introduced 0, fixed 3.0.14-1~deb12u1 → 3.0.11-1~deb12u2 < 3.0.14-1~deb12u1"
        " (dpkg)"
    ) in out
    assert out.index("CVE-2023-44487 nginx 1.22.1-9+deb12u9: DEBIAN") < out.index(
        "CVE-2023-4863 libwebp7"
    )


def test_hostile_text_is_shown_not_obeyed() -> None:
    evil_package = replace(RSA, name="[bold red]rsa[/bold red]\x1b[2J", version="0.9.6\u202e")
    evil_layer = replace(IMAGE.layers[3], created_by="COPY app/ /app \x1b]0;pwned\x07")
    result = replace(
        RESULT,
        image=replace(IMAGE, layers=(*IMAGE.layers[:3], evil_layer, IMAGE.layers[4])),
        vulnerabilities=(replace(MARVIN, package=evil_package, summary="[link=x]y[/link]"),),
    )
    console = Console(width=200, color_system="truecolor", file=io.StringIO(), force_terminal=True)
    console.print(render_table(result))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold red]rsa[/bold red]\\x1b[2J" in out
    assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\u202e" not in out
    assert "\\u202e" in out and "\\x1b]0;pwned\\x07" in out
