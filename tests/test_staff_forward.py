"""Staff hand a report to another body ("Zuständige Stelle"): one job, one public timeline entry
with the reason, out of the departments' queues; anything refused stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Body, EventKind, ExchangeJob, JobState, TimelineEvent
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events

REASON = "Die Laterne steht an der Landesstraße L 74: zuständig ist Straßen.NRW."
REPORTER = ("Wendelin Zwirbelbart", "w.zwirbelbart@example.org", "0212 4471188")


@pytest.fixture
def bodies(app) -> dict[str, Body]:
    found = {
        "land": Body(name="Straßen.NRW", email="meldungen@strassen-nrw.example"),
        "nachbar": Body(name="Stadt Wuppertal", email="maengel@wuppertal.example"),
    }
    db.session.add_all(found.values())
    db.session.commit()  # a savepoint: a refused request must not take the bodies with it
    return found


@pytest.fixture
def case(make_report, staff) -> str:
    """An unchecked street light report with the reporter's contact data."""
    name, email, phone = REPORTER
    report = make_report(
        description="Laterne flackert",
        reporter_name=name,
        reporter_email=email,
        reporter_phone=phone,
    )
    return report.case_number


def jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(ExchangeJob))


def unchanged(case: str) -> tuple:
    report = current(case)
    return report.version, report.body_id, jobs(), events()


def test_forwarding_queues_one_job_and_tells_the_public_why(client, case, bodies, login_as):
    login_as("dispatcher")
    assert case in client.get("/staff/warteschlange").get_data(as_text=True)
    land = bodies["land"]
    response = act(client, case, "an-stelle", body=str(land.id), reason=REASON)
    assert response.status_code == 302
    job = db.session.scalars(select(ExchangeJob)).one()
    assert (job.report_id, job.body_id, job.reason) == (current(case).id, land.id, REASON)
    assert current(case).body_id == land.id
    forwarded = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.kind == EventKind.FORWARDED)
    ).one()
    assert forwarded.public and REASON in forwarded.note and forwarded.author == "Poststelle"
    assert case not in client.get("/staff/warteschlange").get_data(as_text=True)
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    for text in ("weitergeleitet", "Straßen.NRW", REASON):
        assert text in public
    for secret in (*REPORTER, "zwirbel", "4471188"):
        assert secret not in public


def test_the_staff_page_names_the_body_and_its_jobs(client, case, bodies, login_as):
    login_as("dispatcher")
    act(client, case, "an-stelle", body=str(bodies["land"].id), reason=REASON)
    job = db.session.scalars(select(ExchangeJob)).one()
    job.state, job.remote_id, job.last_error = JobState.FAILED, "SR-4711", "Schlüssel abgelehnt"
    db.session.commit()
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "Zuständige Stelle" in page and "Straßen.NRW" in page
    for text in ("fehlgeschlagen", "SR-4711", "Schlüssel abgelehnt"):
        assert text in page


def test_the_form_needs_a_body_and_says_the_reason_is_public(client, case, login_as, app):
    login_as("dispatcher")
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "An andere Stelle weiterleiten" not in page
    db.session.add(Body(name="Stadtwerke Solingen", email="stoerung@sw.example"))
    db.session.commit()
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "An andere Stelle weiterleiten" in page and "Stadtwerke Solingen" in page
    assert '<label for="body-reason">' in page and "öffentlichen Verlauf" in page
    assert "Weiterleitungen an andere Stellen" not in page  # no job yet, no empty table


def test_forwarding_twice_to_the_same_body_is_refused(client, case, bodies, login_as):
    login_as("admin")
    land = str(bodies["land"].id)
    assert act(client, case, "an-stelle", body=land, reason=REASON).status_code == 302
    before = unchanged(case)
    again = act(client, case, "an-stelle", body=land, reason="Noch einmal.")
    assert again.status_code == 422
    assert "bereits an Straßen.NRW weitergeleitet" in again.get_data(as_text=True)
    assert unchanged(case) == before and jobs() == 1


def test_a_second_body_takes_over(client, case, bodies, login_as):
    login_as("dispatcher")
    act(client, case, "an-stelle", body=str(bodies["land"].id), reason=REASON)
    nachbar = bodies["nachbar"]
    response = act(client, case, "an-stelle", body=str(nachbar.id), reason="Gehört zu Wuppertal.")
    assert response.status_code == 302
    assert current(case).body_id == nachbar.id and jobs() == 2


LIMIT = 2000  # DESCRIPTION_MAX_LENGTH of the test configuration (checked below)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Bitte einen Grund angeben"),
        ({"reason": " \r\n "}, "Bitte einen Grund angeben"),
        ({"reason": "x" * (LIMIT + 1)}, f"höchstens {LIMIT} Zeichen"),
        ({"reason": "a\x00b"}, "Steuerzeichen"),
        ({"reason": "Klingel\x07"}, "Steuerzeichen"),
        ({"body": "999999"}, "Unbekannte Stelle"),
        ({"body": "abc"}, "Unbekannte Stelle"),
        ({"body": ""}, "Bitte eine Stelle wählen"),
        ({"body": "1²"}, "Unbekannte Stelle"),
    ],
)
def test_bad_forwarding_stores_nothing(client, case, bodies, data, message, login_as, app):
    assert app.config["DESCRIPTION_MAX_LENGTH"] == LIMIT
    login_as("dispatcher")
    before = unchanged(case)
    form = {"body": str(bodies["land"].id), "reason": REASON} | data
    response = act(client, case, "an-stelle", **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert unchanged(case) == before


def test_the_longest_reason_is_accepted(client, case, bodies, login_as):
    login_as("dispatcher")
    reason = "x" * LIMIT
    response = act(client, case, "an-stelle", body=str(bodies["land"].id), reason=reason)
    assert response.status_code == 302
    assert db.session.scalars(select(ExchangeJob)).one().reason == reason


def test_an_outdated_page_forwards_nothing(client, case, bodies, login_as):
    login_as("dispatcher")
    seen = str(current(case).version)
    assert act(client, case, "prioritaet", priority="1").status_code == 302
    before = unchanged(case)
    late = act(client, case, "an-stelle", body=str(bodies["land"].id), reason=REASON, version=seen)
    assert late.status_code == 409
    assert "inzwischen geändert" in late.get_data(as_text=True)
    assert unchanged(case) == before


@pytest.mark.parametrize("who", ["crew_light", "crew_parks"])
def test_crews_may_not_forward_to_a_body(client, case, bodies, who, login_as):
    login_as(who)
    before = unchanged(case)
    response = act(client, case, "an-stelle", body=str(bodies["land"].id), reason=REASON)
    assert response.status_code == 403
    assert unchanged(case) == before
    if who == "crew_light":  # their own report: the page opens, without the form
        page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
        assert "An andere Stelle weiterleiten" not in page
