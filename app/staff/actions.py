"""What staff do to a report. Every action is a timeline event with who and when; nothing
here commits, and every function checks the version the person saw (optimistic locking)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.media.images import ProcessedPhoto
from app.models import EventKind, Photo, Report, Status, TimelineEvent, User
from app.reports.changes import set_status
from app.reports.service import add_photo

NOTE_LIMIT = 2000


class ActionError(ValueError):
    """A German message for the person who tried the action."""


class ChangedMeanwhile(Exception):
    """Someone else changed the report after this person loaded it."""


def small_number(raw: str | None) -> int | None:
    """A plain ASCII number that fits the database's integer columns, or None. (str.isdigit
    alone lets "²" through, which int() refuses.)"""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)


def may_work_on(user: User, report: Report) -> bool:
    return user.works_for(report.department_id)


def check(user: User, report: Report, seen_version: int | None) -> None:
    if not may_work_on(user, report):
        raise PermissionError
    if seen_version != report.version:
        raise ChangedMeanwhile


def record(report: Report, user: User, **fields: object) -> TimelineEvent:
    event = TimelineEvent(report=report, author=user.name, author_id=user.id, **fields)
    db.session.add(event)
    return event


def clean_note(note: str | None, limit: int = NOTE_LIMIT, what: str = "Die Notiz") -> str | None:
    text = (note or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ActionError(f"{what} darf höchstens {limit} Zeichen lang sein.")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ActionError(f"{what} enthält unzulässige Steuerzeichen.")
    return text or None


NOTHING_TO_SAVE = (
    "Die Meldung hat bereits diesen Status. Für eine Notiz oder ein Foto ohne neuen Status "
    "bitte eine Notiz schreiben oder ein Foto wählen."
)


def change_status(
    user: User,
    report: Report,
    seen_version: int | None,
    new: Status,
    note: str | None,
    public_note: bool,
    after_photo: ProcessedPhoto | None = None,
) -> None:
    """A new status, with an optional note for the public (and reporter) or for staff only,
    and optionally an "after" photo of the repaired place. With the status unchanged the note
    and the photo are saved alone (a crew's "Material bestellt"); the check of the version the
    person saw keeps "unchanged" meaning the status they saw."""
    check(user, report, seen_version)
    text = clean_note(note)
    if new == report.status:
        if text is None and after_photo is None:
            raise ActionError(NOTHING_TO_SAVE)
        if public_note:
            # The public page changed: feeds and Open311's updated_after must see it.
            report.updated_at = datetime.now(UTC)
    elif new == Status.DUPLICATE:
        raise ActionError("Duplikate bitte mit „Als Duplikat schließen“ markieren.")
    else:
        set_status(report, new, text if public_note else None)
        record(report, user, kind=EventKind.STATUS_CHANGE, status=new.value, public=True)
    if text:
        kind = EventKind.PUBLIC_NOTE if public_note else EventKind.INTERNAL_NOTE
        record(report, user, kind=kind, note=text, public=public_note)
    if after_photo is not None:
        add_after_photo(user, report, after_photo, public_note)
    db.session.flush()


def add_after_photo(user: User, report: Report, photo: ProcessedPhoto, public: bool) -> Photo:
    """The crew's photo of the place, tied to its own timeline entry (shown as "nachher"). For
    staff only it is hidden, like a photo the inbox hid: the choice covers note and photo."""
    event = record(report, user, kind=EventKind.PHOTO, public=public)
    stored = add_photo(report, photo, after=True)
    stored.event = event
    stored.hidden = not public
    return stored


PRIORITIES = {0: "normal", 1: "hoch", 2: "dringend"}


def set_priority(user: User, report: Report, seen_version: int | None, priority: int) -> None:
    check(user, report, seen_version)
    if priority not in PRIORITIES:
        raise ActionError("Unbekannte Priorität.")
    if priority == report.priority:
        raise ActionError("Die Meldung hat bereits diese Priorität.")
    report.priority = priority
    record(
        report,
        user,
        kind=EventKind.INTERNAL_NOTE,
        public=False,
        note=f"Priorität: {PRIORITIES[report.priority]}.",
    )
    db.session.flush()


NOT_A_COLLEAGUE = "Diese Person arbeitet nicht für die zuständige Abteilung."


def assign(user: User, report: Report, seen_version: int | None, colleague: User) -> None:
    """Give the report to a colleague who works for its department."""
    check(user, report, seen_version)
    if not colleague.active or not colleague.works_for(report.department_id):
        raise ActionError(NOT_A_COLLEAGUE)
    report.assignee = colleague
    record(
        report,
        user,
        kind=EventKind.INTERNAL_NOTE,
        public=False,
        note=f"Zugewiesen an {colleague.name}.",
    )
    db.session.flush()


def colleagues(report: Report) -> list[User]:
    """Who may be given the report: active staff of its department, and the inbox."""
    users = db.session.scalars(select(User).where(User.active).order_by(User.name))
    return [u for u in users if u.works_for(report.department_id)]
