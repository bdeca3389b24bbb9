"""The HTML report: one offline file, rendered in headless Chromium with the network cut off."""

import html as html_lib
import re
import shutil
import socketserver
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from seawall.report.scan.html import render_html
from tests.report.scan.policyresult import DECIDED
from tests.report.scan.scanresult import HTTP2, SECRETS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_OWN = (".google.com", ".googleapis.com", ".gvt1.com")
"""Chromium's own component-update, clock and account services, which it calls whatever
the page is (despite --disable-component-update); no page content can cause them."""
_HOST = re.compile(r"^(?:CONNECT ([^:/ ]+)|[A-Z]+ https?://([^:/ ]+))")


def page_loads(requests: list[str]) -> list[str]:
    """The proxied requests that did not come from Chromium's own services."""
    out = []
    for line in requests:
        match = _HOST.match(line)
        host = (match.group(1) or match.group(2)) if match else ""
        if not host or not ("." + host).endswith(CHROMIUM_OWN):
            out.append(line)
    return out


def _evil_result() -> object:
    evil = replace(HTTP2, summary='<script>alert(1)</script><img src="https://evil.example/x">')
    return replace(
        DECIDED, vulnerabilities=(*DECIDED.vulnerabilities, replace(evil, fingerprint="f" * 64))
    )


def test_the_file_is_self_contained_and_escapes_everything() -> None:
    page = render_html(_evil_result())  # type: ignore[arg-type]
    # No external resource of any kind: nothing with src/href, no url(), no @import.
    assert not re.search(r"""\s(src|href)\s*=""", page)
    assert "url(" not in page and "@import" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page.replace("https://evil.example", "")
    assert "<script>alert(1)" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for secret in SECRETS:
        assert secret not in page


class _Recorder(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    requests: list[str]


class _Proxy(socketserver.StreamRequestHandler):
    """Records the request line of anything Chromium tries to fetch, then refuses it."""

    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        if line:
            self.server.requests.append(line)  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy() -> Iterator[_Recorder]:
    """A recording proxy on 127.0.0.1: every load the page attempts goes here."""
    server = _Recorder(("127.0.0.1", 0), _Proxy)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _chromium(
    tmp_path: Path, page: Path, proxy: _Recorder, *extra: str
) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    port = proxy.server_address[1]
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            # Every network load goes to the recording proxy; no name resolves directly.
            f"--proxy-server=http://127.0.0.1:{port}",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=3000",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/setup installs it)"
)
def test_chromium_renders_the_page_and_its_charts_offline(tmp_path: Path, proxy: _Recorder) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(DECIDED), encoding="utf-8")
    done = _chromium(tmp_path, page, proxy, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    # The whole document rendered: the last element and the script-built state are there.
    assert dom.rstrip().endswith("</html>")
    assert 'id="verdict" class="verdict failed"' in dom
    assert '<span id="grade" class="grade"' in dom
    for chart in ("chart-severity", "chart-risk", "chart-layers"):
        match = re.search(rf'<svg id="{chart}".*?</svg>', dom, re.S)
        assert match, chart
        bars = re.findall(
            r'<rect class="bar" data-label="([^"]*)" data-value="(\d+)"', match.group(0)
        )
        assert bars and sum(int(v) for _, v in bars) == 13  # the unsuppressed findings
    rows = re.findall(r"<tr class=\"[^\"]*\"><td", dom)
    assert len(rows) == 16  # every finding, suppressed ones included
    assert html_lib.escape("upgrade libwebp7 1.2.4-0.2 → 1.2.4-0.2+deb12u1") in dom
    screenshot = tmp_path / "shot.png"
    shot = _chromium(tmp_path, page, proxy, f"--screenshot={screenshot}", "--window-size=1280,1600")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000
    # Nothing was fetched: any load would have reached the recording proxy.
    assert page_loads(proxy.requests) == []


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/setup installs it)"
)
def test_a_page_that_loads_from_the_network_is_caught(tmp_path: Path, proxy: _Recorder) -> None:
    """The check above can fail: the same set-up records an external load."""
    page = tmp_path / "loads.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="https://cdn.example.com/x.png">'
        '<p id="done">done</p></body></html>'
    )
    done = _chromium(tmp_path, page, proxy, "--dump-dom")
    assert done.returncode == 0
    assert 'id="done"' in done.stdout
    assert any("cdn.example.com" in line for line in page_loads(proxy.requests)), proxy.requests
