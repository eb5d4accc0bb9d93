"""Twin requests for real: the same staff form (one request_key) sent twice at the same moment
— a double tap while the phone's queue replays it — to gunicorn with several threads, on a
database of its own. Exactly one of the two acts; the other waits on the key's unique index
and is answered as done, never as a conflict or an error."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.server_support import ROOT, Server, gunicorn

EMAIL, PASSWORD = "race@example.org", "lange-sichere-passphrase"
ROUNDS = 8
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def _connect(url: str):
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def race(app, tmp_path_factory) -> Iterator[tuple[Server, str]]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"{url.database}_race"
    with _connect(url.set(database="postgres").render_as_string(hide_password=False)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    database = url.set(database=name).render_as_string(hide_password=False)
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=database, SECRET_KEY="x" * 40)
    for args in (
        ["db", "upgrade"],
        ["demo", "load"],
        ["demo", "generate", "--count", "300"],
        ["users", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "admin"],
    ):
        subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    folder = tmp_path_factory.mktemp("race")
    with gunicorn(database, folder, GUNICORN_CMD_ARGS="--threads 4") as server:
        yield server, database
    with _connect(url.set(database="postgres").render_as_string(hide_password=False)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _page(opener, base: str, path: str, form: dict | None = None) -> str:
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    with opener.open(base + path, data=data, timeout=30) as answer:
        return answer.read().decode()


def _replay(opener, base: str, path: str, form: dict) -> dict:
    """As the offline queue sends: the outcome as JSON (per request, not via the session's
    flash messages, which the twins share)."""
    request = urllib.request.Request(
        base + path,
        data=urllib.parse.urlencode(form).encode(),
        headers={"X-Offline-Replay": "1", "Accept": "application/json"},
    )
    try:
        with opener.open(request, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return {"status": refused.code, **json.loads(refused.read())}


def _twins(opener, base: str, path: str, form: dict) -> list[dict]:
    """The same form sent twice at the same moment (released together by a barrier)."""
    answers: list[dict] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        answers.append(_replay(opener, base, path, form))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_twin_requests_act_once(race):
    server, database = race
    base = f"http://127.0.0.1:{server.port}"
    staff = _browser()
    token = CSRF.search(_page(staff, base, "/anmelden")).group(1)
    _page(staff, base, "/anmelden", {"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    with _connect(database) as connection:
        cases = [
            row[0]
            for row in connection.execute(
                # Any report the change to "in_progress" applies to: the 300 generated ones
                # are spread over years, so few may still be open.
                "SELECT case_number FROM reports WHERE status NOT IN ('in_progress', 'duplicate')"
                " AND body_id IS NULL ORDER BY id LIMIT %s",
                (ROUNDS,),
            )
        ]
    assert len(cases) == ROUNDS
    for case in cases:
        page = _page(staff, base, f"/staff/meldungen/{case}")
        form = {
            "csrf_token": CSRF.search(page).group(1),
            "version": VERSION.search(page).group(1),
            "status": "in_progress",
            "visibility": "internal",
            "note": "Zweimal getippt.",
            "request_key": str(uuid.uuid4()),
        }
        answers = _twins(staff, base, f"/staff/meldungen/{case}/status", form)
        assert len(answers) == 2, "a twin got no answer"
        assert [a["outcome"] for a in answers] == ["done", "done"], answers
        assert sorted(a["repeated"] for a in answers) == [False, True], answers
        assert answers[0]["version"] == answers[1]["version"]
        with _connect(database) as connection:
            changes = connection.execute(
                "SELECT count(*) FROM timeline_events e JOIN reports r ON r.id = e.report_id"
                " WHERE r.case_number = %s AND e.kind = 'status_change'"
                " AND e.status = 'in_progress'",
                (case,),
            ).fetchone()[0]
        assert changes == 1, f"{case}: {changes} status changes"
