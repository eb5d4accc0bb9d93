"""A second city ("Stadt B") for the exchange tests: its own database in the project's PostGIS
cluster, set up by its own CLI, served by a real gunicorn on loopback. Its back office acts
through its own service layer in a subprocess. A relay on loopback can swallow one answer, as
a network that fails after the peer has stored the request would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.server_support import ROOT, Server, gunicorn

# East of the demo city's districts (7.17° E): Stadt B's district and A's body area for it.
AREA = [[7.18, 51.13], [7.25, 51.13], [7.25, 51.20], [7.18, 51.20], [7.18, 51.13]]
IN_B = (51.16, 7.21)  # lat, lon


def area_geojson() -> str:
    polygon = {"type": "Polygon", "coordinates": [AREA]}
    feature = {"type": "Feature", "properties": {"name": "Stadt B", "code": "b"}}
    return json.dumps({"type": "FeatureCollection", "features": [feature | {"geometry": polygon}]})


@dataclass
class CityB:
    url: str  # SQLAlchemy URL of its database
    key: str  # the Open311 key B gave us
    folder: Path
    server: Server | None = None
    _running: ExitStack = field(default_factory=ExitStack)

    @property
    def open311_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}/open311/v2"

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def env(self) -> dict[str, str]:
        return dict(
            os.environ, DATABASE_URL=self.url, FLASK_APP="wsgi.py", SECRET_KEY="stadt-b-test"
        )

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(_plain(self.url)) as connection:
            return connection.execute(sql, params).fetchall()

    def back_office(self, case_number: str, status: str, note: str) -> None:
        """B's staff set a status with a public note, through B's own service layer."""
        script = (
            "from app import create_app\n"
            "from app.extensions import db\n"
            "from app.models import Report, Status, User\n"
            "from app.staff.actions import change_status\n"
            "app = create_app()\n"
            "with app.test_request_context('http://stadt-b.example/'):\n"
            f"    report = db.session.query(Report).filter_by(case_number={case_number!r}).one()\n"
            "    user = db.session.query(User).filter_by(role='admin').first()\n"
            f"    change_status(user, report, report.version, Status({status!r}), {note!r}, True)\n"
            "    db.session.commit()\n"
        )
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=self.env(), check=True)

    def start(self, port: int | None = None) -> None:
        """Serve B (again on `port`, when given)."""
        settings = {"PUBLISHING": "immediate"}
        self._running = ExitStack()
        self.server = self._running.enter_context(gunicorn(self.url, self.folder, port, **settings))

    def stop(self) -> None:
        self._running.close()


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_city_b(test_url: str, folder: Path) -> CityB:
    """A fresh database next to the test database, migrated, with the demo categories, one
    district (its whole area) and an Open311 key for us."""
    url = make_url(test_url)
    name = f"{url.database}_stadt_b"
    with psycopg.connect(_plain(test_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    city = CityB(url.set(database=name).render_as_string(hide_password=False), "", folder)
    city.flask("db", "upgrade")
    city.flask("demo", "load")
    districts = folder / "stadt-b.geojson"
    districts.write_text(area_geojson())
    city.flask(
        *("districts", "import", str(districts), "--name-field", "name", "--code-field", "code"),
        "--replace",
    )
    city.flask("demo", "accounts")
    city.key = city.flask("open311", "create-key", "Stadt A").strip().splitlines()[-1]
    return city


class FakePeer:
    """A peer that answers what a test sets, for answers no Mängelmelder gives (garbage, an
    unknown status, a server error): path -> (HTTP status, body)."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self) -> None:
                status, body = peer.answers.get(self.path.split("?")[0], (404, b"[]"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/open311/v2"
        self.set("services.json", 200, [{"service_code": "licht", "service_name": "Licht"}])
        self.set("requests.json", 400, [{"code": 400, "description": "service_code: Fehlt."}])

    def set(self, name: str, status: int, answer: object) -> None:
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self.answers[f"/open311/v2/{name}"] = (status, body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Relay:
    """A TCP relay on loopback to `port`: passes requests on; with `swallow` set, the next
    answer is read from the peer and dropped, and the caller's connection closed instead."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.swallow = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pass, args=(client,), daemon=True).start()

    def _pass(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.port)) as peer:
            client.settimeout(5)
            request = _read_http(client)
            peer.sendall(request)
            answer = _read_until_closed(peer)
            if self.swallow:
                self.swallow = False
                return  # the peer has done its work; the caller never hears of it
            client.sendall(answer)

    def close(self) -> None:
        self.listener.close()


def _read_http(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += connection.recv(65536)
    # One request per connection: the peer closes after answering.
    head = b"\r\n".join(
        line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
    )
    return head + b"\r\nConnection: close\r\n\r\n" + body


def _read_until_closed(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
