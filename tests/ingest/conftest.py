"""Shared fixtures of the ingest tests."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        _Recorder.hits.append(self.path)
        body = b'<!ENTITY leak "FETCHED">'  # what an external DTD or entity would bring
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_spy() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that serves an entity declaration to whoever asks and
    records every request: (its base URL, the paths requested)."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    finally:
        server.shutdown()
        server.server_close()
