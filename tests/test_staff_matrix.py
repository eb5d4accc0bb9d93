"""Every staff URL and every action × anonymous, crew of the report's department, crew of
another department, dispatcher and admin — called directly, as a hostile client would, without
the pages that hide buttons. A refused call changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Body,
    Inquiry,
    Photo,
    RejectedReport,
    Report,
    ResolutionFeedback,
    TimelineEvent,
    User,
)
from app.models.inquiry import REPORTER
from tests.factories import jpeg
from tests.fixtures.staff import ACCOUNTS
from tests.helpers import form_data

EVERYONE = {"crew_light", "dispatcher", "admin"}  # crew_light works for the report's department
INBOX = {"dispatcher", "admin"}
DEPARTMENT = {"crew_light", "admin"}  # the departments' own actions (admins act for anyone)

# action -> (form data, who may)
ACTIONS = {
    "status": ({"status": "in_progress", "visibility": "public"}, EVERYONE),
    "prioritaet": ({"priority": "2"}, EVERYONE),
    "zuweisen": ({"assignee": "{licht}"}, EVERYONE),
    "veroeffentlichen": ({}, INBOX),
    "text": ({"description": "geschwärzt"}, INBOX),
    "foto": ({"photo": "{photo}"}, INBOX),
    "schwaerzen": ({"photo": "{photo}", "neu": "10,10,40,40"}, INBOX),
    "duplikat": ({"original": "{other}", "bestaetigt": "1"}, INBOX),
    "kategorie": ({"category": "ampel"}, INBOX),
    "bezirk": ({"district": "5"}, INBOX),
    "weiterleiten": ({"department": "tbs-gruen"}, INBOX),
    "an-stelle": ({"body": "{body}", "reason": "Landesstraße"}, INBOX),
    "ablehnen": ({"reason": "spam", "bestaetigt": "1"}, INBOX),
    "pruefen": (
        {
            "description": "Laterne dunkel",
            "category": "licht",
            "district": "{district}",
            "department": "tbs-licht",
            "shown_department": "tbs-licht",
            "shown_category": "licht",
            "shown_status": "received",
            "priority": "2",
            "status": "received",
            "visibility": "public",
        },
        INBOX,
    ),
    "zurueck": ({"reason": "Falsch zugeordnet"}, DEPARTMENT),
    "bei-abteilung": ({"note": "Passt doch"}, INBOX),
    "rueckfrage": ({"question": "Wo genau?"}, EVERYONE),
    "antwort-veroeffentlichen": ({"inquiry": "{inquiry}"}, INBOX),
    "duplikat-aufheben": ({}, INBOX),
    "kommentar-veroeffentlichen": ({"antwort": "{feedback}"}, INBOX),
}
# Actions on a job that a crew sent back to the inbox first.
ON_RETURNED = {"bei-abteilung"}
# Actions on a report closed today as a duplicate of the other one.
ON_DUPLICATE = {"duplikat-aufheben"}


@pytest.fixture
def reports(make_report, staff) -> dict[str, str]:
    for text in ("Laterne dunkel", "Laterne auch dunkel"):
        make_report(description=text, photos=[jpeg()], reporter_email="melder@example.org")
    case, other = db.session.scalars(select(Report.case_number).order_by(Report.id))
    photo = db.session.scalar(select(Photo).order_by(Photo.id))
    body = Body(name="Straßen.NRW", email="meldungen@strassen-nrw.example")
    db.session.add(body)
    inquiry = _answered_inquiry(case, staff["dispatcher"])
    feedback = _reopen_comment(case)
    db.session.commit()
    return {
        "case": case,
        "other": other,
        "photo": str(photo.id),
        "photo_name": photo.thumbnail,
        "licht": str(staff["crew_light"].id),
        "body": str(body.id),
        "district": db.session.scalar(
            select(Report).where(Report.case_number == case)
        ).district.code,
        "inquiry": str(inquiry.id),
        "feedback": str(feedback.id),
        "version": str(db.session.scalar(select(Report.version).where(Report.case_number == case))),
    }


def sent_back(case: str) -> None:
    report = db.session.scalar(select(Report).where(Report.case_number == case))
    report.returned_at = func.now()
    report.return_reason = "Falsch zugeordnet"
    db.session.commit()


def closed_as_duplicate(case: str, other: str) -> None:
    report, original = (
        db.session.scalar(select(Report).where(Report.case_number == number))
        for number in (case, other)
    )
    report.status, report.duplicate_of = "duplicate", original
    db.session.add(
        TimelineEvent(report=report, kind="status_change", status="duplicate", author="Test")
    )
    db.session.commit()


def _reopen_comment(case: str) -> ResolutionFeedback:
    """A "nicht behoben" with a comment (an internal note by the reporter)."""
    report = db.session.scalar(select(Report).where(Report.case_number == case))
    note = TimelineEvent(
        report=report, kind="internal_note", public=False, note="Noch dunkel.", author=REPORTER
    )
    feedback = ResolutionFeedback(
        report=report,
        department_id=report.department_id,
        answer="reopened",
        answered_at=datetime.now(UTC),
        comment_event=note,
    )
    db.session.add_all([note, feedback])
    return feedback


def _answered_inquiry(case: str, asker: User) -> Inquiry:
    """A question to the reporter, answered (so a new one may be asked, and this one published)."""
    report = db.session.scalar(select(Report).where(Report.case_number == case))
    now = datetime.now(UTC)
    answer = TimelineEvent(
        report=report, kind="internal_note", public=False, note="Vor der 14.", author=REPORTER
    )
    db.session.add(answer)
    inquiry = Inquiry(
        report=report,
        question="Welche Hausnummer?",
        token_hash="0" * 64,
        asked_by=asker.name,
        asked_by_id=asker.id,
        expires_at=now + timedelta(days=30),
        answered_at=now,
        answer_event=answer,
    )
    db.session.add(inquiry)
    return inquiry


def state() -> tuple:
    db.session.expire_all()
    report = db.session.scalar(select(Report).order_by(Report.id).limit(1))
    return (
        report.version,
        db.session.scalar(select(func.count()).select_from(TimelineEvent)),
        db.session.scalar(select(func.count()).select_from(RejectedReport)),
    )


def expect(response, who: str, allowed: set[str]) -> None:
    if who == "anonymous":
        assert response.status_code == 302
        assert "/anmelden" in response.headers["Location"]
    elif who in allowed:
        assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403


WHO = ["anonymous", *ACCOUNTS]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", WHO)
def test_action_matrix(client, reports, who, action, login_as):
    data, allowed = ACTIONS[action]
    if action in ON_RETURNED:
        sent_back(reports["case"])
    if action in ON_DUPLICATE:
        closed_as_duplicate(reports["case"], reports["other"])
    if who != "anonymous":
        login_as(who)
    before = state()
    form = {key: value.format(**reports) for key, value in data.items()}
    form["version"] = str(before[0])
    response = client.post(f"/staff/meldungen/{reports['case']}/{action}", data=form)
    expect(response, who, allowed)
    assert (state() != before) == (who in allowed)


ALL_STAFF = {*EVERYONE, "crew_parks"}  # pages every member of staff may open

PAGES = {
    "/staff/meldungen/{case}": EVERYONE,
    "/staff/meldungen/{case}/duplikat-pruefen?original={other}": INBOX,
    "/staff/abgelehnt": INBOX,
    "/staff/meldungen/{case}/fotos/{photo_name}": EVERYONE,
    "/staff/erfassen": INBOX,
    # The search answers every member of staff, a crew only with its departments' reports.
    "/staff/suche?q={case}": ALL_STAFF,
    "/staff/suche?q=Laterne": ALL_STAFF,
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("who", WHO)
def test_page_matrix(client, reports, who, page, login_as):
    if who != "anonymous":
        login_as(who)
    expect(client.get(page.format(**reports)), who, PAGES[page])


@pytest.mark.parametrize("who", WHO)
def test_intake_post_matrix(client, reports, who, login_as):
    if who != "anonymous":
        login_as(who)
    before = db.session.scalar(select(func.count()).select_from(Report))
    data = form_data(description="Anruf: Ampel aus", channel="phone")
    response = client.post("/staff/erfassen", data=data, content_type="multipart/form-data")
    expect(response, who, INBOX)
    after = db.session.scalar(select(func.count()).select_from(Report))
    assert after == before + (1 if who in INBOX else 0)


# The staff app's manifest and service worker: public (a browser fetches a manifest without
# cookies), the same for everyone, and with nothing personal in them.
APP_FILES = ("/sw-staff.js", "/manifest-staff.webmanifest")


@pytest.mark.parametrize("path", APP_FILES)
@pytest.mark.parametrize("who", WHO)
def test_app_files_matrix(client, reports, who, path, login_as):
    if who != "anonymous":
        login_as(who)
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert not any(account.email in body for account in ACCOUNTS.values())
    assert reports["case"] not in body


@pytest.mark.parametrize("who", WHO)
def test_search_matrix_shows_a_crew_only_its_departments(client, reports, who, login_as):
    if who != "anonymous":
        login_as(who)
    response = client.get("/staff/suche", query_string={"q": "melder@example.org"})
    expect(response, who, ALL_STAFF)
    page = response.get_data(as_text=True)
    assert (reports["case"] in page) == (who in EVERYONE)


@pytest.mark.parametrize("who", WHO)
def test_bulk_matrix(client, reports, who, login_as):
    """The bulk form's POST: each selected report checks who may change it."""
    if who != "anonymous":
        login_as(who)
    before = state()
    selected = f"{reports['case']}:{reports['version']}"
    data = {"auswahl": selected, "aktion": "status", "status": "in_progress"}
    response = client.post("/staff/auswahl", data=data)
    expect(response, who, EVERYONE)
    assert (state() != before) == (who in EVERYONE)


@pytest.mark.parametrize("who", WHO)
def test_restore_matrix(client, reports, who, login_as, staff):
    """Taking a rejection back: the inbox's, nobody else's."""
    from app.staff import moderation

    report = db.session.scalar(select(Report).where(Report.case_number == reports["other"]))
    moderation.reject(staff["dispatcher"], report, report.version, "spam", None)
    db.session.commit()
    rejected = db.session.scalar(select(RejectedReport))
    if who != "anonymous":
        login_as(who)
    response = client.post(f"/staff/abgelehnt/{rejected.id}/wiederherstellen")
    expect(response, who, INBOX)
    back = db.session.scalar(select(Report).where(Report.case_number == reports["other"]))
    assert (back is not None) == (who in INBOX)


@pytest.mark.parametrize("page", ["/staff/meldungen/{case}", "/staff/warteschlange"])
def test_staff_pages_are_kept_by_no_browser_cache(client, reports, page, login_as):
    login_as("crew_light")
    response = client.get(page.format(**reports))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
