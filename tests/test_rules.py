"""One rulebook for a new report: the same bad report gets the same verdict at every door
(web form, staff intake, Open311), and nothing of it is stored."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.auth.service import create_user
from app.extensions import db
from app.models import Category, Report
from app.open311.filing import PARAMETERS
from app.reports import rules
from app.reports.rules import Draft, ReportRefused
from tests.factories import MITTE, WUPPERTAL
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import category_id, counts, form_data, post_report

PASSWORD = "lange-sichere-passphrase"
GOOD = {
    "category": "licht",
    "description": "Die Laterne vor Hausnummer 12 ist dunkel.",
    "lat": str(MITTE[0]),
    "lon": str(MITTE[1]),
    "first_name": "",
    "last_name": "",
    "email": "",
    "phone": "",
}
BAD = {
    "description too long": {"description": "x" * 2001},
    "description empty": {"description": "  \r\n "},
    "control characters": {"description": "kaputt\x1b[31m"},
    "name of 201 characters": {"first_name": "N" * 100, "last_name": "M" * 100},
    "name with a NUL": {"last_name": "Erika\x00"},
    "name of two lines": {"first_name": "Erika\nBcc: x@y.de"},
    "e-mail malformed": {"email": "keine-adresse"},
    "e-mail with a header": {"email": "a@b.de\r\nBcc: x@y.de"},
    "e-mail too long": {"email": "a" * 250 + "@example.org"},
    "phone": {"phone": "<script>"},
    "no place": {"lat": "", "lon": ""},
    "latitude only": {"lon": ""},
    "not a number": {"lat": "einundfünfzig"},
    "out of range": {"lat": "91", "lon": "-181"},
    "not finite": {"lat": "NaN"},
    "outside the city": {"lat": str(WUPPERTAL[0]), "lon": str(WUPPERTAL[1])},
    "null island": {"lat": "0", "lon": "0"},
    "several at once": {"description": "", "email": "@", "lat": "91"},
}


def report(overrides: dict) -> dict:
    return GOOD | overrides


def draft(values: dict) -> Draft:
    names = (values["first_name"], values["last_name"])
    return Draft(
        category_code=values["category"],
        description=values["description"],
        lat=values["lat"],
        lon=values["lon"],
        name=" ".join(n for n in names if n),
        email=values["email"],
        phone=values["phone"],
    )


def verdict(values: dict) -> dict[str, str]:
    """What the rulebook says, outside the city included (that verdict comes with routing)."""
    try:
        rules.check(draft(values))
    except ReportRefused as refused:
        return refused.errors
    return rules.outside_city().errors


def web_data(values: dict, **extra: str) -> dict:
    contact = any(values[k] for k in ("first_name", "last_name", "email", "phone"))
    return form_data(
        category=str(category_id(values["category"])),
        description=values["description"],
        lat=values["lat"],
        lon=values["lon"],
        name=" ".join(n for n in (values["first_name"], values["last_name"]) if n),
        email=values["email"],
        phone=values["phone"],
        consent="y" if contact else None,
        **extra,
    )


def open311_data(values: dict, key: str) -> dict:
    data = {k: v for k, v in values.items() if k not in ("category", "lon")}
    return data | {"service_code": values["category"], "long": values["lon"], "api_key": key}


def field_errors(page: str) -> dict[str, str]:
    """The error shown beside each form field, by the rulebook's field name."""
    found = re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', page)
    return {("location" if name == "lat" else name): html.unescape(text) for name, text in found}


@pytest.fixture
def dispatcher(client):
    create_user("poststelle@example.org", PASSWORD, "dispatcher", [], name="Poststelle")
    login = {"email": "poststelle@example.org", "password": PASSWORD}
    assert client.post("/anmelden", data=login).status_code == 302
    return client


@pytest.mark.parametrize("overrides", BAD.values(), ids=BAD.keys())
def test_the_same_bad_report_is_refused_alike_at_every_door(client, dispatcher, overrides):
    values = report(overrides)
    expected = verdict(values)
    assert expected, "every case breaks at least one rule"

    web = post_report(client, web_data(values))
    intake = client.post("/staff/erfassen", data=web_data(values, channel="phone"))
    key = new_key()
    api = client.post(f"{BASE}/requests.json", data=open311_data(values, key))

    for response in (web, intake):
        assert response.status_code == 422
        shown = field_errors(response.get_data(as_text=True))
        # The place's message stands at the latitude field, with any of its own.
        for name, message in expected.items():
            field = "location" if name in ("location", "lat") else name
            assert message in shown[field], (name, shown)
        assert set(shown) == {"location" if n == "lat" else n for n in expected}
    assert api.status_code == 400
    assert [e["description"] for e in api.json] == [
        f"{PARAMETERS[name]}: {message}" for name, message in expected.items()
    ]
    assert counts() == (0, 0, 0)


def test_an_unknown_or_retired_category_is_refused_alike(client, dispatcher):
    category = db.session.get(Category, category_id("licht"))
    category.active = False
    db.session.commit()
    web = post_report(client, web_data(GOOD))
    intake = client.post("/staff/erfassen", data=web_data(GOOD, channel="letter"))
    api = client.post(f"{BASE}/requests.json", data=open311_data(GOOD, new_key()))
    message = "Bitte eine Kategorie aus der Liste wählen."
    assert (web.status_code, intake.status_code, api.status_code) == (422, 422, 404)
    assert message in web.get_data(as_text=True) and message in intake.get_data(as_text=True)
    assert api.json == [{"code": 404, "description": f"service_code: {message}"}]
    assert counts() == (0, 0, 0)


def test_the_limits_come_from_the_settings_and_the_columns(app, monkeypatch):
    monkeypatch.setitem(app.config, "DESCRIPTION_MAX_LENGTH", 30)
    monkeypatch.setitem(app.config, "MAX_PHOTOS", 2)
    limits = rules.limits()
    assert (limits.description, limits.photos) == (30, 2)
    assert (limits.name, limits.email, limits.phone, limits.media_url) == (200, 254, 50, 2048)
    with pytest.raises(ReportRefused) as refused:
        rules.check(draft(report({"description": "x" * 31})))
    assert refused.value.errors == {
        "description": "Die Beschreibung darf höchstens 30 Zeichen lang sein."
    }


def test_a_good_report_is_filed_alike_at_every_door(client, dispatcher):
    values = report({"first_name": "Erika", "last_name": "Muster", "email": "Erika@Example.ORG"})
    assert post_report(client, web_data(values)).status_code == 302
    intake = client.post("/staff/erfassen", data=web_data(values, channel="phone"))
    assert intake.status_code == 302
    api = client.post(f"{BASE}/requests.json", data=open311_data(values, new_key()))
    assert api.status_code == 200
    stored = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert [r.channel for r in stored] == ["web", "phone", "api"]
    kept = {(r.reporter_name, r.reporter_email, r.description, r.category.code) for r in stored}
    assert kept == {("Erika Muster", "Erika@example.org", values["description"], "licht")}


def test_the_rulebook_counts_a_line_break_once(client):
    text = ("x" * 99 + "\r\n") * 20  # 2000 characters as typed, 2020 as sent
    new = rules.check(draft(report({"description": text})))
    assert len(new.description) == 1999  # the last line break is trimmed like any white space
    assert "\r" not in new.description
