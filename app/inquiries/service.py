"""Questions to the reporter ("Rückfrage an den Meldenden"). Staff who may work on a report
send its reporter a question by mail with a one-time answer link; the answer lands in the
report's timeline as an internal note by "Meldende Person", and the inbox can publish it.

The status is left as it is: a question is something staff wait for, not a state of the
defect (see the README). An open question shows as "Rückfrage offen" in the lists.

Nothing here commits; mails go through the outbox in the caller's transaction.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import EventKind, Inquiry, Report, TimelineEvent, User
from app.models.inquiry import REPORTER
from app.notifications.outbox import enqueue
from app.notifications.service import normalise
from app.reports.service import token_hash
from app.staff.actions import ActionError, ChangedMeanwhile, check, clean_note, record
from app.staff.moderation import inbox_only

from . import mails

QUESTION_LIMIT = 1000
# What secrets.token_urlsafe(32) gives (43 characters), with room; anything else is no link
# of ours and is not even looked up.
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


class AnswerRefused(ValueError):
    """A German message about the answer the reporter typed (nothing is stored)."""


class LinkUnusable(Exception):
    """The answer link cannot be used: "unknown" (forged, mistyped, or its report is gone),
    "answered" (used once already) or "expired"."""

    def __init__(self, reason: str, inquiry: Inquiry | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.inquiry = inquiry


def ask(user: User, report: Report, seen_version: int | None, question: str | None) -> str:
    """Send the question; returns the answer link's token (which is stored only hashed)."""
    check(user, report, seen_version)
    if not report.reporter_email:
        raise ActionError(
            "Die meldende Person hat keine E-Mail-Adresse angegeben: eine Rückfrage per "
            "E-Mail ist nicht möglich."
        )
    if not report.status_enum.is_open:
        raise ActionError("Die Meldung ist abgeschlossen: eine Rückfrage ist nicht mehr möglich.")
    text = clean_note(question, QUESTION_LIMIT, "Die Frage")
    if text is None:
        raise ActionError("Bitte eine Frage eingeben.")
    _lock_and_recheck(report, seen_version)
    now = datetime.now(UTC)
    if any(inquiry.is_open(now) for inquiry in of_report(report)):
        raise ActionError(
            "Es ist bereits eine Rückfrage offen. Bitte warten Sie auf die Antwort oder bis "
            "der Link abläuft."
        )
    token = secrets.token_urlsafe(32)
    inquiry = Inquiry(
        report=report,
        question=text,
        token_hash=token_hash(token),
        asked_by=user.name,
        asked_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INQUIRY_DAYS"]),
    )
    db.session.add(inquiry)
    record(
        report,
        user,
        kind=EventKind.INTERNAL_NOTE,
        public=False,
        note=f"Rückfrage an die meldende Person (per E-Mail): {text}",
    )
    db.session.flush()
    enqueue(normalise(report.reporter_email), mails.question(inquiry, token), "inquiry", report)
    return token


def _lock_and_recheck(report: Report, seen_version: int | None) -> None:
    """Two people asking at once: the second waits for the first and then sees its question."""
    db.session.execute(select(Report.id).where(Report.id == report.id).with_for_update())
    db.session.refresh(report)
    if report.version != seen_version:
        raise ChangedMeanwhile


def of_report(report: Report) -> list[Inquiry]:
    """The report's questions, oldest first (for its staff page)."""
    return list(
        db.session.scalars(
            select(Inquiry).where(Inquiry.report_id == report.id).order_by(Inquiry.id)
        )
    )


def open_for(report_ids: list[int]) -> set[int]:
    """Which of these reports wait for an answer (for the badge in the lists)."""
    if not report_ids:
        return set()
    return set(
        db.session.scalars(
            select(Inquiry.report_id).where(
                Inquiry.report_id.in_(report_ids),
                Inquiry.answered_at.is_(None),
                Inquiry.expires_at > datetime.now(UTC),
            )
        )
    )


def usable(token: str, lock: bool = False) -> Inquiry:
    """The open question behind an answer link; LinkUnusable says why there is none."""
    inquiry = None
    if TOKEN.fullmatch(token or ""):
        query = select(Inquiry).where(Inquiry.token_hash == token_hash(token))
        if lock:  # two answers sent at once: the second waits and finds the first
            query = query.with_for_update()
        inquiry = db.session.scalar(query)
    if inquiry is None:
        raise LinkUnusable("unknown")
    if inquiry.answered_at is not None:
        raise LinkUnusable("answered", inquiry)
    if inquiry.expires_at <= datetime.now(UTC):
        raise LinkUnusable("expired", inquiry)
    return inquiry


def clean_answer(raw: str | None) -> str:
    """The answer as typed, or AnswerRefused: empty, too long, control characters."""
    text = (raw or "").replace("\r\n", "\n").strip()
    limit = current_app.config["DESCRIPTION_MAX_LENGTH"]
    if not text:
        raise AnswerRefused("Bitte geben Sie eine Antwort ein.")
    if len(text) > limit:
        raise AnswerRefused(
            f"Die Antwort ist zu lang: höchstens {limit} Zeichen, Ihre hat {len(text)}."
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in text):
        raise AnswerRefused("Die Antwort enthält unzulässige Steuerzeichen.")
    return text


def answer(token: str, raw: str | None) -> Inquiry:
    """The reporter's answer: an internal note, the link used up, and a mail to the asker."""
    inquiry = usable(token, lock=True)
    text = clean_answer(raw)
    report = inquiry.report
    event = TimelineEvent(
        report=report, kind=EventKind.INTERNAL_NOTE, public=False, note=text, author=REPORTER
    )
    db.session.add(event)
    inquiry.answered_at = datetime.now(UTC)
    inquiry.answer_event = event
    db.session.flush()
    asker = inquiry.asker
    if asker is not None and asker.active:
        enqueue(asker.email, mails.answered(inquiry), "inquiry_answered", inquiry.report)
    return inquiry


def publish(
    user: User, report: Report, seen_version: int | None, inquiry: Inquiry, text: str | None
) -> None:
    """The reporter's answer on the public timeline, in the words staff chose (personal data
    cut out); like publishing the report's own text, this is the inbox's decision."""
    inbox_only(user, report, seen_version)
    if inquiry.report_id != report.id or inquiry.answer_event is None:
        raise ActionError("Zu dieser Rückfrage gibt es keine Antwort.")
    if inquiry.published_event_id is not None:
        raise ActionError("Diese Antwort ist bereits veröffentlicht.")
    inquiry.published_event = publish_reporters_words(
        user, report, inquiry.answer_event.note, text, "Antwort der meldenden Person"
    )


def publish_reporters_words(
    user: User, report: Report, words: str | None, text: str | None, what: str
) -> TimelineEvent:
    """The reporter's own words (an answer, a reopen comment) as a public note by "Meldende
    Person", as staff edited them (`text`; None: as written); an internal note says who."""
    public_text = words
    if text is not None:  # the form sends the words as staff edited them
        public_text = clean_note(text, current_app.config["DESCRIPTION_MAX_LENGTH"], "Der Text")
    if not public_text:
        raise ActionError("Der Text darf nicht leer sein.")
    event = TimelineEvent(
        report=report, kind=EventKind.PUBLIC_NOTE, public=True, note=public_text, author=REPORTER
    )
    db.session.add(event)
    record(report, user, kind=EventKind.INTERNAL_NOTE, public=False, note=f"{what} veröffentlicht.")
    # A new public entry: feeds and Open311 clients that sync by updated_at must see it.
    report.updated_at = datetime.now(UTC)
    db.session.flush()
    return event
