"""Personal data is deleted when its time is up: contact data and the unredacted text of reports
closed long ago, their subscriptions, old rejected reports, sent mails, unconfirmed follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import OutboxMail, RejectedReport, Report, Subscription
from app.notifications.compose import Draft
from app.notifications.outbox import enqueue
from app.privacy.service import purge

LATER = datetime.now(UTC) + timedelta(days=200)  # 200 days from now; the limit is 180


def file(make_report, status: str, email: str) -> Report:
    report = make_report(
        reporter_name="Erika Muster", reporter_email=email, reporter_phone="0212 555"
    )
    report.original_description = "Erika Muster wohnt nebenan"
    db.session.flush()
    if status != "received":
        db.session.execute(update(Report).where(Report.id == report.id).values(status=status))
    db.session.expire_all()
    return report


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_contact_data_goes_after_closing_and_open_reports_keep_theirs(make_report):
    closed = file(make_report, "resolved", "erledigt@example.org")
    still_open = file(make_report, "in_progress", "offen@example.org")
    assert count(Subscription) == 2  # each reporter follows their report
    counts = purge(180, now=LATER)
    db.session.expire_all()
    closed, still_open = db.session.get(Report, closed.id), db.session.get(Report, still_open.id)
    assert (closed.reporter_name, closed.reporter_email, closed.reporter_phone) == (
        None,
        None,
        None,
    )
    assert closed.original_description is None and closed.description  # the public text stays
    assert still_open.reporter_email == "offen@example.org"
    assert still_open.original_description == "Erika Muster wohnt nebenan"
    subscribers = db.session.scalars(select(Subscription.email)).all()
    assert subscribers == ["offen@example.org"]
    assert counts["reports"] == 1 and counts["subscriptions"] == 1


def test_recently_closed_reports_keep_their_data(make_report):
    report = file(make_report, "resolved", "frisch@example.org")
    assert purge(180)["reports"] == 0
    db.session.expire_all()
    assert db.session.get(Report, report.id).reporter_email == "frisch@example.org"


def test_old_records_mails_and_unconfirmed_follows_go(make_report):
    report = file(make_report, "received", "melder@example.org")
    db.session.add(
        RejectedReport(
            case_number="2026-999999",
            reason="spam",
            description="Werbung",
            category_name="X",
            tracking_token_hash="h" * 64,
            reported_at=datetime.now(UTC),
            rejected_by="Post",
        )
    )
    db.session.add(Subscription(report_id=report.id, email="zoegernd@example.org"))
    sent = enqueue("melder@example.org", Draft("B", "T", "<p>T</p>"), "test")
    waiting = enqueue("melder@example.org", Draft("B", "T", "<p>T</p>"), "test")
    db.session.flush()
    sent.state = "sent"
    db.session.flush()
    counts = purge(180, now=LATER)
    assert (counts["rejected"], counts["unconfirmed"], counts["mails"]) == (1, 1, 1)
    assert count(RejectedReport) == 0
    remaining = set(db.session.scalars(select(OutboxMail.id)))
    assert sent.id not in remaining and waiting.id in remaining  # not sent yet: kept
    assert purge(180, now=LATER) == dict.fromkeys(counts, 0)  # a second run finds nothing


def test_the_command_reports_what_it_deleted(app, make_report):
    file(make_report, "resolved", "erledigt@example.org")
    db.session.execute(update(Report).values(closed_at=datetime.now(UTC) - timedelta(days=400)))
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "Kontaktdaten aus 1 Meldungen entfernt" in result.output
