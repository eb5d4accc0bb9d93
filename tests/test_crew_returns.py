"""Back to the central inbox ("Zurück an die Leitstelle"): a crew sends a wrongly routed job
back with a reason; it leaves the crew's queue, waits in the inbox with the reason (an internal
note, never public) until a dispatcher forwards it, hands it to a body, closes it or keeps it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Body, EventKind, Status, User
from app.staff import returns
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events

REASON = "Kein Laternenmast: die Ampel an der Kreuzung ist gemeint."


def queue(client) -> str:
    return client.get("/staff/warteschlange").get_data(as_text=True)


def inbox(client) -> str:
    return client.get("/staff/eingang").get_data(as_text=True)


@pytest.fixture
def assigned(case, client, login_as) -> str:
    """The street light report, published and assigned to the light crew's member."""
    login_as("dispatcher")
    act(client, case, "veroeffentlichen")
    colleague = db.session.scalar(select(User).where(User.email == "licht@example.org"))
    act(client, case, "zuweisen", assignee=str(colleague.id))
    client.post("/abmelden")
    return case


def send_back(client, case: str, reason: str = REASON):
    return act(client, case, "zurueck", reason=reason)


def test_a_crew_sends_a_job_back_and_the_inbox_sees_why(client, assigned, login_as):
    login_as("crew_light")
    assert assigned in queue(client)
    response = send_back(client, assigned)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/warteschlange"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ist zurück bei der Leitstelle" in page and f"<strong>{assigned}</strong>" not in page
    report = current(assigned)
    assert report.returned_at is not None and report.return_reason == REASON
    assert report.assignee_id is None and report.department.code == "tbs-licht"
    last = report.events[-1]
    assert (last.kind, last.public, last.author) == (EventKind.INTERNAL_NOTE, False, "Licht")
    assert last.note == f"Zurück an die Leitstelle: {REASON}"
    # The crew can still open it and sees where it is.
    own = client.get(f"/staff/meldungen/{assigned}").get_data(as_text=True)
    assert "Zurück an die Leitstelle" in own and REASON in own
    assert 'action="/staff/meldungen/' + assigned + '/zurueck"' not in own
    client.post("/abmelden")
    login_as("dispatcher")
    desk = inbox(client)
    assert "Von Abteilungen zurückgegeben (1)" in desk and REASON in desk and assigned in desk
    assert "Bei der Abteilung lassen" in client.get(f"/staff/meldungen/{assigned}").get_data(
        as_text=True
    )
    public = client.get(f"/meldungen/{assigned}").get_data(as_text=True)
    assert REASON not in public and "Leitstelle" not in public


def test_forwarding_to_the_right_department_settles_it(client, assigned, login_as):
    login_as("crew_light")
    send_back(client, assigned)
    client.post("/abmelden")
    login_as("dispatcher")
    assert act(client, assigned, "weiterleiten", department="tbs-gruen").status_code == 302
    assert current(assigned).returned_at is None and current(assigned).return_reason is None
    assert "Von Abteilungen zurückgegeben" not in inbox(client)
    client.post("/abmelden")
    login_as("crew_parks")
    assert f"<strong>{assigned}</strong>" in queue(client)


def test_the_inbox_leaves_it_with_the_department(client, assigned, login_as):
    login_as("crew_light")
    send_back(client, assigned)
    client.post("/abmelden")
    login_as("dispatcher")
    response = act(client, assigned, "bei-abteilung", note="Doch Laterne, siehe Foto.")
    assert response.status_code == 302
    report = current(assigned)
    assert report.returned_at is None and report.department.code == "tbs-licht"
    assert report.events[-1].note == (
        "Rückgabe geprüft: bleibt bei TBS – Straßenbeleuchtung. Doch Laterne, siehe Foto."
    )
    assert "Von Abteilungen zurückgegeben" not in inbox(client)
    client.post("/abmelden")
    login_as("crew_light")
    assert f"<strong>{assigned}</strong>" in queue(client)


def test_closed_or_forwarded_to_a_body_it_leaves_the_inbox(client, assigned, login_as):
    login_as("crew_light")
    send_back(client, assigned)
    client.post("/abmelden")
    login_as("dispatcher")
    assert [r.case_number for r in returns.waiting()] == [assigned]
    act(client, assigned, "status", status="wont_fix", note="Privatgrund.")
    assert returns.waiting() == []
    act(client, assigned, "status", status="received")
    assert [r.case_number for r in returns.waiting()] == [assigned]  # reopened: still unsettled
    body = Body(name="Straßen.NRW", email="meldungen@strassen-nrw.example")
    db.session.add(body)
    db.session.commit()
    act(client, assigned, "an-stelle", body=str(body.id), reason="Landesstraße")
    assert returns.waiting() == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Bitte einen Grund angeben"),
        ("  \r\n\t ", "Bitte einen Grund angeben"),
        ("x" * 501, "höchstens 500 Zeichen"),
        ("falsch\x00", "Steuerzeichen"),
        ("falsch\x1b[31m", "Steuerzeichen"),
    ],
)
def test_a_reason_is_required_and_checked(client, assigned, reason, message, login_as):
    login_as("crew_light")
    before = (current(assigned).version, events())
    response = send_back(client, assigned, reason)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert (current(assigned).version, events()) == before
    assert current(assigned).returned_at is None


def test_a_refused_reason_is_shown_again(client, assigned, login_as):
    login_as("crew_light")
    response = send_back(client, assigned, "Ampel <gemeint>" + "!" * 600)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Ampel &lt;gemeint&gt;" + "!" * 600 in page
        and '<details class="return-to-desk" open>' in page
    )


def test_twice_or_when_closed_it_is_refused(client, assigned, make_report, login_as):
    login_as("crew_light")
    assert send_back(client, assigned).status_code == 302
    again = send_back(client, assigned)
    assert again.status_code == 422 and "bereits bei der Leitstelle" in again.get_data(as_text=True)
    closed = make_report(status=Status.RESOLVED).case_number
    refused = send_back(client, closed)
    assert refused.status_code == 422 and "Nur offene Meldungen" in refused.get_data(as_text=True)


def test_keeping_needs_a_returned_job(client, assigned, login_as):
    login_as("dispatcher")
    before = events()
    response = act(client, assigned, "bei-abteilung")
    assert response.status_code == 422 and "nicht an die Leitstelle" in response.get_data(
        as_text=True
    )
    assert events() == before


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("dispatcher", "zurueck", 403),  # the Leitstelle itself forwards instead
        ("crew_parks", "zurueck", 403),
        ("crew_light", "bei-abteilung", 403),
        ("crew_parks", "bei-abteilung", 403),
    ],
)
def test_who_may_not(client, assigned, login_as, who, action, status):
    if action == "bei-abteilung":
        login_as("crew_light")
        send_back(client, assigned)
        client.post("/abmelden")
    login_as(who)
    before = (current(assigned).version, events())
    response = act(client, assigned, action, reason=REASON, note="x")
    assert response.status_code == status
    assert (current(assigned).version, events()) == before


def test_an_outdated_page_is_refused_with_the_reason_kept(app, assigned, login_as):
    crew, desk = app.test_client(), app.test_client()
    login_as("crew_light", crew)
    login_as("dispatcher", desk)
    seen = str(current(assigned).version)
    act(desk, assigned, "prioritaet", priority="1")
    late = act(crew, assigned, "zurueck", reason=REASON, version=seen)
    assert late.status_code == 409 and REASON in late.get_data(as_text=True)
    assert current(assigned).returned_at is None


def test_the_inbox_lists_them_longest_waiting_first(client, make_report, staff, login_as):
    first = make_report(description="eins").case_number
    second = make_report(description="zwei").case_number
    login_as("crew_light")
    send_back(client, second, "zuerst")
    send_back(client, first, "danach")
    assert [r.case_number for r in returns.waiting()] == [second, first]
