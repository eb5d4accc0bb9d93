"""The dispatcher's one-step triage: everything a new report needs in one save, each change on
the timeline, nothing changed by a refused save (and nothing typed lost), then on to the next;
and the admin's Textbausteine, filled in for the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Category, District, EventKind, OutboxMail, ResponseTemplate, User
from tests.factories import jpeg
from tests.fixtures.reports import current
from tests.fixtures.staff import events


def _fields(case: str, **changes: object) -> dict:
    """The triage form as the page shows it for the report, with `changes` typed in."""
    report = current(case)
    data: dict = {
        "version": str(report.version),
        "description": report.description,
        "category": report.category.code,
        "district": report.district.code,
        "department": report.department.code,
        "shown_department": report.department.code,
        "shown_category": report.category.code,
        "shown_district": report.district.code,
        "shown_status": report.status,
        "priority": str(report.priority),
        "assignee": str(report.assignee_id or ""),
        "shown_assignee": str(report.assignee_id or ""),
        "status": report.status,
        "visibility": "public",
        "note": "",
        "sichtbar": [str(p.id) for p in report.photos if not p.hidden],
    }
    return data | changes


def _triage(client, case: str, **changes: object):
    return client.post(f"/staff/meldungen/{case}/pruefen", data=_fields(case, **changes))


def _kinds(case: str) -> list[str]:
    report = current(case)
    return [e.kind for e in report.events][1:]  # after "received"


def test_one_save_publishes_recategorises_prioritises_and_answers(client, case, login_as):
    login_as("dispatcher")
    response = _triage(
        client,
        case,
        publish="y",
        category="gruen",
        priority="2",
        status="accepted",
        note="Danke, wir kümmern uns.",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/staff/meldungen/{case}")
    report = current(case)
    assert report.published_at is not None and report.category.code == "gruen"
    assert report.department.code == "tbs-gruen"  # the corrected category re-routed it
    assert (report.priority, report.status) == (2, "accepted")
    kinds = _kinds(case)
    for kind in (EventKind.REASSIGNMENT, EventKind.STATUS_CHANGE, EventKind.PUBLIC_NOTE):
        assert kind in kinds
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Danke, wir kümmern uns." in public


def test_a_note_alone_needs_no_status_change(client, case, login_as):
    login_as("dispatcher")
    before = current(case).status
    response = _triage(client, case, note="Rückruf vereinbart.", visibility="internal")
    assert response.status_code == 302
    assert current(case).status == before
    assert _kinds(case) == [EventKind.INTERNAL_NOTE]


def test_a_public_note_alone_is_news_for_feeds_and_open311(client, case, login_as):
    login_as("dispatcher")
    before = current(case).updated_at
    response = _triage(client, case, note="Wir prüfen vor Ort.", visibility="public")
    assert response.status_code == 302
    assert current(case).updated_at > before
    assert _kinds(case) == [EventKind.PUBLIC_NOTE]


def test_a_report_of_a_photo_alone_is_published(client, make_report, login_as):
    case = make_report(description="", photos=[jpeg()]).case_number
    login_as("dispatcher")
    response = _triage(client, case, publish="y")
    assert response.status_code == 302
    report = current(case)
    assert report.published_at is not None and report.description == ""


def test_redaction_and_hiding_a_photo_in_the_same_save(client, make_report, login_as):
    report = make_report(description="Erika Muster, Tel. 0171 1234567: Laterne aus.")
    case = make_report(photos=[jpeg()], description="Mit Foto").case_number
    login_as("dispatcher")
    response = _triage(client, report.case_number, description="Laterne aus.")
    assert response.status_code == 302
    assert current(report.case_number).original_description.startswith("Erika Muster")
    assert _triage(client, case, sichtbar=[]).status_code == 302
    assert [p.hidden for p in current(case).photos] == [True]


def test_nothing_chosen_differently_is_refused(client, case, login_as):
    login_as("dispatcher")
    before = events()
    response = _triage(client, case)
    assert response.status_code == 422
    assert "Nichts geändert" in response.get_data(as_text=True)
    assert events() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"priority": "9"}, "Unbekannte Priorität."),
        ({"category": "<script>"}, "Unbekannte Angabe für Kategorie."),
        ({"district": "x" * 500}, "Unbekannte Angabe für Stadtbezirk."),
        ({"department": "\x00"}, "Unbekannte Abteilung."),
        ({"status": "geloescht"}, "Unbekannter Status."),
        ({"visibility": "alle"}, "Bitte wählen, wer die Notiz sieht."),
        ({"assignee": "99999999999"}, "arbeitet nicht für die zuständige Abteilung"),
        ({"note": "x" * 2001, "status": "accepted"}, "höchstens 2000 Zeichen"),
        ({"description": "Text\x1b", "publish": "y"}, "unzulässige Steuerzeichen"),
        ({"description": "", "publish": "y"}, "Der Text darf nicht leer sein."),
    ],
)
def test_a_refused_save_changes_nothing_and_keeps_what_was_typed(
    client, case, login_as, changes, message
):
    login_as("dispatcher")
    before = (current(case).version, events())
    typed = {"note": "Bitte Mast prüfen – Notiz, die nicht verloren gehen darf."} | changes
    response = _triage(client, case, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert (current(case).version, events()) == before
    if len(typed["note"]) <= 2000:
        assert typed["note"] in page  # the note survives the refusal


def test_assigning_a_colleague_of_another_department_is_refused(client, case, login_as, staff):
    login_as("dispatcher")
    parks = db.session.scalar(select(User).where(User.email == "gruen@example.org"))
    response = _triage(client, case, assignee=str(parks.id), priority="1")
    assert response.status_code == 422
    assert current(case).priority == 0  # the priority did not stay half-saved


def test_an_outdated_page_is_refused(client, case, login_as):
    login_as("dispatcher")
    data = _fields(case, priority="1")
    data["version"] = str(int(data["version"]) - 1)
    response = client.post(f"/staff/meldungen/{case}/pruefen", data=data)
    assert response.status_code == 409
    assert current(case).priority == 0


def test_crews_cannot_triage(client, case, login_as):
    login_as("crew_light")
    assert _triage(client, case, priority="1").status_code == 403
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "Prüfen und zuweisen" not in page and "Neuer Status" in page


def test_save_and_next_goes_on_in_the_inbox_order(client, make_report, login_as):
    first = make_report(age=timedelta(hours=3), published=False).case_number
    second = make_report(age=timedelta(hours=2), published=False).case_number
    login_as("dispatcher")
    response = _triage(client, first, publish="y", weiter="1")
    assert response.headers["Location"].endswith(f"/staff/meldungen/{second}")
    # The last one wraps to the oldest still unchecked; with none left, back to the inbox.
    response = _triage(client, second, publish="y", weiter="1")
    location = response.headers["Location"]
    assert location.endswith("/staff/eingang") or "/staff/meldungen/" in location
    assert not location.endswith(second)


# --- Textbausteine -------------------------------------------------------------------------


def test_an_admin_adds_a_template_and_the_triage_offers_it_filled_in(client, case, login_as):
    login_as("admin")
    response = client.post(
        "/admin/textbausteine",
        data={
            "title": "Angenommen",
            "text": "Ihre Meldung {vorgangsnummer} ({kategorie}, {ort}) ist angenommen."
            " {unbekannt}",
            "category": "",
            "status": "accepted",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    report = current(case)
    filled = f"Ihre Meldung {case} ({report.category.name}, "
    assert filled in page and "{unbekannt}" in page and 'data-status="accepted"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Bitte ausfüllen."),
        ({"text": ""}, "Bitte ausfüllen."),
        ({"text": "x" * 2001}, "Höchstens 2000 Zeichen."),
        ({"text": "a\x00b"}, "Steuerzeichen"),
        ({"category": "999999"}, "Bitte eine Kategorie aus der Liste wählen."),
        ({"status": "weg"}, "Bitte einen Status aus der Liste wählen."),
    ],
)
def test_bad_templates_are_refused(client, login_as, fields, message):
    login_as("admin")
    data = {"title": "T", "text": "Text", "category": "", "status": ""} | fields
    response = client.post("/admin/textbausteine", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(ResponseTemplate)).all() == []


def test_templates_of_another_category_are_not_offered(client, case, login_as):
    login_as("admin")
    client.post(
        "/admin/textbausteine",
        data={"title": "Park", "text": "Parktext", "category": _category_id("gruen")},
    )
    assert "Parktext" not in client.get(f"/staff/meldungen/{case}").get_data(as_text=True)


def _category_id(code: str) -> str:
    return str(db.session.scalar(select(Category.id).where(Category.code == code)))


# --- regressions found in review --------------------------------------------------------------


def test_an_outdated_page_comes_back_with_the_stored_text_not_the_typed(
    client, make_report, login_as
):
    case = make_report(description="Erika Muster 0171 1234567, Laterne aus").case_number
    login_as("dispatcher")
    stale = _fields(case, priority="1")
    assert _triage(client, case, description="Laterne aus").status_code == 302
    response = client.post(f"/staff/meldungen/{case}/pruefen", data=stale)
    assert response.status_code == 409
    textarea = (
        response.get_data(as_text=True).split('id="triage-text"', 1)[1].split("</textarea>")[0]
    )
    assert "Erika" not in textarea and "Laterne aus" in textarea


def test_another_forms_refusal_does_not_fill_the_triage_form(client, case, login_as):
    login_as("dispatcher")
    version = str(current(case).version)
    response = client.post(
        f"/staff/meldungen/{case}/ablehnen",
        data={"version": version, "reason": "spam", "note": "Nachbar Meier, Querulant"},
    )
    assert response.status_code == 422
    note = response.get_data(as_text=True).split('id="triage-note"', 1)[1].split("</textarea>")[0]
    assert "Querulant" not in note


def test_a_note_on_a_duplicate_keeps_it_closed(client, make_report, login_as):
    original = make_report().case_number
    copy = make_report(description="Auch dunkel").case_number
    login_as("dispatcher")
    client.post(
        f"/staff/meldungen/{copy}/duplikat",
        data={"version": str(current(copy).version), "original": original, "bestaetigt": "1"},
    )
    page = client.get(f"/staff/meldungen/{copy}").get_data(as_text=True)
    assert '<option value="duplicate" selected>' in page
    assert (
        _triage(client, copy, note="Anrufer informiert.", visibility="internal").status_code == 302
    )
    assert current(copy).status == "duplicate"


def test_an_inactive_category_stays_when_something_else_changes(client, case, login_as):
    report = current(case)
    report.category.active = False
    db.session.commit()
    login_as("dispatcher")
    assert _triage(client, case, priority="2").status_code == 302
    assert (current(case).category.code, current(case).priority) == ("licht", 2)


def test_category_and_district_in_one_save_tell_one_department(client, case, login_as):
    other = db.session.scalar(select(District).where(District.id != current(case).district_id))
    login_as("dispatcher")
    before = set(db.session.scalars(select(OutboxMail.recipient)))
    assert _triage(client, case, category="gruen", district=other.code).status_code == 302
    mails = [m for m in db.session.scalars(select(OutboxMail.recipient)) if m not in before]
    assert len(mails) <= 1
    moves = [e for e in current(case).events if e.note and e.note.startswith("Weitergeleitet")]
    assert len(moves) <= 1
