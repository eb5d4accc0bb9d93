"""A rejection can be taken back the same day: the report returns with its timeline, photos and
place on the map; the next day its copy (with the reporter's data) and its files are gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.media.sweep import sweep
from app.models import RejectedReport, Report
from app.privacy.service import purge
from tests.factories import jpeg
from tests.fixtures.media import DAY, age
from tests.fixtures.reports import current
from tests.fixtures.staff import act
from tests.test_staff_moderation import map_total


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def rejected(make_report, login_as, client, uploads) -> dict:
    report = make_report(description="Billige Uhren", photos=[jpeg()])
    before = {
        "case": report.case_number,
        "events": len(report.events),
        "files": [n for p in report.photos for n in (p.filename, p.thumbnail)],
        "map": map_total(),
    }
    login_as("dispatcher")
    assert act(client, report.case_number, "ablehnen", reason="spam").status_code == 302
    assert current(report.case_number) is None
    return before


def test_a_rejection_is_taken_back_with_timeline_photos_and_map(client, rejected, uploads):
    page = client.get("/staff/abgelehnt").get_data(as_text=True)
    assert rejected["case"] in page and "Billige Uhren" in page
    found = db.session.scalar(select(RejectedReport))
    response = client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen")
    assert response.status_code == 302
    report = current(rejected["case"])
    assert report is not None and report.description == "Billige Uhren"
    assert len(report.events) == rejected["events"] + 1  # and the note that it came back
    assert "Ablehnung aufgehoben" in report.events[-1].note and not report.events[-1].public
    assert all((uploads / name).exists() for name in rejected["files"])
    photo = report.photos[0]
    staff = client.get(f"/staff/meldungen/{report.case_number}/fotos/{photo.thumbnail}")
    assert staff.status_code == 200
    assert map_total() == rejected["map"]
    assert _count(RejectedReport) == 0


def test_yesterdays_rejection_stays(client, rejected):
    found = db.session.scalar(select(RejectedReport))
    found.rejected_at -= timedelta(days=1)
    db.session.commit()
    listed = client.get("/staff/abgelehnt").get_data(as_text=True).split("<h1>", 1)[1]
    assert rejected["case"] not in listed
    response = client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen", follow_redirects=True)
    assert "nur am selben Tag" in response.get_data(as_text=True)
    assert current(rejected["case"]) is None and _count(RejectedReport) == 1


def test_the_next_day_the_copy_and_the_files_go(app, client, rejected, uploads, make_report):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with app.app_context():
        assert purge(app.config["RETENTION_DAYS"], now=tomorrow)["snapshots"] == 1
        db.session.commit()
    assert db.session.scalar(select(RejectedReport.snapshot)) is None
    for name in rejected["files"]:
        age(uploads / name, 2 * DAY)
    # The sweep refuses to run on a database without any photo: one report with one.
    make_report(photos=[jpeg()])
    with app.app_context():
        files, _ = sweep(DAY)
    assert files == 2 and not any((uploads / n).exists() for n in rejected["files"])


def test_todays_purge_keeps_todays_copy(app, rejected):
    with app.app_context():
        assert purge(app.config["RETENTION_DAYS"])["snapshots"] == 0
    assert db.session.scalar(select(RejectedReport.snapshot)) is not None


def test_followers_and_a_gone_original_survive_the_restore(client, make_report, login_as):
    from app.models import Subscription

    original = make_report().case_number
    copy = make_report(description="Auch kaputt").case_number
    report = current(copy)
    db.session.add(
        Subscription(report=report, email="f@example.org", confirmed_at=report.created_at)
    )
    db.session.commit()
    login_as("dispatcher")
    act(client, copy, "duplikat", original=original)
    act(client, copy, "ablehnen", reason="spam")
    act(client, original, "ablehnen", reason="spam")
    found = db.session.scalar(select(RejectedReport).where(RejectedReport.case_number == copy))
    assert client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen").status_code == 302
    restored = current(copy)
    assert restored.duplicate_of_id is None
    assert [
        s.email
        for s in db.session.scalars(
            select(Subscription).where(Subscription.report_id == restored.id)
        )
    ] == ["f@example.org"]


def test_todays_rejected_files_survive_the_sweep(make_report, app, rejected, uploads):
    make_report(photos=[jpeg()])  # the sweep needs a database that knows photos
    for name in rejected["files"]:
        age(uploads / name, 2 * DAY)
    with app.app_context():
        sweep(DAY)
    assert all((uploads / name).exists() for name in rejected["files"])


@pytest.mark.parametrize("who", ["crew_light", "crew_parks"])
def test_crews_can_neither_list_nor_restore(client, rejected, login_as, who):
    client.post("/abmelden")
    login_as(who)
    found = db.session.scalar(select(RejectedReport))
    assert client.get("/staff/abgelehnt").status_code == 403
    assert client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen").status_code == 403
    assert _count(RejectedReport) == 1 and _count(Report) == 0


@pytest.mark.parametrize("rejected_id", ["0", "999999", "99999999999999999999", "abc"])
def test_unknown_rejections_are_404(client, rejected, rejected_id):
    response = client.post(f"/staff/abgelehnt/{rejected_id}/wiederherstellen")
    assert response.status_code == 404
    assert _count(RejectedReport) == 1 and _count(Report) == 0


def test_a_pending_forwarding_and_an_open_question_come_back(client, make_report, login_as):
    """Rows deleted along with the report return with it; a job for a body removed since
    does not (it would have been deleted with the body)."""
    from app.models import Body, ExchangeJob, Inquiry

    haan, hilden = Body(name="Stadt Haan"), Body(name="Stadt Hilden")
    case = make_report(reporter_email="melderin@example.org").case_number
    report = current(case)
    db.session.add_all(
        [ExchangeJob(report=report, body=haan), ExchangeJob(report=report, body=hilden)]
    )
    db.session.commit()
    login_as("dispatcher")
    act(client, case, "rueckfrage", question="Vor welcher Hausnummer?")
    act(client, case, "ablehnen", reason="spam")
    assert _count(ExchangeJob) == 0 and _count(Inquiry) == 0
    db.session.delete(db.session.get(Body, hilden.id))
    db.session.commit()
    found = db.session.scalar(select(RejectedReport))
    assert client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen").status_code == 302
    restored = current(case)
    jobs = db.session.scalars(select(ExchangeJob).where(ExchangeJob.report_id == restored.id))
    assert [(job.body.name, job.state) for job in jobs] == [("Stadt Haan", "pending")]
    question = db.session.scalar(select(Inquiry).where(Inquiry.report_id == restored.id))
    assert question is not None and question.question == "Vor welcher Hausnummer?"
