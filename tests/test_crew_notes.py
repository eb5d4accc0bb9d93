"""Crews add notes and after photos without changing the status, and a refused save never
loses what was typed: the page comes back with the note, the choices and word about the photo."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import EventKind, OutboxMail, Photo, Status, TimelineEvent
from tests.factories import jpeg
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events

JSON = {"Accept": "application/json"}


@pytest.fixture
def published(make_report, staff) -> str:
    """A published street light report with the reporter's photo and e-mail address."""
    report = make_report(
        description="Laterne dunkel",
        photos=[jpeg()],
        published=True,
        reporter_email="a@example.org",
    )
    return report.case_number


def mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def kinds(case: str) -> list[str]:
    return [e.kind for e in current(case).events]


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


def selected(page: str, select_id: str) -> str:
    block = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert block
    return re.search(r'<option value="([^"]+)" selected', block.group(0)).group(1)


def test_a_public_note_without_a_status_change(client, published, login_as):
    login_as("crew_light")
    before = (current(published).version, current(published).updated_at, mails())
    response = act(
        client,
        published,
        "status",
        status="received",
        note="Material bestellt.",
        visibility="public",
    )
    assert response.status_code == 302
    report = current(published)
    assert report.status == "received"
    assert kinds(published)[-1] == EventKind.PUBLIC_NOTE and EventKind.STATUS_CHANGE not in [
        e.kind for e in report.events[1:]
    ]
    # The public page changed, so the report counts as updated; no status mail (as a partner's
    # note without a status change).
    assert report.version > before[0] and report.updated_at > before[1]
    assert mails() == before[2]
    public = client.get(f"/meldungen/{published}").get_data(as_text=True)
    assert "Hinweis der Stadt" in public and "Material bestellt." in public


def test_an_internal_note_without_a_status_change_stays_inside(client, published, login_as):
    login_as("crew_light")
    before = current(published).updated_at
    response = act(
        client,
        published,
        "status",
        status="received",
        note="Hubsteiger ab Montag.",
        visibility="internal",
    )
    assert response.status_code == 302
    assert current(published).updated_at == before  # nothing public changed
    assert "Hubsteiger" not in client.get(f"/meldungen/{published}").get_data(as_text=True)
    assert "Hubsteiger" in client.get(f"/staff/meldungen/{published}").get_data(as_text=True)


def test_an_after_photo_alone_is_tied_to_its_timeline_entry(client, published, uploads, login_as):
    login_as("crew_light")
    response = act(
        client,
        published,
        "status",
        status="received",
        visibility="public",
        photo=(io.BytesIO(jpeg(gps=(51.17, 7.08))), "nachher.jpg"),
    )
    assert response.status_code == 302
    photo = db.session.scalar(select(Photo).where(Photo.after))
    event = db.session.get(TimelineEvent, photo.event_id)
    assert event.kind == EventKind.PHOTO and event.public and event.report_id == photo.report_id
    assert not photo.hidden and current(published).status == "received"


def test_status_change_note_and_photo_in_one_save(client, published, uploads, login_as):
    login_as("crew_light")
    response = act(
        client,
        published,
        "status",
        status="resolved",
        note="Leuchtmittel getauscht.",
        visibility="public",
        photo=(io.BytesIO(jpeg()), "nachher.jpg"),
    )
    assert response.status_code == 302
    assert kinds(published)[-3:] == [
        EventKind.STATUS_CHANGE,
        EventKind.PUBLIC_NOTE,
        EventKind.PHOTO,
    ]
    assert current(published).status == "resolved"


def test_a_photo_for_staff_only_is_hidden_from_the_public(client, published, uploads, login_as):
    login_as("crew_light")
    act(
        client,
        published,
        "status",
        status="received",
        visibility="internal",
        photo=(io.BytesIO(jpeg()), "intern.jpg"),
    )
    photo = db.session.scalar(select(Photo).where(Photo.after))
    assert photo.hidden and not db.session.get(TimelineEvent, photo.event_id).public
    public = client.get(f"/meldungen/{published}").get_data(as_text=True)
    assert photo.thumbnail not in public and "nachher" not in public
    assert client.get(f"/fotos/{photo.filename}").status_code == 404
    assert photo.thumbnail in client.get(f"/staff/meldungen/{published}").get_data(as_text=True)


def test_nothing_to_save_is_refused_with_a_hint(client, published, login_as):
    login_as("crew_light")
    before = events()
    response = act(client, published, "status", status="received", note="   \r\n ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "bereits diesen Status" in page and "Notiz schreiben oder ein Foto wählen" in page
    assert events() == before


def test_a_note_on_a_closed_report_keeps_it_closed(client, make_report, staff, login_as):
    case = make_report(status=Status.RESOLVED, age=timedelta(days=2)).case_number
    login_as("crew_light")
    assert (
        act(client, case, "status", status="resolved", note="Nachkontrolle ok.").status_code == 302
    )
    assert current(case).status == "resolved" and kinds(case)[-1] == EventKind.INTERNAL_NOTE


def test_a_refused_photo_keeps_the_note_and_choices_and_asks_for_the_photo(
    client, published, uploads, login_as
):
    login_as("crew_light")
    before = events()
    response = act(
        client,
        published,
        "status",
        status="in_progress",
        note="Kabel defekt, <b>Bagger</b>",
        visibility="internal",
        shown_status="received",
        photo=(io.BytesIO(b"kein Bild"), "nachher.jpg"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert textarea(page, "note") == "Kabel defekt, <b>Bagger</b>"
    assert "<b>Bagger" not in page  # shown as text, not markup
    assert selected(page, "status") == "in_progress"
    assert re.search(r'value="internal" checked', page)
    assert "Das Foto „nachher.jpg“ wurde nicht gespeichert. Bitte wählen Sie es erneut aus." in page
    assert events() == before and list(uploads.iterdir()) == []


def test_the_script_keeps_the_photo_itself(client, published, uploads, login_as):
    login_as("crew_light")
    response = client.post(
        f"/staff/meldungen/{published}/status",
        data={
            "version": str(current(published).version),
            "status": "received",
            "note": "Foto folgt",
            "photo": (io.BytesIO(b"kein Bild"), "nachher.jpg"),
        },
        headers=JSON,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert textarea(page, "note") == "Foto folgt" and "erneut aus" not in page


def test_the_script_is_told_where_to_go_and_the_message_waits(client, published, login_as):
    login_as("crew_light")
    response = client.post(
        f"/staff/meldungen/{published}/status",
        data={"version": str(current(published).version), "status": "received", "note": "Ok"},
        headers=JSON,
    )
    assert response.status_code == 200
    assert response.get_json() == {"redirect": f"/staff/meldungen/{published}"}
    assert "Gespeichert." in client.get(f"/staff/meldungen/{published}").get_data(as_text=True)


def test_changed_meanwhile_keeps_the_note_and_does_not_undo_the_other_change(
    app, published, login_as
):
    crew, desk = app.test_client(), app.test_client()
    login_as("crew_light", crew)
    login_as("dispatcher", desk)
    seen = str(current(published).version)
    assert act(desk, published, "status", status="in_progress").status_code == 302
    late = act(
        crew,
        published,
        "status",
        status="received",
        shown_status="received",
        note="Material bestellt.",
        visibility="public",
        version=seen,
    )
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert textarea(page, "note") == "Material bestellt."
    # The crew meant "no change": the form now offers the status someone else set, so saving
    # again adds the note instead of setting the old status back.
    assert selected(page, "status") == "in_progress"
    again = act(crew, published, "status", status="in_progress", note="Material bestellt.")
    assert again.status_code == 302 and current(published).status == "in_progress"


def test_changed_meanwhile_keeps_a_chosen_new_status(app, published, login_as):
    crew, desk = app.test_client(), app.test_client()
    login_as("crew_light", crew)
    login_as("dispatcher", desk)
    seen = str(current(published).version)
    act(desk, published, "prioritaet", priority="2")
    late = act(crew, published, "status", status="resolved", shown_status="received", version=seen)
    assert late.status_code == 409 and selected(late.get_data(as_text=True), "status") == "resolved"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "²", "note": "x"}, "Unbekannter Status"),
        ({"status": "received\x00", "note": "x"}, "Unbekannter Status"),
        ({"status": "received", "note": "x" * 100_000}, "höchstens 2000 Zeichen"),
        ({"status": "received", "note": "a\x1bb"}, "Steuerzeichen"),
        ({"status": "duplicate", "note": "x"}, "Als Duplikat schließen"),
    ],
)
def test_hostile_notes_are_refused_and_nothing_is_stored(
    client, published, data, message, login_as
):
    login_as("crew_light")
    before = (current(published).version, events())
    response = act(client, published, "status", shown_status="received", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert (current(published).version, events()) == before
    kept = textarea(response.get_data(as_text=True), "note")
    assert len(kept) <= 10_000 and "\x00" not in kept and "\x1b" not in kept


def test_an_unknown_visibility_counts_as_internal(client, published, login_as):
    login_as("crew_light")
    act(client, published, "status", status="received", note="Nur für uns", visibility="öffentlich")
    assert kinds(published)[-1] == EventKind.INTERNAL_NOTE
    assert "Nur für uns" not in client.get(f"/meldungen/{published}").get_data(as_text=True)


def test_a_hostile_photo_name_is_shown_as_plain_text(client, published, uploads, login_as):
    login_as("crew_light")
    name = "<script>alert(1)</script>\x07" + "x" * 300 + ".jpg"
    response = act(
        client,
        published,
        "status",
        status="received",
        note="n",
        photo=(io.BytesIO(b"kein Bild"), name),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<script>alert" not in page and "\x07" not in page
    assert "x" * 301 not in page


def test_another_department_can_add_no_note(client, published, login_as):
    login_as("crew_parks")
    before = events()
    assert act(client, published, "status", status="received", note="x").status_code == 403
    assert events() == before
