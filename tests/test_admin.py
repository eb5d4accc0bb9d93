"""Admin pages: only admins may use them; staff accounts (create, edit, disable, new password)
and Open311 API keys."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.admin.forms import ICONS, ROLE_LABELS
from app.demo import data
from app.extensions import db
from app.models import ApiKey, Category, Department, RoutingRule, User
from app.models.user import ROLES
from app.open311.filing import create_api_key, key_hash
from tests.admin_support import count, page_text, refused
from tests.factories import MITTE
from tests.fixtures.staff import ACCOUNTS, PASSWORD, login

NEW_PASSWORD = "ein-ganz-neues-passwort"


def ids(staff: dict[str, User]) -> dict[str, int]:
    """Existing rows for the URLs with an id (the demo city has one routing rule)."""
    api_key, _ = create_api_key("Zugriffstest")
    db.session.commit()
    return {
        "user": staff["crew_light"].id,
        "department": db.session.scalar(select(Department.id).limit(1)),
        "category": db.session.scalar(select(Category.id).limit(1)),
        "rule": db.session.scalar(select(RoutingRule.id)),
        "key": api_key.id,
    }


PAGES = [
    "/admin/",
    "/admin/benutzer",
    "/admin/benutzer/{user}",
    "/admin/abteilungen",
    "/admin/abteilungen/{department}",
    "/admin/kategorien",
    "/admin/kategorien/{category}",
    "/admin/zustaendigkeiten",
    "/admin/bezirke",
    "/admin/api-schluessel",
    "/admin/textbausteine",
]
CHANGES = [
    "/admin/benutzer",
    "/admin/benutzer/{user}",
    "/admin/benutzer/{user}/passwort",
    "/admin/benutzer/{user}/sperren",
    "/admin/benutzer/{user}/freigeben",
    "/admin/abteilungen",
    "/admin/abteilungen/{department}",
    "/admin/kategorien",
    "/admin/kategorien/{category}",
    "/admin/zustaendigkeiten",
    "/admin/zustaendigkeiten/{rule}/loeschen",
    "/admin/bezirke",
    "/admin/api-schluessel",
    "/admin/api-schluessel/{key}/sperren",
    "/admin/textbausteine",
    "/admin/textbausteine/1/entfernen",
    "/admin/kategorien/{category}/fragen",
    "/admin/kategorien/{category}/fragen/1/entfernen",
]
# A change that would go through if the request were allowed.
CHANGE_DATA = {
    "email": "neu@example.org",
    "name": "Neu",
    "role": "admin",
    "password": NEW_PASSWORD,
    "code": "neu",
    "name_de": "Neu",
    "default_department": "1",
}


def test_labels_cover_every_role_and_the_demo_icons():
    assert set(ROLE_LABELS) == set(ROLES)
    assert {icon for *_, icon, _department in data.CATEGORIES} <= set(ICONS)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_works_for_the_admin(admin, staff, url):
    response = admin.get(url.format(**ids(staff)))
    assert response.status_code == 200
    assert "Verwaltung" in page_text(response)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "dispatcher", "crew_light"])
def test_pages_are_for_admins_only(client, staff, url, who, login_as):
    target = url.format(**ids(staff))
    if who != "anonymous":
        login_as(who)
    response = client.get(target)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/anmelden?next=")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url", CHANGES)
@pytest.mark.parametrize("who", ["anonymous", "dispatcher", "crew_light"])
def test_changes_are_for_admins_only(client, staff, url, who, login_as):
    target = url.format(**ids(staff))
    before = [count(model) for model in (User, Department, RoutingRule)]
    key_active = db.session.scalar(select(ApiKey.active).where(ApiKey.name == "Zugriffstest"))
    if who != "anonymous":
        login_as(who)
    response = client.post(target, data=CHANGE_DATA)
    expected = 302 if who == "anonymous" else 403
    assert response.status_code == expected
    assert [count(model) for model in (User, Department, RoutingRule)] == before
    assert db.session.scalar(select(ApiKey.active).where(ApiKey.name == "Zugriffstest"))
    assert key_active
    assert db.session.get(User, staff["crew_light"].id).active


def test_only_admins_see_the_link_to_the_admin_pages(client, staff, login_as):
    login_as("dispatcher")
    assert "/admin/" not in page_text(client.get("/staff/eingang"))
    client.post("/abmelden")
    login_as("admin")
    assert 'href="/admin/"' in page_text(client.get("/staff/eingang"))


def test_changes_need_csrf(admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = count(Department)
    response = admin.post("/admin/abteilungen", data={"code": "neu", "name": "Neu"})
    assert response.status_code == 400
    assert "Sicherheitsmerkmal" in page_text(response)
    assert count(Department) == before


@pytest.mark.parametrize("url", ["/admin/benutzer/999999", "/admin/benutzer/99999999999999"])
def test_unknown_ids_are_not_found(admin, url):
    assert admin.get(url).status_code == 404


# --- accounts -----------------------------------------------------------------------------------


def new_account(**overrides: object) -> dict:
    fields: dict = {
        "email": "Neu@Example.org",
        "name": "Erika Neu",
        "role": "crew",
        "departments": ["tbs-licht", "tbs-gruen"],
        "password": NEW_PASSWORD,
    }
    fields.update(overrides)
    return fields


def find(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_an_account_that_can_log_in(admin, app):
    response = admin.post("/admin/benutzer", data=new_account())
    assert response.status_code == 302
    user = find("neu@example.org")
    assert user.name == "Erika Neu" and user.role == "crew"
    assert sorted(d.code for d in user.departments) == ["tbs-gruen", "tbs-licht"]
    assert "Konto angelegt." in page_text(admin.get(response.headers["Location"]))
    other = app.test_client()
    assert login(other, "neu@example.org", NEW_PASSWORD).status_code == 302
    assert other.get("/staff/warteschlange").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "poststelle@example.org"}, "Es gibt schon ein Konto"),
        ({"email": "POSTSTELLE@example.org"}, "Es gibt schon ein Konto"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"email": "a" * 250 + "@example.org"}, "Höchstens 254 Zeichen"),
        ({"password": "zu-kurz"}, "mindestens 12"),
        ({"password": "x" * 201}, "12 bis 200 Zeichen"),
        ({"password": "Passwort2024!"}, "zu leicht zu erraten"),
        ({"password": "123456789012"}, "zu leicht zu erraten"),
        ({"role": "superuser"}, "Rolle aus der Liste"),
        ({"departments": ["gibtsnicht"]}, "nur Abteilungen aus der Liste"),
        ({"departments": []}, "mindestens eine Abteilung"),
        ({"name": ""}, "Bitte ausfüllen"),
        ({"name": "x" * 201}, "Höchstens 200 Zeichen"),
        ({"name": "Erika\x1b[31m"}, "Steuerzeichen"),
        ({"name": "Erika\nNeu"}, "Steuerzeichen"),
    ],
)
def test_bad_accounts_are_refused(admin, overrides, message):
    before = count(User)
    refused(admin.post("/admin/benutzer", data=new_account(**overrides)), message)
    assert count(User) == before


def test_admin_edits_name_role_and_departments(admin, staff):
    crew = staff["crew_light"].id
    fields = {"name": "Neuer Name", "role": "dispatcher", "departments": ["tbs-gruen"]}
    assert admin.post(f"/admin/benutzer/{crew}", data=fields).status_code == 302
    user = db.session.get(User, crew)
    assert (user.name, user.role, [d.code for d in user.departments]) == (
        "Neuer Name",
        "dispatcher",
        ["tbs-gruen"],
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "X", "role": "crew", "departments": ["gibtsnicht"]}, "aus der Liste"),
        ({"name": "X", "role": "crew"}, "mindestens eine Abteilung"),
        ({"name": "X", "role": "chef"}, "Rolle aus der Liste"),
        ({"name": "\x00", "role": "crew", "departments": ["tbs-licht"]}, "Steuerzeichen"),
    ],
)
def test_bad_edits_are_refused(admin, staff, fields, message):
    crew = staff["crew_light"]
    refused(admin.post(f"/admin/benutzer/{crew.id}", data=fields), message)
    user = db.session.get(User, crew.id)
    assert (user.name, user.role, [d.code for d in user.departments]) == (
        "Licht",
        "crew",
        ["tbs-licht"],
    )


def test_admin_cannot_demote_or_disable_themselves(admin, staff):
    me = staff["admin"].id
    fields = {"name": "Admin", "role": "dispatcher"}
    refused(admin.post(f"/admin/benutzer/{me}", data=fields), "nicht selbst die Rolle admin")
    refused(admin.post(f"/admin/benutzer/{me}/sperren"), "eigenes Konto nicht sperren")
    user = db.session.get(User, me)
    assert user.role == "admin" and user.active
    assert admin.get("/admin/").status_code == 200


def test_disabled_account_is_logged_out_and_cannot_log_in(admin, app, staff, login_as):
    crew = app.test_client()
    login_as("crew_light", crew)
    assert crew.get("/staff/warteschlange").status_code == 200
    assert admin.post(f"/admin/benutzer/{staff['crew_light'].id}/sperren").status_code == 302
    assert not db.session.get(User, staff["crew_light"].id).active
    assert crew.get("/staff/warteschlange").status_code == 302
    assert login(crew, ACCOUNTS["crew_light"].email).status_code == 422
    # And back again.
    assert admin.post(f"/admin/benutzer/{staff['crew_light'].id}/freigeben").status_code == 302
    assert login(crew, ACCOUNTS["crew_light"].email).status_code == 302


def test_new_password_logs_the_account_out_everywhere(admin, app, staff, login_as):
    sessions = [app.test_client(), app.test_client()]
    for session in sessions:
        login_as("crew_light", session)
        assert session.get("/staff/warteschlange").status_code == 200
    url = f"/admin/benutzer/{staff['crew_light'].id}/passwort"
    assert admin.post(url, data={"password": NEW_PASSWORD}).status_code == 302
    for session in sessions:
        assert session.get("/staff/warteschlange").status_code == 302
    fresh = app.test_client()
    assert login(fresh, ACCOUNTS["crew_light"].email, PASSWORD).status_code == 422
    assert login(fresh, ACCOUNTS["crew_light"].email, NEW_PASSWORD).status_code == 302


def test_new_own_password_keeps_this_session_only(admin, app, staff, login_as):
    elsewhere = app.test_client()
    login_as("admin", elsewhere)
    url = f"/admin/benutzer/{staff['admin'].id}/passwort"
    assert admin.post(url, data={"password": NEW_PASSWORD}).status_code == 302
    assert admin.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz", "mindestens 12"),
        ("", "Bitte ein Passwort"),
        ("hallo1234567", "zu leicht zu erraten"),
        ("qwertzuiop12", "zu leicht zu erraten"),
    ],
)
def test_too_short_or_guessable_new_password_changes_nothing(
    admin, app, staff, password, message, login_as
):
    crew = app.test_client()
    login_as("crew_light", crew)
    url = f"/admin/benutzer/{staff['crew_light'].id}/passwort"
    refused(admin.post(url, data={"password": password}), message)
    assert crew.get("/staff/warteschlange").status_code == 200


# --- API keys -----------------------------------------------------------------------------------


def open311_post(client: FlaskClient, key: str):
    data = {
        "api_key": key,
        "service_code": "licht",
        "lat": str(MITTE[0]),
        "long": str(MITTE[1]),
        "description": "Die Laterne vor Hausnummer 12 ist dunkel.",
    }
    return client.post("/open311/v2/requests.json", data=data)


def test_api_key_is_shown_once_and_works_until_revoked(admin, app):
    response = admin.post("/admin/api-schluessel", data={"name": "Stadt-App"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response)
    start = page.index('id="neuer-schluessel">') + len('id="neuer-schluessel">')
    key = page[start : page.index("<", start)]
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Stadt-App"))
    assert api_key.key_hash == key_hash(key) and len(key) >= 40
    assert key not in page_text(admin.get("/admin/api-schluessel"))

    api = app.test_client()
    assert open311_post(api, key).status_code in (200, 201)
    assert admin.post(f"/admin/api-schluessel/{api_key.id}/sperren").status_code == 302
    assert not db.session.get(ApiKey, api_key.id).active
    assert open311_post(api, key).status_code == 403


def test_reloading_the_new_key_page_creates_no_second_key(admin):
    assert admin.post("/admin/api-schluessel", data={"name": "Stadt-App"}).status_code == 200
    before = count(ApiKey)
    again = admin.post("/admin/api-schluessel", data={"name": "stadt-app "})  # the browser resends
    assert "schon einen aktiven Schlüssel" in refused(again, "Für „stadt-app“")
    assert "neuer-schluessel" not in page_text(again)
    assert count(ApiKey) == before
    # Once the old key is revoked, the name is free for its successor.
    old = db.session.scalar(select(ApiKey).where(ApiKey.name == "Stadt-App"))
    admin.post(f"/admin/api-schluessel/{old.id}/sperren")
    assert "neuer-schluessel" in page_text(
        admin.post("/admin/api-schluessel", data={"name": "Stadt-App"})
    )


def test_a_new_key_may_be_allowed_to_send_updates(admin):
    assert admin.post("/admin/api-schluessel", data={"name": "Stadt-App"}).status_code == 200
    form = {"name": "FixMyStreet", "can_update": "y"}
    assert admin.post("/admin/api-schluessel", data=form).status_code == 200
    rights = {k.name: k.can_update for k in db.session.scalars(select(ApiKey))}
    assert rights == {"Stadt-App": False, "FixMyStreet": True}
    page = page_text(admin.get("/admin/api-schluessel"))
    assert page.count("einreichen und aktualisieren") == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Bitte ausfüllen"), ("x" * 201, "Höchstens 200"), ("App\x07", "Steuerzeichen")],
)
def test_bad_api_key_names_are_refused(admin, name, message):
    before = count(ApiKey)
    page = refused(admin.post("/admin/api-schluessel", data={"name": name}), message)
    assert "neuer-schluessel" not in page
    assert count(ApiKey) == before
