"""How long a staff session lasts: a logout ends copies of the session cookie too, and a
session without a request for STAFF_SESSION_HOURS ends with a message on the login page."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from app.auth.sessions import LAST_SEEN
from tests.admin_support import page_text
from tests.fixtures.staff import ACCOUNTS, login

HOUR = 3600


@pytest.fixture
def dispatcher(app, staff) -> FlaskClient:
    client = app.test_client()
    assert login(client, ACCOUNTS["dispatcher"].email).status_code == 302
    return client


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def idle_for(client: FlaskClient, seconds: float) -> None:
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time() - seconds)


def test_a_copied_session_cookie_dies_with_the_logout(app, dispatcher):
    copy = copy_of(app, dispatcher)
    assert copy.get("/staff/eingang").status_code == 200
    assert dispatcher.post("/abmelden").status_code == 302
    for client in (dispatcher, copy):
        response = client.get("/staff/eingang")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/anmelden")
    # The account itself works as before.
    assert login(dispatcher, ACCOUNTS["dispatcher"].email).status_code == 302
    assert dispatcher.get("/staff/eingang").status_code == 200


def test_an_idle_session_ends_with_a_message(app, dispatcher):
    idle_for(dispatcher, 8 * HOUR + 120)
    response = dispatcher.get("/staff/eingang")
    assert response.status_code == 302
    assert response.headers["Location"] == "/anmelden?next=/staff/eingang"
    page = page_text(dispatcher.get(response.headers["Location"]))
    assert "Ihre Sitzung ist abgelaufen, weil Sie 8 Stunden lang nichts getan haben" in page
    # Logged out for good, not only for that one request.
    assert dispatcher.get("/staff/eingang").status_code == 302
    # Logging in again starts a fresh idle clock.
    assert login(dispatcher, ACCOUNTS["dispatcher"].email).status_code == 302
    assert dispatcher.get("/staff/eingang").status_code == 200


def test_a_session_in_use_goes_on_and_its_clock_restarts(app, dispatcher):
    idle_for(dispatcher, 8 * HOUR - 120)
    assert dispatcher.get("/staff/eingang").status_code == 200
    with dispatcher.session_transaction() as session:
        assert session[LAST_SEEN] >= time.time() - 60


def test_the_idle_time_is_a_setting(app, dispatcher, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_SESSION_HOURS", 1)
    idle_for(dispatcher, HOUR + 120)
    assert dispatcher.get("/staff/eingang").status_code == 302
