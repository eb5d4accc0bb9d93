"""A tiny Open311 peer on loopback for the admin tests (no tests here): it lists two services
and accepts one key, as another Kommune's endpoint would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PEER_KEY = "geheimer-schluessel-der-nachbarstadt"
SERVICES = [
    {"service_code": "licht", "service_name": "Straßenbeleuchtung"},
    {"service_code": "S-17", "service_name": "Wilde Müllkippe"},
]


@dataclass
class Peer:
    url: str
    calls: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def open311_peer() -> Iterator[Peer]:
    """services.json lists SERVICES; an empty POST to requests.json is 400 with PEER_KEY (the
    key is fine, the request is not) and 403 with any other key."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    peer = Peer(f"http://127.0.0.1:{server.server_port}/open311/v2")
    server.peer = peer  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.peer.calls.append(("GET", urlsplit(self.path).path))  # type: ignore[attr-defined]
        if urlsplit(self.path).path.endswith("/services.json"):
            self._answer(200, SERVICES)
        else:
            self._answer(404, [{"code": 404, "description": "not found"}])

    def do_POST(self) -> None:
        self.server.peer.calls.append(("POST", urlsplit(self.path).path))  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("api_key") != [PEER_KEY]:
            self._answer(403, [{"code": 403, "description": "api_key unknown"}])
        else:
            self._answer(400, [{"code": 400, "description": "service_code missing"}])

    def _answer(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is for the tests."""
