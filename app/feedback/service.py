"""The reporter's answer through a mailed link: "Ja" records the confirmation, "Nein" reopens
the report (status "Wieder offen", back in its department's queue). Each resolution is
answered once and only within REOPEN_DAYS; the link names its resolution, so an old mail never
answers a later one. Nothing here commits; mails go through the outbox in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.feedback.asking import PURPOSE, deadline
from app.inquiries.service import publish_reporters_words
from app.models import EventKind, Report, ResolutionFeedback, Status, TimelineEvent, User
from app.models.inquiry import REPORTER
from app.notifications import service as notifications
from app.notifications import tokens
from app.reports.changes import set_status
from app.reports.characters import CONTROL
from app.staff.actions import ActionError
from app.staff.moderation import inbox_only

COMMENT_LIMIT = 1000


class Unusable(Exception):
    """The link cannot be answered: "unknown" (forged or altered, or its report is gone),
    "answered" (this resolution has its answer), "changed" (the report is no longer in the
    resolution the link asks about) or "expired" (REOPEN_DAYS are over)."""

    def __init__(self, reason: str, feedback: ResolutionFeedback | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.feedback = feedback


class CommentRefused(ValueError):
    """A German message about the comment typed (nothing is stored)."""


def usable(token: str, lock: bool = False) -> ResolutionFeedback:
    """The open question behind a link; Unusable says why there is none. With `lock`, the
    question and its report are locked: two answers at once, or an answer while staff change
    the status, are taken one after the other, and the second sees the first."""
    feedback_id = tokens.read(PURPOSE, token)
    feedback = None
    if feedback_id is not None and 0 < feedback_id < 2**62:
        feedback = db.session.get(ResolutionFeedback, feedback_id, with_for_update=lock)
    if feedback is None:
        raise Unusable("unknown")
    if lock:
        db.session.execute(
            select(Report.id).where(Report.id == feedback.report_id).with_for_update()
        )
        db.session.refresh(feedback)
        db.session.refresh(feedback.report)
    if feedback.answer is not None:
        raise Unusable("answered", feedback)
    if feedback.report.status != Status.RESOLVED or _resolved_again(feedback):
        raise Unusable("changed", feedback)
    if datetime.now(UTC) > deadline(feedback):
        raise Unusable("expired", feedback)
    return feedback


def _resolved_again(feedback: ResolutionFeedback) -> bool:
    """A later resolution of the same report has its own question (and mail)."""
    later = db.session.scalar(
        select(ResolutionFeedback.id)
        .where(
            ResolutionFeedback.report_id == feedback.report_id,
            ResolutionFeedback.id > feedback.id,
        )
        .limit(1)
    )
    return later is not None


def clean_comment(raw: str | None) -> str | None:
    """The optional comment as typed, or CommentRefused: too long, control characters."""
    text = (raw or "").replace("\r\n", "\n").strip()
    if len(text) > COMMENT_LIMIT:
        raise CommentRefused(
            f"Der Kommentar ist zu lang: höchstens {COMMENT_LIMIT} Zeichen, Ihrer hat {len(text)}."
        )
    if CONTROL.search(text):
        raise CommentRefused("Der Kommentar enthält unzulässige Steuerzeichen.")
    return text or None


def confirm(feedback: ResolutionFeedback) -> None:
    """ "Ja": recorded for the statistics, and a line in the timeline for staff."""
    _answered(feedback, "confirmed")
    _reporter_note(feedback.report, "Die meldende Person bestätigt: Der Mangel ist behoben.")
    db.session.flush()


def reopen(feedback: ResolutionFeedback, raw_comment: str | None) -> None:
    """ "Nein": the report is open again and back in its department's queue, unassigned (who
    takes it on is the department's choice; the timeline keeps who resolved it). The public
    sees the status only; the comment is an internal note that staff may publish in their own
    words. Subscribers get the status mail, the department a mail of its own."""
    comment = clean_comment(raw_comment)
    report = feedback.report
    _answered(feedback, "reopened")
    set_status(report, Status.REOPENED, None)
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.STATUS_CHANGE,
            status=Status.REOPENED.value,
            public=True,
            author=REPORTER,
        )
    )
    if comment is not None:
        feedback.comment_event = _reporter_note(report, comment)
    if report.assignee is not None:
        note = f"Mit „nicht behoben“ ist die Zuweisung an {report.assignee.name} aufgehoben."
        _reporter_note(report, note)
        report.assignee = None
    notifications.report_reopened(report, comment)
    db.session.flush()


def _answered(feedback: ResolutionFeedback, answer: str) -> None:
    feedback.answer = answer
    feedback.answered_at = datetime.now(UTC)


def _reporter_note(report: Report, note: str) -> TimelineEvent:
    event = TimelineEvent(
        report=report, kind=EventKind.INTERNAL_NOTE, public=False, note=note, author=REPORTER
    )
    db.session.add(event)
    return event


def publish_comment(
    user: User,
    report: Report,
    seen_version: int | None,
    feedback: ResolutionFeedback,
    text: str | None,
) -> None:
    """A reopen comment on the public timeline, in the words the inbox chose (personal data
    cut out) — the "after moderation" of the reporter's "nicht behoben"."""
    inbox_only(user, report, seen_version)
    if feedback.report_id != report.id or feedback.comment_event is None:
        raise ActionError("Zu dieser Antwort gibt es keinen Kommentar.")
    if feedback.published_event_id is not None:
        raise ActionError("Dieser Kommentar ist bereits veröffentlicht.")
    feedback.published_event = publish_reporters_words(
        user, report, feedback.comment_event.note, text, "Kommentar der meldenden Person"
    )


def comments_of(report: Report) -> list[ResolutionFeedback]:
    """The report's reopen answers that came with a comment, oldest first (staff page)."""
    return list(
        db.session.scalars(
            select(ResolutionFeedback)
            .where(
                ResolutionFeedback.report_id == report.id,
                ResolutionFeedback.comment_event_id.is_not(None),
            )
            .order_by(ResolutionFeedback.id)
        )
    )
