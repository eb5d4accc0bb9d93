"""Service request updates (mySociety's extension of GeoReport v2, spoken by FixMyStreet).

Reading: every public status change and public note of every report is one update, its
update_id the timeline event's id; internal notes and who wrote what never leave. Posting: a
partner's update becomes exactly one public timeline event on a report its key filed (a status
change, or a public note when the status stays), so that listing it back gives the partner the
very update_id our answer gave it. Nothing here commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import ApiKey, EventKind, Report, Status, TimelineEvent
from app.models.report import PARTNER, UPDATE_KINDS
from app.open311 import statuses
from app.open311.filing import active_key
from app.open311.params import REQUEST_ID, ApiError, Checker, optional, parse_datetime, shown
from app.reports.changes import set_status
from app.reports.rules import description_refusal, description_text, limits

REQUIRED = ("service_request_id", "update_id", "status", "updated_datetime", "description")
# An identifier of the partner's: printable, no spaces, as long as the column.
UPDATE_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,100}$")
# Advisory locks of their own (two-number form): one partner update at a time per update_id.
UPDATE_LOCKS = 74210200
W3C = "%Y-%m-%dT%H:%M:%SZ"


# --- reading ---------------------------------------------------------------------------------


def find_updates(start: datetime, end: datetime | None, limit: int) -> list[dict[str, Any]]:
    """The updates of a period, oldest first, at most `limit`: a client that gets `limit`
    updates asks again from the last one's updated_datetime."""
    event = TimelineEvent
    query = (
        select(
            event.id,
            Report.case_number,
            func.coalesce(event.status, _status_then(), Report.status),
            event.status,
            event.note,
            event.created_at,
        )
        .join(Report, Report.id == event.report_id)
        .where(event.public, event.kind.in_(UPDATE_KINDS), event.created_at >= start)
        # Filing is no update: a partner would post "Eingegangen" under every report.
        .where(~_filing(event))
        .order_by(event.created_at, event.id)
        .limit(limit)
    )
    if end is not None:
        query = query.where(event.created_at <= end)
    return [_update(*row) for row in db.session.execute(query)]


def _filing(event: type[TimelineEvent]) -> Any:
    """The first event of every report: "Eingegangen", at the moment it was filed."""
    return (
        (event.kind == EventKind.STATUS_CHANGE)
        & (event.status == Status.RECEIVED.value)
        & (event.created_at == Report.created_at)
    )


def _status_then() -> Any:
    """For a public note: the status its report had then (that of the status change before it)."""
    earlier = aliased(TimelineEvent)
    return (
        select(earlier.status)
        .where(
            earlier.report_id == TimelineEvent.report_id,
            earlier.kind == EventKind.STATUS_CHANGE,
            tuple_(earlier.created_at, earlier.id)
            <= tuple_(TimelineEvent.created_at, TimelineEvent.id),
        )
        .order_by(earlier.created_at.desc(), earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _update(
    event_id: int,
    case_number: str,
    status: str,
    changed_to: str | None,
    note: str | None,
    at: datetime,
) -> dict[str, Any]:
    return {
        "update_id": str(event_id),
        "service_request_id": case_number,
        "status": statuses.outgoing(status),
        "updated_datetime": at.astimezone(UTC).strftime(W3C),
        # A status change without a note says its status, as the public timeline does.
        "description": note or (Status(changed_to).label if changed_to else ""),
        # Photos are not part of updates (yet); the extension wants the field all the same.
        "media_url": "",
        # Our own, finer status: FixMyStreet keys its response templates on it.
        "external_status_code": status,
    }


# --- posting ---------------------------------------------------------------------------------


def _note_kind(public: bool) -> EventKind:
    return EventKind.PUBLIC_NOTE if public else EventKind.INTERNAL_NOTE


def _older_than_our_status(report: Report, update: PartnerUpdate) -> bool:
    """A retried or late update must not undo a newer status of ours (FixMyStreet applies
    ours by the same rule)."""
    if update.updated_at is None:
        return False
    ours = db.session.scalar(
        select(func.max(TimelineEvent.created_at)).where(
            TimelineEvent.report_id == report.id,
            TimelineEvent.kind == EventKind.STATUS_CHANGE,
        )
    )
    # Partners send whole seconds: an update of the same second as ours is not older.
    return ours is not None and update.updated_at < ours.replace(microsecond=0)


@dataclass(frozen=True)
class PartnerUpdate:
    """What a partner posts, checked; its personal data (email, names, phone) is never read."""

    service_request_id: str
    update_id: str
    status: str
    description: str
    # When the partner made it: an update older than our last status change sets no status.
    updated_at: datetime | None = None


def check_update_key(key: str | None) -> ApiKey:
    """The active key, if it may post updates; ApiError(403) otherwise."""
    api_key = active_key(key)
    if api_key is None:
        message = "api_key: Fehlt oder ist ungültig; ohne gültigen Schlüssel kein Update."
        raise ApiError(403, [message])
    if not api_key.can_update:
        raise ApiError(
            403,
            ["api_key: Dieser Schlüssel darf Meldungen einreichen, aber keine Updates senden."],
        )
    return api_key


def may_update(api_key: ApiKey, report: Report) -> bool:
    """The one rule for who may post updates to a report: the key that filed it, or the key of
    the body it was forwarded to (that body's back office reports back)."""
    forwarded_to_it = report.body is not None and report.body.partner_key_id == api_key.id
    return report.api_key_id == api_key.id or forwarded_to_it


def parse_update(values: MultiDict, zone: tzinfo) -> PartnerUpdate:
    """POST servicerequestupdates' parameters; ApiError(400) names every bad one."""
    check = Checker()
    given = {name: optional(values, name) or "" for name in REQUIRED}
    for name in REQUIRED:
        if not given[name]:
            check.fail(name, "Fehlt.")
    update_id, status, when = given["update_id"], given["status"], given["updated_datetime"]
    if update_id and not UPDATE_ID.match(update_id):
        check.fail("update_id", "Höchstens 100 Zeichen, ohne Leer- und Steuerzeichen.")
    if status and status not in statuses.VALUES:
        check.fail("status", _status_problem(status))
    # Our timeline records when the update reached the city; the partner's time only decides
    # whether its status is newer than ours.
    updated_at = check.run(parse_datetime, "updated_datetime", when, zone) if when else None
    description = description_text(given["description"])
    if description and (refusal := description_refusal(description, limits().description)):
        check.fail("description", refusal)
    check.raise_if_any()
    return PartnerUpdate(given["service_request_id"], update_id, status, description, updated_at)


def _status_problem(status: str) -> str:
    if status.upper() in statuses.VALUES:
        return f"Bitte in Großbuchstaben: {status.upper()}."
    return f"Unbekannter Wert {shown(status)}; erlaubt sind {', '.join(statuses.VALUES)}."


def receive(api_key: ApiKey, update: PartnerUpdate) -> int:
    """Our update_id for the partner's update: the id of the timeline event it becomes, or
    of the one it became when the partner sends it again (a retry after a lost answer)."""
    # Two copies at once: the second waits here and then finds the first one's event.
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
        {"space": UPDATE_LOCKS, "key": f"{api_key.id}:{update.update_id}"},
    )
    report = _report(update.service_request_id)
    if not may_update(api_key, report):
        raise ApiError(
            403,
            [
                f"api_key: Darf die Meldung {report.case_number} nicht aktualisieren; Updates "
                "nur zu Meldungen, die mit diesem Schlüssel eingereicht oder an die Stelle dieses "
                "Schlüssels weitergeleitet wurden."
            ],
        )
    earlier = db.session.scalar(
        select(TimelineEvent).where(
            TimelineEvent.api_key_id == api_key.id,
            TimelineEvent.partner_update_id == update.update_id,
        )
    )
    if earlier is not None and earlier.report_id != report.id:
        raise ApiError(400, ["update_id: Schon für eine andere Meldung verwendet."])
    if earlier is not None:
        return earlier.id
    return record(report, update, Source(api_key.name, api_key_id=api_key.id)).id


def _report(case_number: str) -> Report:
    """The report, locked: a staff change saved meanwhile cannot make ours fail as outdated."""
    found = None
    if REQUEST_ID.match(case_number):
        query = select(Report).where(Report.case_number == case_number).with_for_update()
        found = db.session.scalar(query)
    if found is None:
        raise ApiError(404, [f"service_request_id: Unbekannte Meldung {shown(case_number)}."])
    return found


@dataclass(frozen=True)
class Source:
    """Who an update comes from: a partner's key (it posted), or a body (our sync read it)."""

    name: str
    api_key_id: int | None = None
    body_id: int | None = None


def record(report: Report, update: PartnerUpdate, source: Source) -> TimelineEvent:
    """A status change (with the mails staff changes send) or a note. With moderated
    publishing the partner's text is a citizen's text like the report's own: staff see it,
    the public sees the status only."""
    new = statuses.incoming(update.status, report.status_enum)
    changed = new != report.status_enum and not _older_than_our_status(report, update)
    public_text = current_app.config["PUBLISHING"] == "immediate"
    author = (PARTNER + source.name)[:200]
    event = TimelineEvent(
        report=report,
        kind=EventKind.STATUS_CHANGE if changed else _note_kind(public_text),
        status=new.value if changed else None,
        note=update.description if public_text or not changed else None,
        public=changed or public_text,
        author=author,
        api_key_id=source.api_key_id,
        body_id=source.body_id,
        partner_update_id=update.update_id,
    )
    db.session.add(event)
    if changed and not public_text and update.description:
        db.session.add(
            TimelineEvent(
                report=report,
                kind=EventKind.INTERNAL_NOTE,
                note=update.description,
                public=False,
                author=author,
            )
        )
    if changed:
        mailed = update.description if public_text else None
        set_status(report, new, mailed, note_from=source.name)
    else:
        # A new public note is a change: clients syncing with updated_after should see it.
        report.updated_at = datetime.now(UTC)
    db.session.flush()
    return event
