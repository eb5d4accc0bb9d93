"""The forwarding jobs as the admin sees them: the list, and a new try for one that failed.
The same contract as app.exchange.worker's job_list and retry. Nothing here commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ExchangeJob, JobState, Report

# Jobs an admin may send on their way again: the worker gave up, or waits before its next try.
RETRYABLE = (JobState.FAILED, JobState.RETRY)

# How the refusal names a state ("Der Auftrag ist …").
STATE_WORDS: dict[str, str] = {
    JobState.PENDING: "bereits zum Senden vorgemerkt",
    JobState.RUNNING: "gerade in Arbeit",
    JobState.DONE: "bereits erledigt",
}


class JobNotRetryable(ValueError):
    """A German message: the job is unknown, done, or already on its way."""


def job_list(state: str | None = None, limit: int = 200) -> list[ExchangeJob]:
    """Newest first, optionally in one state, with their body loaded. ExchangeJob has no
    relationship to its report, so the case numbers come from `case_numbers`."""
    query = select(ExchangeJob).options(joinedload(ExchangeJob.body))
    if state is not None:
        query = query.where(ExchangeJob.state == JobState(state))
    query = query.order_by(ExchangeJob.created_at.desc(), ExchangeJob.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def case_numbers(jobs: list[ExchangeJob]) -> dict[int, str]:
    """Report id -> case number for the given jobs, in one query."""
    ids = {job.report_id for job in jobs}
    if not ids:
        return {}
    rows = db.session.execute(select(Report.id, Report.case_number).where(Report.id.in_(ids)))
    return {report_id: case for report_id, case in rows}


def retry(job_id: int) -> ExchangeJob:
    """A failed or waiting job is due now with a fresh count of attempts; its last error stays
    on the page until the next try replaces it."""
    job = None
    if 0 < job_id < 2**63:  # beyond bigint the query would fail instead of finding nothing
        # Locked and read afresh: a worker claiming it now waits, then finds it pending.
        query = select(ExchangeJob).where(ExchangeJob.id == job_id).with_for_update()
        job = db.session.scalar(query.execution_options(populate_existing=True))
    if job is None:
        raise JobNotRetryable(f"Einen Weiterleitungsauftrag Nr. {job_id} gibt es nicht.")
    if job.state not in RETRYABLE:
        raise JobNotRetryable(
            f"Der Auftrag Nr. {job_id} ist {STATE_WORDS[job.state]} und kann nicht erneut "
            "versucht werden; nur fehlgeschlagene oder wartende Aufträge."
        )
    job.state = JobState.PENDING
    job.attempts = 0
    job.run_after = func.now()
    db.session.flush()
    return job
