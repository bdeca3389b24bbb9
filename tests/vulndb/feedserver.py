"""A real HTTP server on 127.0.0.1 serving a directory like the OSV export, with validators.

Each response carries an ETag (a digest of the body) and a Last-Modified (the
file's mtime); `If-None-Match` and `If-Modified-Since` answer 304 as a CDN
would. Every request is logged as (path, status) for the tests to inspect.
"""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class FeedServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.log: list[tuple[str, int]] = []
        self.fail_with: int | None = None
        self.url = ""

    def paths(self, status: int | None = None) -> list[str]:
        return [path for path, code in self.log if status is None or code == status]


@contextmanager
def serve(root: Path) -> Iterator[FeedServer]:
    state = FeedServer(root)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            status = self._answer(path)
            state.log.append((path, status))

        def _answer(self, path: str) -> int:
            if state.fail_with is not None:
                self.send_error(state.fail_with)
                return state.fail_with
            target = (state.root / path.lstrip("/")).resolve()
            if not target.is_relative_to(state.root.resolve()) or not target.is_file():
                self.send_error(404)
                return 404
            body = target.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            mtime = target.stat().st_mtime
            last_modified = formatdate(mtime, usegmt=True)
            if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None
                and self.headers.get("If-Modified-Since")
                and parsedate_to_datetime(self.headers["If-Modified-Since"]).timestamp()
                >= int(mtime)
            ):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return 304
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.wfile.write(body)
            return 200

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
