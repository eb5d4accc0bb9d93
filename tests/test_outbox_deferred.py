"""The mails of a new report are written by the outbox worker, not in the filing request: they
read exactly as the request would have written them, the worker keeps what it wrote, and the
filing transaction takes the year's case number last (its lock is held only until the commit)."""

from __future__ import annotations

from sqlalchemy import delete, event, select

from app.extensions import db
from app.links import external_url
from app.models import OutboxMail, Report, Subscription
from app.notifications import deferred, tokens
from app.notifications.compose import draft
from app.notifications.outbox import send_due
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import confirmation, form_data, post_report, tracking_link
from tests.mailbox import free_port

REPORTER = "melderin@example.org"
DEPARTMENT = "strassenbeleuchtung@example.org"


def file(
    client, email: str | None = REPORTER, headers: dict | None = None, **fields: str
) -> tuple[Report, str]:
    data = form_data(email=email, consent="y" if email else None, **fields)
    assert post_report(client, data, headers=headers or {}).status_code == 302
    link = tracking_link(confirmation(client))
    return db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1)), link


def stored(kind: str) -> OutboxMail:
    return db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)).one()


def same_text(mail: OutboxMail, expected) -> bool:  # type: ignore[no-untyped-def]
    return (mail.subject, mail.body_text, mail.body_html) == (
        expected.subject,
        expected.text,
        expected.html,
    )


def test_the_receipt_reads_as_the_request_would_have_written_it(client):
    report, link = file(client, headers={"Accept-Language": "en-GB,en;q=0.9"})
    mail = stored("receipt")
    assert (mail.recipient, mail.subject, mail.body_text, mail.headers) == (REPORTER, "", "", {})
    deferred.render(mail)
    unsubscribe = mail.headers["List-Unsubscribe"].strip("<>")
    subscription = db.session.scalars(select(Subscription)).one()
    assert subscription.reporter and subscription.email == REPORTER
    token = unsubscribe.rsplit("/", 1)[1]
    assert tokens.read("unsubscribe", token) == subscription.id
    tracking = "http://localhost" + link
    expected = draft("receipt", "en", report, tracking_url=tracking, unsubscribe_url=unsubscribe)
    assert same_text(mail, expected) and report.case_number in mail.subject
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.context is None  # written: the link lives in the body, until it is sent


def test_the_departments_mail_reads_as_the_request_would_have_written_it(client):
    report, _ = file(client, email=None, description="Die Laterne am Brunnen flackert.")
    mail = stored("department")
    assert mail.recipient == DEPARTMENT
    deferred.render(mail)
    staff_url = external_url("staff.report", case_number=report.case_number)
    assert same_text(mail, draft("department", "de", report, staff_url=staff_url))
    assert f"/staff/meldungen/{report.case_number}" in mail.body_text
    assert "flackert" in mail.body_text and mail.headers == {}


def test_open311_filing_writes_the_same_two_mails(client):
    data = {
        "service_code": "licht",
        "lat": "51.1705",
        "long": "7.0845",
        "description": "Laterne dunkel",
        "email": REPORTER,
    }
    response = client.post(f"{BASE}/requests.json", data=data, headers={"X-Api-Key": new_key()})
    assert response.status_code == 200
    case = response.get_json()[0]["service_request_id"]
    for kind in ("receipt", "department"):
        mail = stored(kind)
        deferred.render(mail)
        assert case in mail.subject


def test_the_worker_sends_them_and_keeps_no_link(client, mailbox):
    report, link = file(client)
    assert send_due() == {"sent": 2}
    assert {m["To"] for m in mailbox.messages} == {REPORTER, DEPARTMENT}
    assert all(report.case_number in m["Subject"] for m in mailbox.messages)
    for mail in db.session.scalars(select(OutboxMail)):
        assert mail.state == "sent" and mail.context is None
        assert link not in mail.body_text + mail.body_html


def test_a_retry_sends_the_words_of_the_first_attempt(client, app, mailbox, monkeypatch):
    report, _ = file(client, email=None)
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    assert send_due() == {"pending": 1}
    mail = stored("department")
    written = mail.body_text
    assert report.description in written and mail.context is None
    report.description = "Von der Stelle geändert."
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.port)
    mail.next_attempt_at = mail.created_at
    db.session.commit()
    assert send_due() == {"sent": 1}
    (sent,) = mailbox.to(DEPARTMENT)
    assert "Die Laterne vor Hausnummer 12 ist dunkel." in sent.get_body().get_content()


def test_a_mail_whose_report_is_gone_fails_alone(client, mailbox):
    gone, _ = file(client, email=None)
    kept, _ = file(client, email=None, description="Eine andere Laterne ist auch dunkel.")
    db.session.execute(delete(Report).where(Report.id == gone.id))
    db.session.commit()
    assert send_due() == {"failed": 1, "sent": 1}
    failed = db.session.scalars(select(OutboxMail).where(OutboxMail.state == "failed")).one()
    assert "gibt es nicht mehr" in failed.last_error
    (sent,) = mailbox.to(DEPARTMENT)
    assert kept.case_number in sent["Subject"]


def test_the_case_number_is_taken_last_and_nothing_is_loaded_lazily(client):
    key = new_key()
    data = {"service_code": "licht", "lat": "51.1705", "long": "7.0845", "email": REPORTER}
    data["description"] = "Licht aus"
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post(f"{BASE}/requests.json", data=data, headers={"X-Api-Key": key})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    # The key, the category, its questions, the report with its event, subscription and
    # mails, then the number: no lazy load, no polygon, nothing after the counter's lock.
    assert len(work) == 5, work
    assert "case_counters" in work[-1]
    assert not any("districts.geom" in s or "FROM departments WHERE" in s for s in work)
