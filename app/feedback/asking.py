"""Asking the reporter "Ist der Mangel behoben?" when a report is resolved: one row per
resolution, named by the signed links in the status mail. Kept apart from the answering
(app.feedback.service), which changes the status and so needs app.reports.changes — which
calls this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import format_date
from sqlalchemy import select

from app.extensions import db
from app.links import external_url
from app.models import Report, ResolutionFeedback, Subscription
from app.notifications import tokens

PURPOSE = "feedback"
ANSWERS = {"ja": "confirmed", "nein": "reopened"}


@dataclass(frozen=True)
class Question:
    """What the reporter's status mail needs: the two answer links and the last day."""

    yes_url: str
    no_url: str
    until: str


def ask(report: Report) -> ResolutionFeedback | None:
    """A new resolution the reporter may answer, or None: not when another body did the work
    (our departments cannot take it back) or nobody would receive the question."""
    if report.body_id is not None or not _reporter_listens(report):
        return None
    feedback = ResolutionFeedback(
        report_id=report.id, department_id=report.department_id, resolved_at=datetime.now(UTC)
    )
    db.session.add(feedback)
    db.session.flush()
    return feedback


def _reporter_listens(report: Report) -> bool:
    found = db.session.scalar(
        select(Subscription.id)
        .where(
            Subscription.report_id == report.id,
            Subscription.reporter,
            Subscription.confirmed_at.is_not(None),
        )
        .limit(1)
    )
    return found is not None


def question(feedback: ResolutionFeedback) -> Question:
    token = tokens.sign(PURPOSE, feedback.id)
    return Question(
        yes_url=external_url("feedback.answer", token=token, answer="ja"),
        no_url=external_url("feedback.answer", token=token, answer="nein"),
        # Digits only: the same in both languages, in the city's time zone.
        until=format_date(deadline(feedback), "dd.MM.yyyy"),
    )


def deadline(feedback: ResolutionFeedback) -> datetime:
    """The last moment an answer is taken (REOPEN_DAYS after the resolution)."""
    return feedback.resolved_at + timedelta(days=current_app.config["REOPEN_DAYS"])
