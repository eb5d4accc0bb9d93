"""Personal data is kept only as long as the work needs it (DSGVO Art. 5 (1) e): a report's contact
data and the citizen's unredacted words go RETENTION_DAYS after it was closed, and with them its
subscriptions; records of rejected reports, delivered or failed mails and unconfirmed follow
requests go after the same time (unconfirmed ones, and unconfirmed area alerts, after a week);
unblurred originals of photos go once moderation is done (app.redaction); the copy a rejected
report keeps for taking the rejection back (with the reporter's data) goes the next day. The
reporter's answers to staff questions (app/inquiries) are the citizen's own words too: they go
with the contact data (a published, edited version stays public like the public text), and so
does the comment a reporter gave when reopening a report (app/feedback). Supporters' addresses
("Ich bin auch betroffen") go like subscriptions: with the report's contact data, unconfirmed
ones after a week; the report keeps only their number. Nothing here commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import CursorResult, Executable, delete, exists, or_, select, update

from app.extensions import db
from app.models import (
    AreaAlert,
    Inquiry,
    OutboxMail,
    RejectedReport,
    Report,
    ResolutionFeedback,
    Subscription,
    Support,
    TimelineEvent,
)
from app.models.status import CLOSED_STATUSES
from app.notifications.tokens import CONFIRM_MAX_AGE
from app.public.filters import city_day, day_start
from app.redaction import service as redaction
from app.staff import replay


def purge(retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Deletes what is due; returns how many rows each step touched."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    closed_long_ago = (
        Report.status.in_([s.value for s in CLOSED_STATUSES]),
        Report.closed_at < cutoff,
    )
    has_personal_data = or_(
        Report.reporter_name.is_not(None),
        Report.reporter_email.is_not(None),
        Report.reporter_phone.is_not(None),
        Report.original_description.is_not(None),
    )
    return {
        "subscriptions": _deleted(
            delete(Subscription).where(
                exists().where(Report.id == Subscription.report_id, *closed_long_ago)
            )
        ),
        "supports": _deleted(
            delete(Support).where(exists().where(Report.id == Support.report_id, *closed_long_ago))
        ),
        "reports": _rows(
            update(Report)
            .where(*closed_long_ago, has_personal_data)
            .values(
                reporter_name=None,
                reporter_email=None,
                reporter_phone=None,
                original_description=None,
            )
            .execution_options(synchronize_session=False)
        ),
        # Through the few questions and reopen answers, not by reading every timeline event.
        "answers": _deleted(
            delete(TimelineEvent).where(
                TimelineEvent.id.in_(
                    select(Inquiry.answer_event_id)
                    .join(Report, Report.id == Inquiry.report_id)
                    .where(*closed_long_ago)
                    .union_all(
                        select(ResolutionFeedback.comment_event_id)
                        .join(Report, Report.id == ResolutionFeedback.report_id)
                        .where(*closed_long_ago)
                    )
                )
            )
        ),
        "unconfirmed": _deleted(
            delete(Subscription).where(
                Subscription.confirmed_at.is_(None),
                Subscription.created_at < now - timedelta(seconds=CONFIRM_MAX_AGE),
            )
        ),
        # An area alert nobody confirmed: its address goes when the link has expired.
        "unconfirmed_alerts": _deleted(
            delete(AreaAlert).where(
                AreaAlert.confirmed_at.is_(None),
                AreaAlert.created_at < now - timedelta(seconds=CONFIRM_MAX_AGE),
            )
        ),
        "unconfirmed_supports": _deleted(
            delete(Support).where(
                Support.confirmed_at.is_(None),
                Support.created_at < now - timedelta(seconds=CONFIRM_MAX_AGE),
            )
        ),
        "rejected": _deleted(delete(RejectedReport).where(RejectedReport.rejected_at < cutoff)),
        # Yesterday's rejections can no longer be taken back: their copy of the report (with
        # the reporter's data) goes, and the media sweep then takes the photo files.
        "snapshots": _rows(
            update(RejectedReport)
            .where(
                RejectedReport.snapshot.is_not(None),
                RejectedReport.rejected_at < day_start(city_day(now)),
            )
            .values(snapshot=None)
            .execution_options(synchronize_session=False)
        ),
        "mails": _deleted(
            delete(OutboxMail).where(
                OutboxMail.state.in_(("sent", "failed")), OutboxMail.created_at < cutoff
            )
        ),
        # Staff actions' idempotency keys: a replay's memory, kept for replay.KEEP_DAYS.
        "request_keys": replay.purge(now),
        # Unblurred photos once moderation is done (app.redaction): only the blurred stay.
        "originals": redaction.purge_originals(current_app.config["REDACTION_REVIEW_DAYS"], now),
    }


def _deleted(statement: Executable) -> int:
    return _rows(statement.execution_options(synchronize_session=False))


def _rows(statement: Executable) -> int:
    """How many rows a DELETE or UPDATE touched."""
    result = db.session.execute(statement)
    return result.rowcount if isinstance(result, CursorResult) else 0
