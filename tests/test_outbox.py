"""The outbox worker: mails wait while SMTP is down, are retried with growing pauses, end as
"failed" after too many tries, and a mail left "sending" by a dead worker keeps its Message-ID."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import OutboxMail
from app.notifications.compose import Draft
from app.notifications.outbox import enqueue, send_due
from tests.mailbox import free_port

DRAFT = Draft(subject="Betreff", text="Text", html="<p>Text</p>")


def queued(n: int = 1) -> list[OutboxMail]:
    mails = [enqueue(f"person{i}@example.org", DRAFT, "test") for i in range(n)]
    db.session.commit()
    return mails


def make_due() -> None:
    """Time passes: every waiting mail is due now."""
    db.session.execute(
        update(OutboxMail).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()


def test_smtp_down_the_mail_waits_and_goes_out_once_the_server_is_back(app, mailbox, monkeypatch):
    (mail,) = queued()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    assert send_due() == {"pending": 1}
    db.session.refresh(mail)
    assert (mail.state, mail.attempts) == ("pending", 1)
    assert "Connection refused" in mail.last_error or "Errno" in mail.last_error
    assert mail.next_attempt_at > datetime.now(UTC)
    assert send_due() == {}  # not due yet: the pause is respected
    monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.port)
    make_due()
    assert send_due() == {"sent": 1}
    assert [m["To"] for m in mailbox.messages] == ["person0@example.org"]
    assert send_due() == {} and len(mailbox.messages) == 1


def test_a_server_that_is_down_costs_one_try_per_batch_not_one_per_mail(app, monkeypatch):
    mails = queued(5)
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    send_due()
    for mail in mails:
        db.session.refresh(mail)
    assert [m.attempts for m in mails] == [1, 0, 0, 0, 0]


def test_pauses_double_and_the_mail_fails_after_the_last_try(app, monkeypatch):
    (mail,) = queued()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    pauses = []
    for _ in range(3):
        before = datetime.now(UTC)
        send_due()
        db.session.refresh(mail)
        pauses.append(round((mail.next_attempt_at - before).total_seconds() / 60))
        make_due()
    assert pauses[:2] == [1, 2]
    assert (mail.state, mail.attempts) == ("failed", 3)
    assert send_due() == {}  # given up: never tried again


def test_a_refused_recipient_fails_at_once(app, mailbox):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 Kein solches Postfach"

    mailbox.controller.handler = Refusing()
    (mail,) = queued()
    assert send_due() == {"failed": 1}
    db.session.refresh(mail)
    assert "550" in mail.last_error


def test_a_mail_left_sending_by_a_dead_worker_goes_again_with_its_message_id(app, mailbox):
    (mail,) = queued()
    # A worker claimed it (attempt recorded) and died before marking it sent.
    db.session.execute(
        update(OutboxMail).values(state="sending", attempts=1, next_attempt_at=datetime.now(UTC))
    )
    db.session.commit()
    make_due()  # its lease ran out
    assert send_due() == {"sent": 1}
    assert mailbox.messages[0]["Message-ID"] == mail.message_id


def test_a_claimed_mail_is_not_taken_by_a_second_worker(app, mailbox):
    queued()
    db.session.execute(
        update(OutboxMail).values(
            state="sending", next_attempt_at=datetime.now(UTC) + timedelta(minutes=5)
        )
    )
    db.session.commit()
    assert send_due() == {} and mailbox.messages == []


def test_without_mail_server_development_mail_goes_to_the_log(app, monkeypatch, caplog):
    queued()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    with caplog.at_level(logging.INFO, logger="app.notifications.outbox"):
        assert send_due() == {"sent": 1}
    assert "person0@example.org" in caplog.text and "Betreff" in caplog.text


@pytest.mark.parametrize("command", ["send"])
def test_cli_sends_and_reports(app, mailbox, command):
    queued(2)
    result = app.test_cli_runner().invoke(args=["outbox", command])
    assert result.exit_code == 0
    assert "2 gesendet" in result.output and len(mailbox.messages) == 2
    states = db.session.scalars(select(OutboxMail.state)).all()
    assert states == ["sent", "sent"]


def test_failed_mails_are_shown_to_admins_and_can_be_retried(
    app, client, mailbox, monkeypatch, login_as
):
    (mail,) = queued()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    send_due()
    for who, expected in (("dispatcher", 403), ("admin", 200)):
        login_as(who)
        response = client.get("/admin/e-mails")
        assert response.status_code == expected
        client.post("/abmelden")
    login_as("admin")
    page = client.get("/admin/e-mails").get_data(as_text=True)
    assert "person0@example.org" in page and "fehlgeschlagen" in page
    assert client.post(f"/admin/e-mails/{mail.id}/erneut").status_code == 302
    monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.port)
    assert send_due() == {"sent": 1}
    assert client.post("/admin/e-mails/99999999999999999999/erneut").status_code == 404


class Answering:
    """An SMTP server that answers RCPT or DATA with a given reply for some recipients."""

    def __init__(self, box, rcpt: dict[str, str] | None = None, data: dict[str, str] | None = None):
        self.box, self.rcpt, self.data = box, rcpt or {}, data or {}

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.data:
                return self.data[address]
        return await self.box.handle_DATA(server, session, envelope)


def test_greylisting_is_tried_again_and_a_hard_no_does_not_stop_the_others(app, mailbox):
    mailbox.controller.handler = Answering(
        mailbox,
        rcpt={"person0@example.org": "451 4.7.1 Greylisted, bitte spaeter"},
        data={"person1@example.org": "554 5.7.1 Abgelehnt"},
    )
    first, second, third = queued(3)
    assert send_due() == {"pending": 1, "failed": 1, "sent": 1}
    for mail in (first, second, third):
        db.session.refresh(mail)
    assert (first.state, second.state, third.state) == ("pending", "failed", "sent")
    assert "451" in first.last_error and "554" in second.last_error


def test_an_address_with_umlauts_fails_alone_and_the_rest_goes_out(app, mailbox):
    enqueue("jörg@example.de", DRAFT, "test")
    enqueue("post@müller.de", DRAFT, "test")
    enqueue("ok@example.de", DRAFT, "test")
    db.session.commit()
    assert send_due() == {"failed": 1, "sent": 2}
    received = sorted(m["To"] for m in mailbox.messages)
    assert received == ["ok@example.de", "post@xn--mller-kva.de"]
    failed = db.session.scalar(select(OutboxMail).where(OutboxMail.state == "failed"))
    assert failed.recipient == "jörg@example.de" and "Umlaut" in failed.last_error
