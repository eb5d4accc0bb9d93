"""Staff change reports: status with public or internal notes, publishing, forwarding —
each on the timeline, each refused cleanly when not allowed, invalid or outdated."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Report
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events
from tests.helpers import form_data


def test_crew_sets_in_progress_then_resolved_and_the_public_sees_both(client, case, login_as):
    login_as("crew_light")
    response = act(
        client, case, "status", status="in_progress", note="Wir sind dran.", visibility="public"
    )
    assert response.status_code == 302
    act(
        client,
        case,
        "status",
        status="resolved",
        note="Leuchtmittel getauscht.",
        visibility="public",
    )
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    for text in ("In Bearbeitung", "Wir sind dran.", "Erledigt", "Leuchtmittel getauscht."):
        assert text in public
    staff_page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "Licht" in staff_page  # the author is named for staff
    assert current(case).status == "resolved"


def test_internal_notes_stay_inside(client, case, login_as):
    login_as("crew_light")
    act(
        client,
        case,
        "status",
        status="accepted",
        note="Intern: Hubsteiger nötig",
        visibility="internal",
    )
    assert "Hubsteiger" not in client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Hubsteiger" in client.get(f"/staff/meldungen/{case}").get_data(as_text=True)


def test_other_department_can_neither_see_nor_change(client, case, login_as):
    login_as("crew_parks")
    before = (current(case).status, events())
    assert client.get(f"/staff/meldungen/{case}").status_code == 403
    assert act(client, case, "status", status="resolved").status_code == 403
    assert (current(case).status, events()) == before


def test_anonymous_post_changes_nothing(client, case):
    before = events()
    response = act(client, case, "status", status="resolved")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert current(case).status == "received" and events() == before


def test_dispatcher_publishes_and_forwards(client, case, login_as):
    assert "Laterne flackert" not in client.get(f"/meldungen/{case}").get_data(as_text=True)
    login_as("dispatcher")
    assert act(client, case, "veroeffentlichen").status_code == 302
    assert "Laterne flackert" in client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert act(client, case, "weiterleiten", department="tbs-gruen").status_code == 302
    assert current(case).department.code == "tbs-gruen"
    assert "Weitergeleitet an" in client.get(f"/meldungen/{case}").get_data(as_text=True)
    client.post("/abmelden")
    login_as("crew_parks")
    assert case in client.get("/staff/warteschlange").get_data(as_text=True)


def test_crew_cannot_publish_or_forward(client, case, login_as):
    login_as("crew_light")
    assert act(client, case, "veroeffentlichen").status_code == 403
    assert act(client, case, "weiterleiten", department="tbs-gruen").status_code == 403
    assert current(case).published_at is None
    assert current(case).department.code == "tbs-licht"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "kaputt"}, "Unbekannter Status"),
        ({"status": "received"}, "bereits diesen Status"),
        ({"status": "resolved", "note": "x" * 2001}, "höchstens 2000 Zeichen"),
        ({"status": "resolved", "note": "a\x00b"}, "Steuerzeichen"),
    ],
)
def test_bad_changes_are_refused(client, case, data, message, login_as):
    login_as("crew_light")
    before = (current(case).status, events())
    response = act(client, case, "status", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (current(case).status, events()) == before


def test_forged_ids_and_actions(client, case, login_as):
    login_as("dispatcher")
    assert (
        client.post("/staff/meldungen/2099-999999/status", data={"status": "resolved"}).status_code
        == 404
    )
    assert act(client, case, "loeschen").status_code == 404
    assert act(client, case, "weiterleiten", department="gibtsnicht").status_code == 422


def test_missing_csrf_token_changes_nothing(client, case, app, monkeypatch, login_as):
    login_as("crew_light")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert act(client, case, "status", status="resolved").status_code == 400
    assert current(case).status == "received"


def test_changed_meanwhile(app, case, login_as):
    first, second = app.test_client(), app.test_client()
    login_as("crew_light", first)
    login_as("dispatcher", second)
    seen = str(current(case).version)
    assert act(first, case, "status", status="in_progress", version=seen).status_code == 302
    late = act(second, case, "status", status="wont_fix", note="zu spät", version=seen)
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "inzwischen geändert" in page and "In Bearbeitung" in page  # shows the current state
    assert current(case).status == "in_progress"
    assert act(second, case, "status", status="wont_fix").status_code == 302  # on reload: fine


def test_resolved_with_an_after_photo(client, case, uploads, login_as):
    import io

    from app.models import Photo
    from tests.factories import jpeg

    login_as("dispatcher")
    act(client, case, "veroeffentlichen")
    client.post("/abmelden")
    login_as("crew_light")
    response = act(
        client,
        case,
        "status",
        status="resolved",
        note="Repariert.",
        visibility="public",
        photo=(io.BytesIO(jpeg(gps=(51.17, 7.08))), "nachher.jpg"),
    )
    assert response.status_code == 302
    photo = db.session.scalar(select(Photo).where(Photo.after))
    assert photo is not None
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Foto hinzugefügt" in public and photo.thumbnail in public
    raw = client.get(f"/fotos/{photo.filename}").data
    assert b"Exif" not in raw  # the crew's phone position is stripped as well
    staff_photo = client.get(f"/staff/meldungen/{case}/fotos/{photo.thumbnail}")
    assert staff_photo.status_code == 200 and "no-store" in staff_photo.headers["Cache-Control"]


def test_a_bad_after_photo_changes_nothing(client, case, uploads, login_as):
    import io

    login_as("crew_light")
    before = (current(case).status, events())
    response = act(
        client, case, "status", status="resolved", photo=(io.BytesIO(b"kein Bild"), "nachher.jpg")
    )
    assert response.status_code == 422
    assert "kein unterstütztes Bild" in response.get_data(as_text=True)
    assert (current(case).status, events()) == before
    assert list(uploads.iterdir()) == []


def test_dispatcher_enters_a_phone_report(client, case, login_as):
    login_as("dispatcher")
    assert client.get("/staff/erfassen").status_code == 200
    data = form_data(
        description="Anruf: Ampel aus",
        channel="phone",
        category=str(db.session.scalar(select(Report.category_id).limit(1))),
    )
    response = client.post("/staff/erfassen", data=data)
    assert response.status_code == 302
    report = db.session.scalar(select(Report).where(Report.description == "Anruf: Ampel aus"))
    assert report.channel == "phone" and report.district.name == "Mitte"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Privater Link für die meldende Person" in page and "/verfolgen/" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "brieftaube"}, "Keine gültige Auswahl."),
        ({"channel": "letter", "lat": "51.2546", "lon": "7.1497"}, "außerhalb des Stadtgebiets"),
        ({"channel": "email", "description": ""}, "Bitte beschreiben Sie den Mangel"),
    ],
)
def test_bad_intake_is_refused(client, case, data, message, login_as):
    login_as("dispatcher")
    before = db.session.scalar(select(func.count()).select_from(Report))
    response = client.post("/staff/erfassen", data=form_data(**data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Report)) == before


def test_crew_cannot_enter_reports(client, case, login_as):
    login_as("crew_light")
    assert client.get("/staff/erfassen").status_code == 403
    assert client.post("/staff/erfassen", data=form_data(channel="phone")).status_code == 403


def test_priority_and_assignment_stay_internal(client, case, login_as):
    from app.models import User

    login_as("dispatcher")
    assert act(client, case, "prioritaet", priority="2").status_code == 302
    colleague = db.session.scalar(select(User).where(User.email == "licht@example.org"))
    assert act(client, case, "zuweisen", assignee=str(colleague.id)).status_code == 302
    report = current(case)
    assert report.priority == 2 and report.assignee_id == colleague.id
    staff_page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "Priorität: dringend." in staff_page and "Zugewiesen an Licht." in staff_page
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "dringend" not in public and "Zugewiesen" not in public


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("prioritaet", {"priority": "7"}, "Unbekannte Priorität"),
        ("prioritaet", {"priority": "0"}, "bereits diese Priorität"),
        ("zuweisen", {"assignee": "abc"}, "arbeitet nicht für die zuständige Abteilung"),
    ],
)
def test_bad_priority_or_assignment(client, case, action, data, message, login_as):
    login_as("crew_light")
    before = events()
    response = act(client, case, action, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert events() == before


def test_crew_cannot_assign_to_another_department(client, case, login_as):
    from app.models import User

    login_as("crew_light")
    other = db.session.scalar(select(User).where(User.email == "gruen@example.org"))
    response = act(client, case, "zuweisen", assignee=str(other.id))
    assert response.status_code == 422
    assert current(case).assignee_id is None


def test_queue_sorts_by_priority_and_by_distance(client, case, login_as, make_report):
    newer = make_report(description="zweite", at=(51.2035, 7.0818)).case_number  # Gräfrath
    login_as("dispatcher")
    act(client, newer, "prioritaet", priority="2")

    def order(query: str) -> list[str]:
        page = client.get(f"/staff/warteschlange?{query}").get_data(as_text=True)
        return [c for c in re.findall(r"<strong>(\d{4}-\d+)</strong>", page) if c in (case, newer)]

    assert order("sortierung=alter") == [case, newer]
    assert order("sortierung=prioritaet") == [newer, case]
    assert order("sortierung=naehe&lat=51.2035&lon=7.0818") == [newer, case]
    assert order("sortierung=naehe&lat=51.1705&lon=7.0845") == [case, newer]
    page = client.get("/staff/warteschlange?sortierung=naehe").get_data(as_text=True)
    assert "Für „Nähe“ wird Ihr Standort gebraucht." in page


def test_dispatcher_corrects_category_and_district(client, case, login_as):
    login_as("dispatcher")
    assert act(client, case, "kategorie", category="ampel").status_code == 302
    assert act(client, case, "bezirk", district="5").status_code == 302
    report = current(case)
    assert report.category.code == "ampel" and report.district.code == "5"
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Kategorie berichtigt: Ampel defekt." in public
    assert "Stadtbezirk berichtigt: Gräfrath." in public


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("kategorie", {"category": "gibtsnicht"}, "Unbekannte Angabe für Kategorie"),
        ("kategorie", {"category": "licht"}, "Kategorie ist bereits"),
        ("bezirk", {"district": "99"}, "Unbekannte Angabe für Stadtbezirk"),
    ],
)
def test_bad_corrections_change_nothing(client, case, action, data, message, login_as):
    login_as("dispatcher")
    before = events()
    response = act(client, case, action, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert events() == before


def test_crew_cannot_correct(client, case, login_as):
    login_as("crew_light")
    assert act(client, case, "kategorie", category="ampel").status_code == 403
    assert current(case).category.code == "licht"
