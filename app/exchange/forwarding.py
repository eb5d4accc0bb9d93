"""Handing a report on to another body. `forward` writes the job and the timeline event in the
caller's transaction, so a report is forwarded exactly when the change that decides it commits;
the worker (app.exchange.worker) sends it. Nothing here commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Body, EventKind, ExchangeJob, Report, TimelineEvent
from app.reports.rules import description_refusal, description_text, limits


class ForwardRefused(ValueError):
    """The report cannot go to this body (already there, or the reason breaks the rules)."""


def forward(report: Report, body: Body, author: str, reason: str | None = None) -> ExchangeJob:
    """Queue `report` for `body`; the body handles it from now on (it leaves our queues), and
    the public timeline says where it went and why."""
    text = description_text(reason) or None
    if text is not None and (refusal := description_refusal(text, limits().description)):
        raise ForwardRefused(refusal)
    done = select(ExchangeJob.id).where(
        ExchangeJob.report_id == report.id, ExchangeJob.body_id == body.id
    )
    if db.session.scalar(done) is not None:
        already = _("Die Meldung wurde bereits an %(body)s weitergeleitet.", body=body.name)
        raise ForwardRefused(already)
    report.body = body
    job = ExchangeJob(report_id=report.id, body=body, reason=text)
    db.session.add(job)
    note = _("An %(body)s weitergeleitet.", body=body.name)
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.FORWARDED,
            public=True,
            note=f"{note} {text}" if text else note,
            author=author,
        )
    )
    db.session.flush()
    return job
