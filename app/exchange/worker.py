"""The exchange worker's forwarding step. `forward_due` does what is due, one job at a time:

1. claim it (state "running", a lease until EXCHANGE_LEASE_SECONDS, one more attempt), commit;
2. send it through the body's transport, outside any transaction;
3. in one transaction: the remote id, state "done" (or the error and the next try).

A worker killed between 2 and 3 leaves the job "running"; when the lease runs out it is sent
again — an Open311 peer answers our repeated case number (attribute[external_id]) with its first
id, so the report is still filed once. A job waits while its report is unchecked and the
reporter did not agree to pass it on: nothing unchecked leaves the city without consent.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.exchange.payload import payload
from app.exchange.transport import PermanentError, RetryableError
from app.exchange.transports import TRANSPORTS
from app.extensions import db
from app.models import ExchangeJob, JobState, Report

log = logging.getLogger(__name__)
MAX_WAIT = timedelta(hours=6)


def _claim(now: datetime) -> ExchangeJob | None:
    job = db.session.scalar(
        select(ExchangeJob)
        .join(Report, Report.id == ExchangeJob.report_id)
        .where(
            ExchangeJob.state.in_((JobState.PENDING, JobState.RETRY, JobState.RUNNING)),
            ExchangeJob.run_after <= now,
            or_(Report.published_at.is_not(None), Report.share_consent),
        )
        .order_by(ExchangeJob.run_after, ExchangeJob.id)
        .limit(1)
        .with_for_update(of=ExchangeJob, skip_locked=True)
    )
    if job is None:
        db.session.commit()
        return None
    job.state = JobState.RUNNING
    job.attempts += 1
    job.run_after = now + timedelta(seconds=current_app.config["EXCHANGE_LEASE_SECONDS"])
    db.session.commit()
    return job


def forward_due(limit: int = 50) -> Counter:
    """Send up to `limit` due jobs; counts of "done", "retry" and "failed"."""
    counts: Counter = Counter()
    for _ in range(limit):
        job = _claim(datetime.now(UTC))
        if job is None:
            break
        counts[_run(job)] += 1
    return counts


def _run(job: ExchangeJob) -> str:
    report = db.session.get_one(Report, job.report_id)
    try:
        remote_id = TRANSPORTS[job.body.transport](job.body, payload(report, job.reason))
    except RetryableError as exc:
        return _failed(job, exc, permanent=False)
    except PermanentError as exc:
        return _failed(job, exc, permanent=True)
    except Exception as exc:  # a bug must not stop the other jobs; staff see it on the job
        log.exception("Weiterleitung %s: unerwarteter Fehler", job.id)
        return _failed(job, exc, permanent=True)
    job.state, job.remote_id, job.last_error = JobState.DONE, remote_id, None
    job.done_at = datetime.now(UTC)
    db.session.commit()
    return JobState.DONE


def _failed(job: ExchangeJob, error: Exception, permanent: bool) -> str:
    db.session.rollback()  # whatever the transport began (an outbox mail) goes
    job = db.session.get_one(ExchangeJob, job.id)
    config = current_app.config
    job.last_error = str(error)[:2000] or type(error).__name__
    if permanent or job.attempts >= config["EXCHANGE_MAX_ATTEMPTS"]:
        job.state = JobState.FAILED
    else:
        job.state = JobState.RETRY
        job.run_after = datetime.now(UTC) + backoff(job.attempts)
    db.session.commit()
    log.warning("Weiterleitung %s an %s: %s", job.id, job.body.name, job.last_error)
    return job.state


def backoff(attempts: int) -> timedelta:
    """EXCHANGE_RETRY_SECONDS doubled per attempt, at most six hours, ±20 % so that many jobs
    failed by one outage do not all come back at the same second."""
    base = current_app.config["EXCHANGE_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    wait = timedelta(seconds=base * random.uniform(0.8, 1.2))
    return min(wait, MAX_WAIT)
