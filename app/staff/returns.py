"""A crew sends a wrongly routed job back to the central inbox ("Zurück an die Leitstelle").

The job stays with its department (so nothing is lost and the crew can still open it) but
leaves the crew's queue and is listed in the inbox with the reason, unassigned, until a
dispatcher moves it to another department or a body (settled by that move), closes it, or
decides it stays where it is. The reason is for staff: an internal note, never public.
Nothing here commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import EventKind, Report, User
from app.models.status import OPEN_STATUSES
from app.staff.actions import ActionError, check, clean_note, record

REASON_LIMIT = 500
NO_REASON = "Bitte einen Grund angeben, damit die Leitstelle weiß, wohin die Meldung gehört."
PAGE = 50


def send_back(user: User, report: Report, seen_version: int | None, reason: str | None) -> None:
    """From a department (crew, or an admin acting for one) back to the dispatchers."""
    if user.role not in ("crew", "admin"):
        raise PermissionError  # dispatchers are the Leitstelle: they forward instead
    check(user, report, seen_version)
    if not report.status_enum.is_open:
        raise ActionError("Nur offene Meldungen können an die Leitstelle zurückgehen.")
    if report.body_id is not None:
        raise ActionError("Die Meldung liegt bereits bei einer anderen Stelle.")
    if report.returned_at is not None:
        raise ActionError("Die Meldung liegt bereits bei der Leitstelle.")
    text = clean_note(reason, REASON_LIMIT, "Der Grund")
    if text is None:
        raise ActionError(NO_REASON)
    report.returned_at = datetime.now(UTC)
    report.return_reason = text
    report.assignee = None  # whoever gets it next is the dispatchers' choice
    record(
        report,
        user,
        kind=EventKind.INTERNAL_NOTE,
        public=False,
        note=f"Zurück an die Leitstelle: {text}",
    )
    db.session.flush()


def keep_with_department(
    user: User, report: Report, seen_version: int | None, note: str | None
) -> None:
    """The dispatchers find the department right after all: back into its queue."""
    if user.role not in ("admin", "dispatcher"):
        raise PermissionError
    check(user, report, seen_version)
    if report.returned_at is None:
        raise ActionError("Die Meldung wurde nicht an die Leitstelle zurückgegeben.")
    text = clean_note(note, REASON_LIMIT, "Die Notiz")
    settle(report)
    message = f"Rückgabe geprüft: bleibt bei {report.department.name}."
    record(
        report,
        user,
        kind=EventKind.INTERNAL_NOTE,
        public=False,
        note=f"{message} {text}" if text else message,
    )
    db.session.flush()


def settle(report: Report) -> None:
    """The job is no longer waiting for the dispatchers (it moved, or stays by decision)."""
    report.returned_at = None
    report.return_reason = None


def waiting(limit: int = PAGE) -> list[Report]:
    """Jobs sent back and still open here, longest waiting first: the inbox lists them."""
    return list(
        db.session.scalars(
            select(Report)
            .where(
                Report.returned_at.is_not(None),
                Report.status.in_([s.value for s in OPEN_STATUSES]),
                Report.body_id.is_(None),
            )
            .options(joinedload(Report.category), joinedload(Report.department))
            .order_by(Report.returned_at, Report.id)
            .limit(limit)
        )
    )
