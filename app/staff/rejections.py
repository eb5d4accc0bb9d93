"""Taking a rejection back the same day. A rejected report is deleted (so it leaves every
public output at once), but its RejectedReport keeps a snapshot of the rows and its photo files
stay until the next day's `flask privacy purge`; restoring writes the rows back as they were.
Nothing here commits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Column, Table, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    EventKind,
    ExchangeJob,
    Inquiry,
    Photo,
    RejectedReport,
    Report,
    ResolutionFeedback,
    Subscription,
    Support,
    TimelineEvent,
    User,
)
from app.public.filters import city_day, day_start
from app.staff.actions import ActionError

# Every table whose rows go with a report (deleted with it by ON DELETE CASCADE) and come back
# with it, parents first: pending forwarding jobs resume, open questions to the reporter stay.
RESTORED = [
    cast(Table, model.__table__)
    for model in (
        Report,
        TimelineEvent,
        Photo,
        Subscription,
        Support,
        ExchangeJob,
        Inquiry,
        ResolutionFeedback,
    )
]


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
        for table in (restored.name for restored in RESTORED[1:])
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


def _fitting(table: Table, rows: list[dict]) -> list[dict]:
    """The rows as they fit today: a link to a row deleted since (a user, a body, the original
    of a duplicate) is dropped where the schema would have set it NULL, and the whole row is
    left out where the schema would have deleted it along (a job for a body that is gone)."""
    kept = []
    for row in rows:
        fitted: dict | None = dict(row)
        for link in table.foreign_keys:
            value = row.get(link.parent.name)
            if fitted is None or value is None or _exists(link.column, value):
                continue
            if link.ondelete == "CASCADE":
                fitted = None
            else:
                fitted[link.parent.name] = None
        if fitted is not None:
            kept.append(fitted)
    return kept


def _exists(column: Column, value: object) -> bool:
    found = db.session.execute(select(column).where(column == value).limit(1)).first()
    return found is not None


def today(rejected: RejectedReport) -> bool:
    return city_day(rejected.rejected_at) == city_day(datetime.now(UTC))


def rejected_today() -> list[RejectedReport]:
    since = day_start(city_day(datetime.now(UTC)))
    found = db.session.scalars(
        select(RejectedReport)
        .where(RejectedReport.snapshot.is_not(None), RejectedReport.rejected_at >= since)
        .order_by(RejectedReport.rejected_at.desc())
    )
    return list(found)


def restore(user: User, rejected: RejectedReport) -> Report:
    """The report back as it was before the rejection, with an internal note saying so."""
    if user.role not in ("admin", "dispatcher"):
        raise PermissionError
    if rejected.snapshot is None or not today(rejected):
        raise ActionError("Eine Ablehnung lässt sich nur am selben Tag aufheben.")
    try:
        with db.session.begin_nested():  # a refused insert leaves nothing half restored
            for restored in RESTORED:  # parents first, so their children's links are found
                rows = _fitting(restored, rejected.snapshot.get(restored.name) or [])
                _insert(restored, rows)
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
