"""Reading the updates of the bodies we forwarded reports to (`flask exchange sync`, also run
by the worker every EXCHANGE_SYNC_SECONDS). An Open311 body is asked for its service request
updates since the last sync (mySociety's extension); one that does not offer them is asked for
the status of our forwarded requests (requests.json). Each update becomes one timeline event of
that body, with the mails our own status changes send, through the same rule as a partner's
posted update (app.open311.updates.record). An update read twice is added once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.exchange.open311_client import Peer, PeerRefused
from app.exchange.transport import PermanentError, RetryableError
from app.extensions import db
from app.models import Body, ExchangeJob, JobState, Report, TimelineEvent
from app.open311 import statuses
from app.open311.params import BadParameter, parse_datetime
from app.open311.updates import PartnerUpdate, Source, record
from app.reports.rules import CONTROL, limits

# Pages of updates read in one sync; the next sync goes on where this one stopped.
MAX_PAGES = 20
CHUNK = 50


@dataclass
class SyncResult:
    added: int = 0
    # Updates that could not be read (unknown status, …): skipped, named on the admin page.
    problems: list[str] = field(default_factory=list)


def sync_all() -> dict[str, SyncResult]:
    """Every Open311 body with forwarded reports; commits per body."""
    results = {}
    for body in db.session.scalars(select(Body).where(Body.open311_url.is_not(None))):
        results[body.name] = sync_body(body)
    return results


def sync_body(body: Body) -> SyncResult:
    forwarded = _forwarded(body)
    result = SyncResult()
    if forwarded:
        try:
            _read(body, forwarded, result)
            body.sync_error = "; ".join(result.problems)[:2000] or None
        except (PermanentError, RetryableError) as exc:
            db.session.rollback()
            body = db.session.get_one(Body, body.id)
            body.sync_error = str(exc)[:2000]
            result.problems.append(str(exc))
    body.synced_at = datetime.now(UTC)
    db.session.commit()
    return result


def _forwarded(body: Body) -> dict[str, Report]:
    """Their id -> our report, for the reports that body took and that it still handles."""
    rows = db.session.execute(
        select(ExchangeJob.remote_id, Report)
        .join(Report, Report.id == ExchangeJob.report_id)
        .where(
            ExchangeJob.body_id == body.id,
            ExchangeJob.state == JobState.DONE,
            Report.body_id == body.id,
        )
    )
    return {str(remote): report for remote, report in rows if remote}


def _read(body: Body, forwarded: dict[str, Report], result: SyncResult) -> None:
    peer = Peer(body.open311_url or "", body.open311_key, body.jurisdiction)
    try:
        _read_updates(peer, body, forwarded, result)
    except PeerRefused as refused:
        if refused.status not in (400, 404, 405, 501):
            raise
        # No updates extension there: the status of each request is all we can learn.
        _read_requests(peer, body, forwarded, result)


def _read_updates(peer: Peer, body: Body, forwarded: dict[str, Report], result: SyncResult):
    since = body.synced_until or _first_forwarding(body)
    for _ in range(MAX_PAGES):
        page = peer.updates(since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        latest = since
        for item in page:
            try:
                at = _when(item.get("updated_datetime"))
            except PermanentError as exc:
                result.problems.append(str(exc))
                continue
            latest = max(latest, at)
            report = forwarded.get(str(item.get("service_request_id")))
            if report is not None:
                _apply(body, report, item, at, result)
        body.synced_until = latest
        if latest == since:  # nothing newer: this sync is done
            return
        since = latest


def _first_forwarding(body: Body) -> datetime:
    first = db.session.scalar(
        select(ExchangeJob.done_at).where(ExchangeJob.body_id == body.id).order_by("done_at")
    )
    return (first or datetime.now(UTC)) - timedelta(minutes=5)


def _read_requests(peer: Peer, body: Body, forwarded: dict[str, Report], result: SyncResult):
    ids = sorted(forwarded)
    for start in range(0, len(ids), CHUNK):
        for item in peer.requests(ids[start : start + CHUNK]):
            report = forwarded.get(str(item.get("service_request_id")))
            if report is None:
                continue
            try:
                at = _when(item.get("updated_datetime") or item.get("requested_datetime"))
            except PermanentError as exc:
                result.problems.append(str(exc))
                continue
            status = str(item.get("status") or "").upper()
            key = f"{item.get('service_request_id')}:{status}:{at.isoformat()}"
            given = {
                "update_id": key[:100],
                "status": status,
                "description": item.get("status_notes"),
            }
            _apply(body, report, given, at, result)


def _update(item: dict[str, Any], at: datetime) -> PartnerUpdate:
    """A peer's update, checked like one posted to us: a known status, a clean note."""
    update_id = str(item.get("update_id") or "").strip()
    if not update_id or len(update_id) > 100 or CONTROL.search(update_id):
        raise PermanentError(f"Ein Update ohne gültige update_id: {update_id[:100]!r}")
    status = str(item.get("status") or "").upper()
    if status not in statuses.VALUES:
        raise PermanentError(
            f"Update {update_id}: unbekannter Status {status[:40]!r} "
            f"(erlaubt: {', '.join(statuses.VALUES)})."
        )
    note = CONTROL.sub("", str(item.get("description") or "")).strip()
    return PartnerUpdate("", update_id, status, note[: limits().description], at)


def _when(raw: object) -> datetime:
    try:
        return parse_datetime("updated_datetime", str(raw or ""), _zone())
    except BadParameter:
        raise PermanentError(f"Ungültiges updated_datetime: {str(raw)[:40]!r}") from None


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _apply(
    body: Body, report: Report, item: dict[str, Any], at: datetime, result: SyncResult
) -> None:
    try:
        update = _update(item, at)
    except PermanentError as exc:
        result.problems.append(str(exc))
        return
    if _known(body, update.update_id):
        return
    record(report, update, Source(body.name, body_id=body.id))
    result.added += 1


def _known(body: Body, update_id: str) -> bool:
    query = select(TimelineEvent.id).where(
        TimelineEvent.body_id == body.id, TimelineEvent.partner_update_id == update_id
    )
    return db.session.scalar(query) is not None


def summary(results: dict[str, SyncResult]) -> Iterable[str]:
    for name, result in results.items():
        problems = f", {len(result.problems)} Fehler" if result.problems else ""
        yield f"{name}: {result.added} neue Updates{problems}"
