"""Handing a report to another body ("Zuständige Stelle": a neighbouring Kommune, Straßen.NRW,
the Stadtwerke) from the staff page. Like moving it to another department this is the inbox's
decision: dispatchers and admins only. Nothing here commits."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.exchange.forwarding import ForwardRefused, forward
from app.extensions import db
from app.models import Body, ExchangeJob, JobState, Report, User
from app.staff.actions import ActionError, ChangedMeanwhile, clean_note
from app.staff.moderation import inbox_only

NO_REASON = "Bitte einen Grund angeben; er erscheint im öffentlichen Verlauf der Meldung."

# What staff read for a job's state (the worker's words are English).
JOB_STATES = {
    JobState.PENDING: "wartet auf Versand",
    JobState.RUNNING: "wird gesendet",
    JobState.RETRY: "neuer Versuch geplant",
    JobState.DONE: "übermittelt",
    JobState.FAILED: "fehlgeschlagen",
}


def forward_to_body(
    user: User, report: Report, seen_version: int | None, body: Body, reason: str | None
) -> ExchangeJob:
    """Queue the report for `body` with a public reason; it leaves the departments' queues."""
    inbox_only(user, report, seen_version)
    # The reason becomes public like a description, so it has the description's limit.
    text = clean_note(reason, current_app.config["DESCRIPTION_MAX_LENGTH"], "Der Grund")
    if text is None:
        raise ActionError(NO_REASON)
    _lock_and_recheck(report, seen_version)
    # Who handles it is public: pages and feeds that show changes must see one. Set before
    # forward() flushes, so the report row is written (and its version raised) once.
    report.updated_at = datetime.now(UTC)
    try:
        return forward(report, body, author=user.name, reason=text)
    except ForwardRefused as refused:
        raise ActionError(str(refused)) from refused


def _lock_and_recheck(report: Report, seen_version: int | None) -> None:
    """A double click sends two requests with the same version: without the lock both would
    find no job yet and the second would fail on the unique (report, body) pair. Locked, the
    second waits, reads the first one's version and is told the report changed."""
    db.session.execute(select(Report.id).where(Report.id == report.id).with_for_update())
    db.session.refresh(report)
    if report.version != seen_version:
        raise ChangedMeanwhile


def jobs_of(report: Report) -> list[ExchangeJob]:
    """Every forwarding of the report, oldest first, for the staff page."""
    return list(
        db.session.scalars(
            select(ExchangeJob)
            .where(ExchangeJob.report_id == report.id)
            .options(joinedload(ExchangeJob.body))
            .order_by(ExchangeJob.created_at, ExchangeJob.id)
        )
    )
