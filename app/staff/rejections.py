"""Taking a rejection back the same day. A rejected report is deleted (so it leaves every
public output at once), but its RejectedReport keeps a snapshot of the rows and its photo files
stay until the next day's `flask privacy purge`; restoring writes the rows back as they were.
Nothing here commits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    ApiKey,
    Body,
    EventKind,
    Photo,
    RejectedReport,
    Report,
    Subscription,
    Support,
    TimelineEvent,
    User,
)
from app.public.filters import city_day
from app.staff.actions import ActionError

# Every table whose rows go with a report and come back with it, and its own columns (the
# generated ones are computed again).
RESTORED = [
    cast(Table, model.__table__) for model in (Report, TimelineEvent, Photo, Subscription, Support)
]
# Links of the report to rows that may be gone by the time it comes back: dropped then.
LINKS = {"duplicate_of_id": Report, "assignee_id": User, "body_id": Body, "api_key_id": ApiKey}


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.computed is None]


def snapshot(report: Report) -> dict:
    """The report's rows as JSON; the point as EWKT, which PostGIS reads back."""
    row = db.session.scalar(
        text(
            "SELECT to_jsonb(r) - 'location' - 'px' - 'py'"
            " || jsonb_build_object('location', ST_AsEWKT(r.location)) FROM reports r"
            " WHERE r.id = :id"
        ),
        {"id": report.id},
    )
    related = {
        table: db.session.scalar(
            text(
                f"SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]') FROM {table} t "
                "WHERE t.report_id = :id"
            ),
            {"id": report.id},
        )
        for table in ("timeline_events", "photos", "subscriptions", "supports")
    }
    return {"reports": [row], **related}


def _insert(table: Table, rows: list) -> None:
    columns = ", ".join(_columns(table))
    db.session.execute(
        text(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
            f"FROM jsonb_populate_recordset(NULL::{table.name}, CAST(:rows AS jsonb))"
        ),
        {"rows": json.dumps(rows)},
    )


def _without_dangling_links(row: dict) -> dict:
    kept = dict(row)
    for column, model in LINKS.items():
        if kept.get(column) is not None and db.session.get(model, kept[column]) is None:
            kept[column] = None
    return kept


def today(rejected: RejectedReport) -> bool:
    return city_day(rejected.rejected_at) == city_day(datetime.now(UTC))


def rejected_today() -> list[RejectedReport]:
    found = db.session.scalars(
        select(RejectedReport)
        .where(RejectedReport.snapshot.is_not(None))
        .order_by(RejectedReport.rejected_at.desc())
    )
    return [r for r in found if today(r)]


def restore(user: User, rejected: RejectedReport) -> Report:
    """The report back as it was before the rejection, with an internal note saying so."""
    if user.role not in ("admin", "dispatcher"):
        raise PermissionError
    if rejected.snapshot is None or not today(rejected):
        raise ActionError("Eine Ablehnung lässt sich nur am selben Tag aufheben.")
    rows_of = dict(rejected.snapshot)
    rows_of["reports"] = [_without_dangling_links(row) for row in rows_of.get("reports") or []]
    try:
        with db.session.begin_nested():  # a refused insert leaves nothing half restored
            for restored in RESTORED:
                _insert(restored, rows_of.get(restored.name) or [])
    except IntegrityError:
        raise ActionError(
            "Die Meldung lässt sich nicht wiederherstellen: ihre Vorgangsnummer oder ihr "
            "Absendeschlüssel ist inzwischen wieder vergeben."
        ) from None
    report = db.session.scalars(
        select(Report).where(Report.case_number == rejected.case_number)
    ).one()
    report.updated_at = datetime.now(UTC)  # Open311's updated_after sees it come back
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.INTERNAL_NOTE,
            public=False,
            author=user.name,
            author_id=user.id,
            note=f"Ablehnung aufgehoben (war: {rejected.reason}).",
        )
    )
    db.session.delete(rejected)
    db.session.flush()
    return report
