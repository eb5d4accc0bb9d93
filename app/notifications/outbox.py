"""The transactional outbox. `enqueue` writes a mail in the caller's transaction, so it exists
only if the change that causes it commits. `send_due` sends what is due, one mail at a time:

1. claim it and record the attempt (state "sending", a lease until MAIL_SENDING_TIMEOUT), commit;
2. send it over SMTP with the Message-ID fixed at enqueue time;
3. mark it "sent", commit.

A worker killed between 2 and 3 leaves the mail "sending"; when the lease runs out it is sent
again with the same Message-ID, which mail programs recognise as the same message. A failed try
waits MAIL_RETRY_SECONDS, doubling each time; after MAIL_MAX_ATTEMPTS the mail is "failed".
The mails of a new report are stored unrendered (app.notifications.deferred): the worker writes
their text between 1 and 2, once, and keeps it.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import func, select
from werkzeug.urls import iri_to_uri

from app.extensions import db
from app.models import OutboxMail, Report
from app.notifications import deferred
from app.notifications.compose import Draft
from app.notifications.message import build as build_message

log = logging.getLogger(__name__)


def enqueue(
    recipient: str,
    draft: Draft,
    kind: str,
    report: Report | None = None,
    unsubscribe_url: str | None = None,
) -> OutboxMail:
    headers = unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {}
    mail = OutboxMail(
        message_id=f"<{uuid.uuid4().hex}@{sender_domain()}>",
        recipient=recipient,
        subject=draft.subject,
        body_text=draft.text,
        body_html=draft.html,
        headers=headers,
        kind=kind,
        report_id=report.id if report is not None else None,
    )
    db.session.add(mail)
    return mail


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 8058: mail programs offer "unsubscribe" and POST to the link themselves."""
    return {
        # A header must be ASCII: an internationalised host becomes its punycode form.
        "List-Unsubscribe": f"<{iri_to_uri(unsubscribe_url)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


def sent_recently(recipient: str, kinds: tuple[str, ...], within: timedelta) -> int:
    """How many mails of these kinds the address was written within the time: the budget that
    keeps anyone from flooding a stranger's inbox through our confirmation mails."""
    sent = db.session.scalar(
        select(func.count()).where(
            OutboxMail.kind.in_(kinds),
            OutboxMail.recipient == recipient,
            OutboxMail.created_at > datetime.now(UTC) - within,
        )
    )
    return sent or 0


class Transport:
    """One SMTP connection for a batch, opened on first use; without MAIL_SERVER the mail is
    written to the log (development)."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def send(self, mail: OutboxMail) -> None:
        recipient = ascii_address(mail.recipient)
        sender = self.config["MAIL_DEFAULT_SENDER"]
        # Refuses line breaks in any header (ValueError): no header injection.
        message = build_message(
            sender,
            recipient,
            mail.subject,
            mail.body_text,
            mail.body_html,
            mail.message_id,
            dict(mail.headers or {}),
        )
        if not self.config["MAIL_SERVER"]:
            log.info("Mail (kein MAIL_SERVER, nur Log) an %s: %s\n%s", *_log_parts(mail))
            return
        smtp = self.smtp or self._connect()
        smtp.sendmail(parseaddr(sender)[1], [recipient], message.as_bytes())

    def _connect(self) -> smtplib.SMTP:
        config, timeout = self.config, self.config["MAIL_TIMEOUT"]
        server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        if config["MAIL_USE_SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            # The server may have gone away: then there is nothing left to close politely.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def ascii_address(address: str) -> str:
    """The domain in its ASCII (IDNA) form; a local part with umlauts would need SMTPUTF8,
    which not every server speaks, so such a mail fails with a clear reason."""
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise UnicodeEncodeError("ascii", local, 0, len(local), "Umlaut im Namen der Adresse")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def _log_parts(mail: OutboxMail) -> tuple[str, str, str]:
    return mail.recipient, mail.subject, mail.body_text


def _claim(now: datetime) -> OutboxMail | None:
    """The next due mail, locked so no other worker takes it; the attempt is recorded and
    committed before anything is sent."""
    mail = db.session.scalar(
        select(OutboxMail)
        .where(
            OutboxMail.state.in_(("pending", "sending")),
            OutboxMail.next_attempt_at <= now,
        )
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if mail is None:
        db.session.commit()
        return None
    mail.state = "sending"
    mail.attempts += 1
    mail.next_attempt_at = now + timedelta(seconds=current_app.config["MAIL_SENDING_TIMEOUT"])
    db.session.commit()
    return mail


def _failed(mail: OutboxMail, error: Exception, permanent: bool, now: datetime) -> str:
    config = current_app.config
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if permanent or mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.state = "failed"
    else:
        mail.state = "pending"
        wait = config["MAIL_RETRY_SECONDS"] * 2 ** (mail.attempts - 1)
        mail.next_attempt_at = now + timedelta(seconds=wait)
    db.session.commit()
    return mail.state


def _verdict(error: Exception) -> str:
    """ "retry" (a 4xx answer for this mail), "permanent" (5xx, or a mail that cannot be built
    or addressed), or "connection" (the server is unreachable or went away: end the batch)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return "permanent" if all(code >= 500 for code in codes) else "retry"
    if isinstance(error, smtplib.SMTPResponseException):
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return "connection"
        return "permanent" if error.smtp_code >= 500 else "retry"
    if isinstance(error, (smtplib.SMTPException, OSError)):
        return "connection"
    # A bad header (ValueError), UnicodeEncodeError, a mail whose report is gone (LookupError),
    # …: trying again changes nothing.
    return "permanent"


def send_due(limit: int = 100) -> Counter:
    """Send up to `limit` due mails; counts of "sent", "pending" (will be retried), "failed".
    A connection failure ends the batch, so a server that is down costs one try, not many;
    a mail refused for its own reasons does not hold up the others."""
    counts: Counter = Counter()
    transport = Transport()
    try:
        for _ in range(limit):
            mail = _claim(datetime.now(UTC))
            if mail is None:
                break
            try:
                _render(mail)
                transport.send(mail)
            except Exception as exc:  # every failure is recorded on the mail, none stops the rest
                verdict = _verdict(exc)
                counts[_failed(mail, exc, verdict == "permanent", datetime.now(UTC))] += 1
                if verdict == "connection":
                    break
                continue
            _mark_sent(mail)
            counts["sent"] += 1
    finally:
        transport.close()
    return counts


def _render(mail: OutboxMail) -> None:
    if mail.context is not None:
        deferred.render(mail)
        db.session.commit()


def _mark_sent(mail: OutboxMail) -> None:
    mail.state, mail.sent_at, mail.last_error = "sent", datetime.now(UTC), None
    # The body may hold a tracking link (a secret) or a note: not kept once delivered.
    mail.body_text = mail.body_html = ""
    db.session.commit()
