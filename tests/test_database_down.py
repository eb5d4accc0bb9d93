"""While the database is down, every answer that needs it is a 503 with Retry-After — a German
page for people, Open311's error format (JSON or XML) for Open311 clients, JSON for the API —
not a 500. For real: gunicorn serves the app with a database address where nothing listens."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from tests.mailbox import free_port
from tests.server_support import Server, gunicorn

MESSAGE = "Der Dienst ist gerade nicht erreichbar."
FULL_MESSAGE = MESSAGE + " Bitte versuchen Sie es in einigen Minuten noch einmal."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    nowhere = f"postgresql+psycopg://maengelmelder@127.0.0.1:{free_port()}/maengelmelder"
    with gunicorn(nowhere, tmp_path_factory.mktemp("down")) as running:
        yield running


@pytest.mark.parametrize("path", ["/", "/meldungen", "/melden", "/transparenz"])
def test_pages_say_so_in_german(server, path):
    answer = server.request("GET", path)
    assert answer.status == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert MESSAGE in answer.body and "Fehler 503" in answer.body


def test_the_map_api_answers_json(server):
    answer = server.request("GET", "/api/v1/map?bbox=7.0,51.1,7.1,51.2&zoom=14")
    assert (answer.status, answer.headers["Retry-After"]) == (503, "30")
    assert json.loads(answer.body)["error"].startswith(MESSAGE)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/open311/v2/services.{fmt}"), ("POST", "/open311/v2/requests.{fmt}")],
)
def test_open311_answers_in_its_own_format(server, method, path):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Api-Key": "ein-schluessel"}
    answer = server.request(method, path.format(fmt="json"), "service_code=licht", headers)
    assert (answer.status, answer.headers["Retry-After"]) == (503, "30")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(answer.body) == [{"code": 503, "description": FULL_MESSAGE}]
    answer = server.request(method, path.format(fmt="xml"), "service_code=licht", headers)
    assert (answer.status, answer.headers["Retry-After"]) == (503, "30")
    assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    error = ET.fromstring(answer.body).find("error")
    assert (error.findtext("code"), error.findtext("description")) == ("503", FULL_MESSAGE)


def test_the_staff_login_page_still_opens(server):
    """It needs no database until someone logs in."""
    assert server.request("GET", "/anmelden").status == 200
    assert server.request("GET", "/staff/eingang").status == 302
