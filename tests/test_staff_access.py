"""Staff accounts: login required by default, roles enforced by the server, login delays,
"log out everywhere" by changing the password, and the user CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.fixtures.staff import ACCOUNTS, PASSWORD, login

# URL -> who may see it (everyone else: anonymous is sent to the login, staff gets 403).
ACCESS = {
    "/staff/": {"crew_light", "crew_parks", "dispatcher", "admin"},
    "/staff/eingang": {"dispatcher", "admin"},
    "/staff/warteschlange": {"crew_light", "crew_parks", "dispatcher", "admin"},
}


@pytest.mark.parametrize("url", sorted(ACCESS))
@pytest.mark.parametrize("who", ["anonymous", *ACCOUNTS])
def test_access_matrix(client, staff, url, who, login_as):
    if who != "anonymous":
        login_as(who)
    response = client.get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert "/anmelden?next=" in response.headers["Location"]
    elif who in ACCESS[url]:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/staff/")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url", ["/staff/gibt-es-noch-nicht", "/admin", "/admin/benutzer"])
def test_unknown_staff_paths_need_a_login_too(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]


def test_crew_sees_only_its_department(client, staff, login_as, make_report):
    case = make_report().case_number  # a street light: department tbs-licht
    login_as("crew_light")
    assert case in client.get("/staff/warteschlange").get_data(as_text=True)
    client.post("/abmelden")
    login_as("crew_parks")
    assert case not in client.get("/staff/warteschlange").get_data(as_text=True)


def test_inbox_lists_new_reports_oldest_first(client, staff, login_as, make_report):
    for text in ("erste", "zweite"):
        make_report(description=text)
    login_as("dispatcher")
    page = client.get("/staff/eingang").get_data(as_text=True)
    cases = re.findall(r"<strong>(\d{4}-\d+)</strong>", page)
    assert cases == sorted(cases) and len(cases) == 2


def test_wrong_passwords_make_that_address_wait(client, staff, app):
    response = login(client, "admin@example.org", "falsch")
    assert response.status_code == 422
    assert "E-Mail oder Passwort falsch" in response.get_data(as_text=True)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(client, "admin@example.org", "falsch")
    # This address must wait now: even the right password is not checked for a moment.
    response = login(client, "admin@example.org")
    assert response.status_code == 429
    assert "Bitte warten Sie 2 Sekunden" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_address(client, staff, app, monkeypatch):
    from app.extensions import limiter

    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    limiter.reset()
    codes = [login(client, "nobody@example.org", "x").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_changing_the_password_logs_out_everywhere(app, staff, login_as):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        login_as("admin", client)
        assert client.get("/staff/eingang").status_code == 200
    # Load it afresh: each request ends the session the fixture's object came from.
    db.session.get(User, staff["admin"].id).set_password("ein-ganz-neues-passwort")
    db.session.flush()
    for client in (first, second):
        assert client.get("/staff/eingang").status_code == 302


def test_disabled_account_cannot_log_in_or_stay(client, staff, login_as):
    login_as("dispatcher")
    db.session.get(User, staff["dispatcher"].id).active = False
    db.session.flush()
    assert client.get("/staff/eingang").status_code == 302
    assert login(client, "poststelle@example.org").status_code == 422


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/staff",
        "/staff/\\\\evil",
        "/meldungen",
        # Control characters would split the Location header (and answered 500 before).
        "/staff/\r\nSet-Cookie: session=evil",
        "/staff/eingang\n",
        "/admin/\rx",
        "/staff/\tx",
        "/staff/\x7f",
        "/staff/\x85",
    ],
)
def test_login_never_redirects_off_the_staff_area(client, staff, target):
    response = client.post(
        "/anmelden", data={"email": "admin@example.org", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/eingang").status_code == 200  # logged in all the same


def test_login_needs_csrf(client, staff, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client.get("/anmelden")
    assert login(client, "admin@example.org").status_code == 400


def test_passwords_are_stored_hashed_with_scrypt(staff):
    assert staff["admin"].password_hash.startswith("scrypt:")
    assert PASSWORD not in staff["admin"].password_hash


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x", "--password", PASSWORD, "--role", "admin"], "Ungültige E-Mail"),
        (["--email", "a@example.org", "--password", "kurz", "--role", "admin"], "mindestens 12"),
        (["--email", "a@example.org", "--password", PASSWORD, "--role", "crew"], "--department"),
        (
            [
                "--email",
                "a@example.org",
                "--password",
                PASSWORD,
                "--role",
                "crew",
                "--department",
                "gibtsnicht",
            ],
            "Unbekannte Abteilung",
        ),
    ],
)
def test_cli_refuses_bad_accounts(app, args, message):
    result = app.test_cli_runner().invoke(args=["users", "create", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(User).where(User.email == "a@example.org")) is None


def test_cli_creates_a_crew_member(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "Neu@Example.org",
            "--password",
            PASSWORD,
            "--role",
            "crew",
            "--department",
            "tbs-licht",
            "--department",
            "tbs-gruen",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert sorted(d.code for d in user.departments) == ["tbs-gruen", "tbs-licht"]
    duplicate = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "neu@example.org",
            "--password",
            PASSWORD,
            "--role",
            "admin",
        ]
    )
    assert "schon ein Konto" in duplicate.output
