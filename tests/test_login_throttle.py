"""Wrong passwords slow down the address that types them, for that account only: an attacker
elsewhere can no longer lock the real user out. The delays double up to LOGIN_LOCK_MINUTES and
live in the database, so every worker sees them."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import text

from app.extensions import db
from tests.admin_support import page_text
from tests.fixtures.staff import ACCOUNTS, PASSWORD

ADMIN = ACCOUNTS["admin"].email
ATTACKER, OFFICE = "203.0.113.66", "198.51.100.7"


def attempt(client: FlaskClient, address: str, password: str, email: str = ADMIN):
    return client.post(
        "/anmelden",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def fail(client: FlaskClient, address: str, times: int, email: str = ADMIN) -> None:
    for _ in range(times):
        assert attempt(client, address, "falsch-geraten", email).status_code == 422


def time_passes() -> None:
    """Every wait is over (the count of wrong passwords stays)."""
    db.session.execute(text("UPDATE login_throttles SET blocked_until = now() - interval '1 s'"))


def test_an_attacker_elsewhere_cannot_lock_out_the_real_user(app, staff):
    attacker, office = app.test_client(), app.test_client()
    for _ in range(3 * app.config["LOGIN_MAX_FAILURES"]):
        fail(attacker, ATTACKER, 1)
        time_passes()  # the attacker waits out each delay
    assert attempt(office, OFFICE, PASSWORD).status_code == 302
    assert office.get("/admin/").status_code == 200
    # The attacker's own address is the one that waits.
    fail(attacker, ATTACKER, 1)
    assert attempt(attacker, ATTACKER, "noch-ein-versuch").status_code == 429


def test_the_waiting_address_is_told_how_long(app, staff, client):
    fail(client, ATTACKER, app.config["LOGIN_MAX_FAILURES"])
    response = attempt(client, ATTACKER, PASSWORD)  # the right password is not even checked
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert "Bitte warten Sie 2 Sekunden und versuchen Sie es dann noch einmal" in page_text(
        response
    )
    assert client.get("/admin/").status_code == 302  # not logged in
    time_passes()
    assert attempt(client, ATTACKER, PASSWORD).status_code == 302


def test_the_wait_doubles_up_to_the_limit(app, staff, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCK_MINUTES", 3)
    fail(client, ATTACKER, app.config["LOGIN_MAX_FAILURES"] - 1)
    waits = []
    for _ in range(9):
        fail(client, ATTACKER, 1)
        response = attempt(client, ATTACKER, PASSWORD)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        time_passes()
    assert waits == [2, 4, 8, 16, 32, 64, 128, 180, 180]
    assert "Bitte warten Sie 3 Minuten und" in page_text(response)  # long waits in minutes


def test_the_right_password_starts_the_count_afresh(app, staff, client):
    free = app.config["LOGIN_MAX_FAILURES"]
    fail(client, ATTACKER, free - 1)
    assert attempt(client, ATTACKER, PASSWORD).status_code == 302
    fail(client, ATTACKER, free - 1)
    assert attempt(client, ATTACKER, PASSWORD).status_code == 302


def test_unknown_names_wait_alike(app, staff, client):
    """Otherwise a 429 would tell an attacker which addresses have accounts."""
    fail(client, ATTACKER, app.config["LOGIN_MAX_FAILURES"], email="niemand@example.org")
    response = attempt(client, ATTACKER, "egal", email="niemand@example.org")
    assert response.status_code == 429


def test_an_ipv6_subscriber_is_one_address(app, staff, client):
    """A home connection gets a whole /64: its addresses share one count."""
    for host in range(app.config["LOGIN_MAX_FAILURES"]):
        fail(client, f"2001:db8:1:2::{host + 1}", 1)
    assert attempt(client, "2001:db8:1:2::ffff", PASSWORD).status_code == 429
    assert attempt(client, "2001:db8:1:3::1", PASSWORD).status_code == 302


def test_a_new_password_from_the_admin_ends_the_wait(app, staff, client):
    fail(client, ATTACKER, app.config["LOGIN_MAX_FAILURES"])
    admin = app.test_client()
    assert attempt(admin, OFFICE, PASSWORD).status_code == 302
    new = "ein-ganz-neues-passwort"
    url = f"/admin/benutzer/{staff['admin'].id}/passwort"
    assert admin.post(url, data={"password": new}).status_code == 302
    assert attempt(client, ATTACKER, new).status_code == 302


def test_what_is_typed_as_the_name_is_not_stored(app, staff, client):
    pasted = "mein-geheimes-passwort-2026"
    fail(client, ATTACKER, 2, email=pasted)
    stored = db.session.execute(text("SELECT name_hash, client FROM login_throttles")).all()
    assert stored and all(pasted not in name and len(name) == 64 for name, _ in stored)


def test_a_name_that_grows_when_lowercased_is_refused_not_a_500(app, staff, client):
    # "İ".lower() is two characters: 254 typed become 508 normalised.
    response = attempt(client, ATTACKER, "falsch-geraten", email="İ" * 127)
    assert response.status_code == 422


def test_logging_in_twice_after_a_typo_works_both_times(app, staff):
    first, second = app.test_client(), app.test_client()
    fail(first, OFFICE, 1)
    assert attempt(first, OFFICE, PASSWORD).status_code == 302
    assert attempt(second, OFFICE, PASSWORD).status_code == 302
