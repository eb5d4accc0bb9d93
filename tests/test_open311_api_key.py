"""Open311 API keys travel in the POST body or the X-Api-Key header, never in the address:
addresses land in access logs. A key in the query string is refused, and any api_key=… that
reaches an access log anyway (the dev server's or gunicorn's) is masked."""

from __future__ import annotations

import logging
import threading
import urllib.request

from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Report
from tests.factories import MITTE
from tests.fixtures.open311 import BASE, POSTED_SCHEMA, check_json, errors_in_both, new_key
from tests.server_support import gunicorn

SECRET = "geheimer-schluessel-123"


def report_fields() -> dict:
    return {
        "service_code": "licht",
        "lat": str(MITTE[0]),
        "long": str(MITTE[1]),
        "description": "Laterne dunkel",
    }


def reports() -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def test_a_key_in_the_query_string_is_refused_even_when_valid(client):
    key = new_key()
    descriptions = errors_in_both(
        client, f"requests.{{fmt}}?api_key={key}", 400, method="post", data=report_fields()
    )
    assert "api_key: Bitte nicht in der Adresse (Query-String) senden" in descriptions[0]
    assert "X-Api-Key" in descriptions[0]
    assert reports() == 0


def test_a_key_in_the_header_files_the_report(client):
    key = new_key()
    response = client.post(
        f"{BASE}/requests.json", data=report_fields(), headers={"X-Api-Key": key}
    )
    check_json(response, POSTED_SCHEMA)
    assert reports() == 1


def test_a_key_in_the_body_files_the_report(client):
    response = client.post(f"{BASE}/requests.json", data={**report_fields(), "api_key": new_key()})
    check_json(response, POSTED_SCHEMA)
    assert reports() == 1


def test_a_wrong_key_in_the_header_is_refused(client):
    response = client.post(
        f"{BASE}/requests.json", data=report_fields(), headers={"X-Api-Key": "falsch"}
    )
    assert "api_key: Fehlt oder ist ungültig" in check_json(response, {}, 403)[0]["description"]


def test_the_dev_server_log_masks_the_key(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.port}{BASE}/discovery.json?api_key={SECRET}&x=1"
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            request = urllib.request.Request(url, headers={"Host": "localhost"})
            with urllib.request.urlopen(request) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("discovery.json?api_key=[entfernt]&x=1" in line for line in lines), lines
    assert SECRET not in caplog.text


def test_the_gunicorn_access_log_masks_the_key(app, tmp_path):
    spellings = ["api_key", "API_KEY", "api%5Fkey"]
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as server:
        for parameter in spellings:
            answer = server.request("GET", f"{BASE}/discovery.json?{parameter}={SECRET}")
            assert answer.status == 200
        refused = server.request(
            "POST",
            f"{BASE}/requests.json?api_key={SECRET}",
            body="service_code=licht",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert refused.status == 400
    log = server.access_log.read_text()
    for parameter in spellings:
        assert f"discovery.json?{parameter}=[entfernt]" in log
    assert "requests.json?api_key=[entfernt]" in log
    assert SECRET not in log
