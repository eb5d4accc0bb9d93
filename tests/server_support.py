"""The app served by a real gunicorn in a subprocess (no tests here), for what only a running
server shows: its access log, or the answers while the database is down."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Server:
    port: int
    access_log: Path

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()


@contextmanager
def gunicorn(
    database_url: str, folder: Path, port: int | None = None, **settings: str
) -> Iterator[Server]:
    """One gunicorn worker with the production configuration on loopback (a free port unless
    one is given: a server brought back on its old address)."""
    server = Server(port or free_port(), folder / "access.log")
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="nur-fuer-tests", **settings)
    command = [
        *(sys.executable, "-m", "gunicorn", "--workers", "1"),
        *("--bind", f"127.0.0.1:{server.port}", "--access-logfile", str(server.access_log)),
        "wsgi:app",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_until_listening(server.port, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")
