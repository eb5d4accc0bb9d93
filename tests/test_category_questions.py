"""Extra questions per category: admins define them, every door asks them through the one
rulebook, the answers are stored with the report and shown to staff only, and Open311 clients
read them as attributes of the service definition."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Category, CategoryQuestion, OutboxMail, Report
from app.notifications import deferred
from tests.fixtures.open311 import BASE, both_formats, errors_in_both, new_key
from tests.helpers import counts, form_data, post_report
from tests.test_city_app import android_body, post_android


def _category(code: str) -> Category:
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def _ask(category_code: str = "licht", **fields: object) -> CategoryQuestion:
    """A question on the category, committed like an admin's."""
    values: dict = {"code": "mast", "label": "Nummer am Mast", "kind": "text", "required": True}
    question = CategoryQuestion(**(values | fields))
    category = _category(category_code)  # held: the question is appended while the category lives
    category.questions.append(question)
    db.session.commit()
    return question


def _question_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CategoryQuestion))


# --- the admin -------------------------------------------------------------------------------


def test_an_admin_adds_a_choice_question_and_the_form_asks_it(admin, client):
    category = _category("strasse")
    before = len(category.questions)
    response = admin.post(
        f"/admin/kategorien/{category.id}/fragen",
        data={
            "label": "Wie groß ist das Loch?",
            "code": "groesse",
            "kind": "choice",
            "choices": "klein\r\nmittel\r\n\r\ngroß\r\n",
            "required": "y",
            "hint": "Ungefähr reicht.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    question = _category("strasse").questions[-1]
    assert len(_category("strasse").questions) == before + 1
    assert (question.code, question.kind, question.required) == ("groesse", "choice", True)
    assert question.choices == ["klein", "mittel", "groß"]
    page = admin.get(f"/admin/kategorien/{category.id}").get_data(as_text=True)
    assert "Wie groß ist das Loch?" in page and "klein · mittel · groß" in page
    form = client.get("/melden").get_data(as_text=True)
    assert f'name="frage-{question.id}"' in form and 'value="mittel"' in form
    assert "Angaben zu „Schlagloch / Straßenschaden / Gehweg“" in form


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "choice", "choices": "nur eine"}, "Bitte 2 bis 20 Antworten"),
        ({"kind": "choice", "choices": "ja\nja"}, "Jede Antwort nur einmal."),
        ({"kind": "choice", "choices": "ja\n" + "x" * 101}, "höchstens 100 Zeichen"),
        ({"kind": "choice", "choices": "\n".join(str(n) for n in range(21))}, "2 bis 20"),
        ({"kind": "datei"}, "Bitte eine Art aus der Liste wählen."),
        ({"code": "Mit Leerzeichen"}, "Nur Kleinbuchstaben"),
        ({"code": "external_id"}, "reserviert"),
        ({"code": "mast"}, "schon eine Frage mit dem Code"),
        ({"label": ""}, "Bitte ausfüllen."),
        ({"label": "x" * 201}, "Höchstens 200 Zeichen."),
        ({"label": "Zeile\x1bumbruch"}, "Steuerzeichen"),
        ({"hint": "x" * 301}, "Höchstens 300 Zeichen."),
    ],
)
def test_bad_questions_are_refused_and_change_nothing(admin, fields, message):
    _ask()
    before = _question_count()
    data = {"label": "Frage", "code": "neu", "kind": "text"} | fields
    response = admin.post(f"/admin/kategorien/{_category('licht').id}/fragen", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, fields
    assert message in page
    assert _question_count() == before


def test_removing_a_question_keeps_the_stored_answers_readable(admin, client, login_as):
    question = _ask(required=False)
    before = _question_count()
    post_report(client, form_data(**{f"frage-{question.id}": "L 4711"}))
    response = admin.post(
        f"/admin/kategorien/{_category('licht').id}/fragen/{question.id}/entfernen"
    )
    assert response.status_code == 302
    assert _question_count() == before - 1
    report = db.session.scalars(select(Report)).one()
    page = admin.get(f"/staff/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Nummer am Mast" in page and "L 4711" in page


def test_removing_another_categorys_question_is_refused(admin):
    question = _ask()
    before = _question_count()
    other = _category("muell")
    response = admin.post(f"/admin/kategorien/{other.id}/fragen/{question.id}/entfernen")
    assert response.status_code == 302
    assert _question_count() == before
    assert "Diese Frage gibt es nicht (mehr)." in admin.get("/admin/").get_data(as_text=True)


# --- the web form ------------------------------------------------------------------------------


def test_the_answer_is_stored_and_shown_to_staff_only(client, app, monkeypatch, login_as):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    question = _ask()
    response = post_report(client, form_data(**{f"frage-{question.id}": "  L 4711 "}))
    assert response.status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert report.answers == [{"code": "mast", "label": "Nummer am Mast", "value": "L 4711"}]
    public = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    api = client.get(f"{BASE}/requests/{report.case_number}.json?extensions=true")
    assert "L 4711" not in public and "L 4711" not in api.get_data(as_text=True)
    login_as("dispatcher")
    staff = client.get(f"/staff/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Angaben zur Kategorie" in staff and "L 4711" in staff


def test_the_departments_mail_carries_the_answers_but_the_receipt_does_not(client):
    question = _ask()
    data = form_data(email="erika@example.org", consent="y", **{f"frage-{question.id}": "L 4711"})
    assert post_report(client, data).status_code == 302
    mails = {}
    for mail in db.session.scalars(select(OutboxMail)):
        deferred.render(mail)  # what the worker sends
        mails[mail.recipient] = mail.body_text
    assert "Nummer am Mast: L 4711" in mails["strassenbeleuchtung@example.org"]
    assert "L 4711" not in mails["erika@example.org"]


def test_a_missing_required_answer_is_named_beside_the_question(client):
    question = _ask()
    response = post_report(client, form_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<a href="#frage-{question.id}">Nummer am Mast: Bitte beantworten' in page
    assert f'id="frage-{question.id}-error">Bitte beantworten Sie diese Frage.' in page
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("kind", "choices", "answer", "message"),
    [
        ("number", [], "12 Stück", "Bitte eine Zahl eingeben"),
        ("number", [], "1" * 13, "Bitte eine Zahl eingeben"),
        ("number", [], "1e5", "Bitte eine Zahl eingeben"),
        ("choice", ["Ja", "Nein"], "Vielleicht", "Bitte eine der angebotenen Antworten"),
        ("choice", ["Ja", "Nein"], "ja", "Bitte eine der angebotenen Antworten"),
        ("text", [], "x" * 201, "Höchstens 200 Zeichen."),
        ("text", [], "Zeile\nzwei", "Steuerzeichen"),
        ("text", [], "<script>\x00", "Steuerzeichen"),
    ],
)
def test_bad_answers_are_refused_and_store_nothing(client, kind, choices, answer, message):
    question = _ask(kind=kind, choices=choices, required=False)
    response = post_report(client, form_data(**{f"frage-{question.id}": answer}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(("answer", "stored"), [("3,5", "3,5"), ("-12", "-12"), ("", None)])
def test_numbers_take_a_decimal_comma_and_optional_ones_may_stay_empty(client, answer, stored):
    question = _ask(kind="number", required=False)
    assert post_report(client, form_data(**{f"frage-{question.id}": answer})).status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert report.answers == (
        [{"code": "mast", "label": "Nummer am Mast", "value": stored}] if stored else None
    )


def test_another_categorys_questions_are_ignored(client):
    # Without JavaScript every category's questions are on the page and sent along.
    other = _ask("strasse", kind="choice", choices=["Ja", "Nein"])
    response = post_report(client, form_data(**{f"frage-{other.id}": "Quatsch"}))
    assert response.status_code == 302
    assert db.session.scalars(select(Report)).one().answers is None


def test_staff_intake_asks_the_same_questions(client, login_as):
    question = _ask()
    login_as("dispatcher")
    data = form_data(description="Anruf: Laterne aus", channel="phone")
    response = client.post("/staff/erfassen", data=data)
    assert response.status_code == 422
    assert "Bitte beantworten Sie diese Frage." in response.get_data(as_text=True)
    data[f"frage-{question.id}"] = "L 12"
    assert client.post("/staff/erfassen", data=data).status_code == 302
    assert db.session.scalars(select(Report)).one().answers[0]["value"] == "L 12"


# --- Open311 and the city app ------------------------------------------------------------------


def test_open311_offers_the_questions_as_attributes(client):
    _ask("graffiti", hint="Auf dem Schild am Mast.")
    _ask(
        "graffiti",
        **{
            "code": "farbe",
            "label": "Farbe",
            "kind": "choice",
            "choices": ["gelb", "weiß"],
            "required": False,
            "position": 2,
        },
    )
    services = both_formats(client, "services.{fmt}", "services.json", "services")
    flags = {s["service_code"]: s["metadata"] for s in services}
    assert flags["graffiti"] is True and flags["muell"] is False
    definition = both_formats(
        client, "services/graffiti.{fmt}", "service-definition.json", "service_definition"
    )
    assert definition["attributes"] == [
        {
            "variable": True,
            "code": "mast",
            "datatype": "string",
            "required": True,
            "datatype_description": "Auf dem Schild am Mast.",
            "order": 1,
            "description": "Nummer am Mast",
        },
        {
            "variable": True,
            "code": "farbe",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": "Farbe",
            "values": [{"key": "gelb", "name": "gelb"}, {"key": "weiß", "name": "weiß"}],
        },
    ]


def _open311(key: str, **overrides: object) -> dict:
    data = {
        "api_key": key,
        "service_code": "licht",
        "lat": "51.1709",
        "long": "7.0834",
        "description": "Laterne dunkel",
    }
    return data | overrides


def test_open311_files_attribute_answers_and_refuses_bad_ones(client):
    _ask(kind="number")
    key = new_key()
    [message] = errors_in_both(client, "requests.{fmt}", 400, "post", data=_open311(key))
    assert message == "attribute[mast]: Bitte beantworten Sie diese Frage."
    [message] = errors_in_both(
        client, "requests.{fmt}", 400, "post", data=_open311(key, **{"attribute[mast]": "zwölf"})
    )
    assert message.startswith("attribute[mast]: Bitte eine Zahl eingeben")
    assert counts() == (0, 0, 0)
    response = client.post(f"{BASE}/requests.json", data=_open311(key, **{"attribute[mast]": "12"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert db.session.scalars(select(Report)).one().answers[0]["value"] == "12"


def test_the_city_app_cannot_ask_so_a_required_question_does_not_refuse_it(client):
    _ask()
    response = post_android(client, android_body())
    assert response.status_code == 201, response.get_data(as_text=True)
    assert db.session.scalars(select(Report)).one().answers is None
